"""Provincial leave figures (curators): 「提取地方假期天数」 on an uploaded province regulation shows
what the extractor read, with its articles, for a curator to correct and submit; a second curator
approves (four eyes) and the row reaches the leave table through the knowledge overlay.

The rules live in workflows.leave_figures; this module turns forms into rows and back, and after an
approval asks the publisher for an index build, so the province's searchable answer
(knowledge.regions.regional_entries) follows the table too.
"""
from __future__ import annotations

import secrets
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from workflows import leave_figures as figures
from workflows.leave_figures import FiguresError
from appdb.models import parse_row_id
from console import publisher
from console.auth import Staff, require
from console.templating import render
from knowledge import regions
from knowledge.province_figures import LABELS

router = APIRouter(prefix="/admin", include_in_schema=False)
Curator = Annotated[Staff, Depends(require("curator"))]
ROW_LABELS = {"maternity_extra_days": "延长生育假（天）", "maternity_extra_by_order": "按孩次另算的延长天数",
              "paternity_days": "男方陪产假/护理假（天）", "parental_leave": "育儿假", "marriage_leave": "婚假",
              "source": "条例", "article": "条款", "revised": "修订日期", "other": "其他", "note": "说明"}


def _back(url: str, msg: str = "", err: str = "") -> RedirectResponse:
    query = urlencode({k: v for k, v in (("msg", msg), ("err", err)) if v})
    return RedirectResponse(f"{url}?{query}" if query else url, 303)


def _error(request: Request, staff: Staff, status: int, heading: str, detail: str) -> Response:
    return render(request, "error.html", staff, status, heading=heading, detail=detail)


def _form_page(request: Request, staff: Staff, found: figures.Source, form: dict[str, str],
               status_code: int = 200, problems: list[str] | None = None) -> Response:
    proposal = found.proposal
    cited = sorted({r.article for f in proposal.figures.values() for r in f.readings},
                   key=list(found.articles).index)
    return render(request, "leave_figures_form.html", staff, status_code, found=found, form=form,
                  problems=problems or [], proposal=proposal, labels=LABELS,
                  current=figures.current_row(found.province), row_labels=ROW_LABELS,
                  cited=[(a, found.articles[a]) for a in cited],
                  waiting=[p for p in figures.recent(doc_id=found.doc.doc_id) if p.status == "proposed"])


@router.get("/documents/{doc_id}/leave-figures")
def extract_form(request: Request, staff: Curator, doc_id: str) -> Response:
    """「提取地方假期天数」: the extractor's reading, as a form to correct."""
    try:
        found = figures.source(doc_id[:120])
    except FiguresError as exc:
        return _back(f"/admin/documents/{doc_id}", err=str(exc))
    return _form_page(request, staff, found, {**figures.form_of(found), "form_token": secrets.token_urlsafe(16)})


@router.post("/documents/{doc_id}/leave-figures")
async def submit(request: Request, staff: Curator, doc_id: str) -> Response:
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str) and k != "csrf_token"}
    try:
        found = figures.source(doc_id[:120])
    except FiguresError as exc:
        return _back(f"/admin/documents/{doc_id}", err=str(exc))
    row, problems, warnings = figures.parse_form(form, found)
    if problems:
        return _form_page(request, staff, found, form, 422, problems)
    proposal_id = figures.propose(staff.username, found, row, warnings, form.get("remark", ""),
                                  form.get("form_token", "")[:64])
    return _back(f"/admin/leave-figures/{proposal_id}",
                 msg=f"已提交{found.province}的假期天数：请另一位同事对照原文核对后批准。")


@router.get("/leave-figures")
def overview(request: Request, staff: Curator) -> Response:
    """Waiting and decided proposals, and where every province of the table stands."""
    return render(request, "leave_figures_list.html", staff, proposals=figures.recent(),
                  status_labels=figures.STATUS_LABELS, table=sorted(regions.rules().values(),
                                                                    key=lambda r: (not r.verified, r.province)))


def _articles_of(doc_id: str) -> dict[str, str]:
    """The source document's articles, for the reviewer to read beside the figures (empty if gone)."""
    try:
        return figures.source(doc_id).articles
    except FiguresError:
        return {}


@router.get("/leave-figures/{proposal_id}")
def view(request: Request, staff: Curator, proposal_id: str) -> Response:
    number = parse_row_id(proposal_id)
    item = figures.find(number) if number is not None else None
    if item is None:
        return _error(request, staff, 404, "找不到这份提交", f"没有编号为 {proposal_id[:20]} 的地方假期提交。")
    row: dict[str, Any] = item.data.get("row") or {}
    articles = _articles_of(item.doc_id)
    cited = [a for a in dict.fromkeys((row.get("articles") or {}).values()) if a]
    return render(request, "leave_figures_view.html", staff, item=item, row=row,
                  extracted=item.data.get("extracted") or {}, current=figures.current_row(item.province),
                  row_labels=ROW_LABELS, status_labels=figures.STATUS_LABELS,
                  cited=[(a, articles.get(a, "（原文已不可用）")) for a in cited], build=publisher.status())


@router.post("/leave-figures/{proposal_id}/approve")
def approve(staff: Curator, proposal_id: str) -> Response:
    number = parse_row_id(proposal_id)
    if number is None:
        return _back("/admin/leave-figures", err="编号不对：请刷新页面后用页面上的按钮操作。")
    try:
        province = figures.approve(staff.username, number)
    except FiguresError as exc:
        return _back(f"/admin/leave-figures/{number}", err=str(exc))
    publisher.request_build(staff.username, f"地方假期天数 {province}")
    return _back(f"/admin/leave-figures/{number}",
                 msg=f"已批准：{province}的假期天数已写入地方假期表，计算器马上使用；知识库正在后台重建（通常一两分钟）。")


@router.post("/leave-figures/{proposal_id}/reject")
def reject(staff: Curator, proposal_id: str, reason: Annotated[str, Form(max_length=2000)] = "") -> Response:
    number = parse_row_id(proposal_id)
    if number is None:
        return _back("/admin/leave-figures", err="编号不对：请刷新页面后用页面上的按钮操作。")
    try:
        province = figures.reject(staff.username, number, reason)
    except FiguresError as exc:
        return _back(f"/admin/leave-figures/{number}", err=str(exc))
    return _back(f"/admin/leave-figures/{number}", msg=f"已退回{province}的这份提交。")
