"""FAQ curation (curators): list and search, view, create, edit with a live preview of the bot's answer,
review (four eyes), publish, withdraw, history with a diff and rollback.

The rules live in workflows.faq_review; this module turns forms into entry data and back, and after every
publish or withdrawal writes the knowledge overlay from the database and asks the publisher for an
index build, so what the bot knows always follows the table.
"""
from __future__ import annotations

import re
import secrets
from urllib.parse import urlencode
from typing import Annotated, Any, Callable

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from workflows import faq_review as faq
from appdb.models import FaqVersion
from appdb.session import session_scope
from appdb.unanswered import set_status
from console import publisher
from console.admin.unanswered import parse_ids
from console.auth import Staff, require
from console.templating import render, templates
from knowledge import overlay
from knowledge.models import NATIONAL
from settings import get_settings

router = APIRouter(prefix="/admin", include_in_schema=False)
Curator = Annotated[Staff, Depends(require("curator"))]
STATUS_LABELS = {"shipped": "随系统提供", "draft": "草稿", "reviewed": "已审核", "published": "已发布",
                 "superseded": "已被替换", "withdrawn": "已撤下"}
MAX_NOTE = 500
_BASIS = re.compile(r"^《?(?P<law>[^《》\s]+?)》?\s*(?P<article>第[一二三四五六七八九十百千零〇\d]+条)?"
                    r"\s*(?P<paragraph>第[一二三四五六七八九十\d]+款)?$")


# ---- form <-> entry data -------------------------------------------------------------------

def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def parse_basis(text: str) -> tuple[list[dict], list[str]]:
    """`女职工劳动保护特别规定 第七条` (or 《…》第七条第二款) per line -> basis records, and lines not understood."""
    basis, problems = [], []
    for number, line in enumerate(_lines(text), 1):
        match = _BASIS.match(line)
        if match is None:
            problems.append(f"法律依据第 {number} 行「{line[:40]}」看不懂：请写成「法规名称 第几条」。")
            continue
        basis.append({k: v for k, v in match.groupdict().items() if v})
    return basis, problems


def basis_text(basis: list[dict]) -> str:
    return "\n".join(" ".join(filter(None, (b.get("law"), (b.get("article") or "") + (b.get("paragraph") or ""))))
                     for b in basis)


def from_form(form: dict[str, str]) -> tuple[dict[str, Any], list[str]]:
    """Entry data from the form's fields, and every problem with it (empty when it can be saved)."""
    basis, problems = parse_basis(form.get("basis", ""))
    data = {"topic": form.get("topic", ""), "questions": _lines(form.get("questions", "")),
            "answer": form.get("answer", "").strip(), "basis": basis,
            "region": form.get("region", "").strip() or NATIONAL, "effective": form.get("effective", "").strip(),
            "review_by": form.get("review_by", "").strip()}
    if len(form.get("note", "")) > MAX_NOTE:  # kept whole or refused, never cut behind her back
        problems.append(f"改动说明最多 {MAX_NOTE} 字，现在是 {len(form['note'])} 字。")
    return data, problems + faq.validate(data)


def to_form(data: dict[str, Any], note: str = "") -> dict[str, str]:
    return {"topic": data.get("topic") or "", "questions": "\n".join(data.get("questions") or []),
            "answer": data.get("answer") or "", "basis": basis_text(data.get("basis") or []),
            "region": data.get("region") or NATIONAL, "effective": str(data.get("effective") or ""),
            "review_by": str(data.get("review_by") or ""), "note": note}


def _version(text: str) -> int | None:
    """The version number a button posted, or None for anything a button never sends."""
    text = (text or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else None


BAD_VERSION = "版本号不对：请刷新页面后用页面上的按钮操作。"


def version_name(number: int) -> str:
    """A version as curators say it: 第 1 版 on; the shipped text is stored as version 0, and
    「第 0 版」 means nothing to her."""
    return "系统原版" if number == 0 else f"第 {number} 版"


templates.env.globals["version_name"] = version_name


# ---- pages ---------------------------------------------------------------------------------

def _page(request: Request, name: str, staff: Staff, status_code: int = 200, **context: Any) -> HTMLResponse:
    return render(request, name, staff, status_code=status_code, topics=faq.TOPICS, labels=STATUS_LABELS,
                  build=publisher.status(), **context)


def _back(url: str, msg: str = "", err: str = "") -> RedirectResponse:
    """Post/redirect/get: the page after a change, with its one-line message (?msg=) or refusal (?err=)."""
    query = urlencode({k: v for k, v in (("msg", msg), ("err", err)) if v})
    return RedirectResponse(f"{url}?{query}" if query else url, 303)


@router.get("/faq")
def faq_list(request: Request, staff: Curator, q: str = "", topic: str = "", status: str = "") -> Response:
    with session_scope() as s:
        rows = faq.overview(s, q[:200], topic, status)
    return _page(request, "faq_list.html", staff, rows=rows, q=q[:200], topic=topic, status=status)


@router.get("/faq/new")
def faq_new(request: Request, staff: Curator, question: Annotated[list[str] | None, Query()] = None,
            from_unanswered: str = "", topic: str = "") -> Response:
    form = to_form({"topic": topic, "questions": [q[:200] for q in (question or [])[:60]], "region": NATIONAL})
    form.update(from_unanswered=",".join(map(str, parse_ids(from_unanswered))), form_token=secrets.token_urlsafe(16))
    return _page(request, "faq_form.html", staff, form=form, entry_id=None, problems=[])


@router.post("/faq/new")
async def faq_create(request: Request, staff: Curator) -> Response:
    form = await _form(request)
    data, problems = from_form(form)
    if problems:
        return _page(request, "faq_form.html", staff, 422, form=form, entry_id=None, problems=problems)
    with session_scope() as s:
        version = faq.create(s, staff.username, data, form.get("note", ""), parse_ids(form.get("from_unanswered", "")),
                             form.get("form_token", ""))
        entry_id = version.entry_id
    return _back(f"/admin/faq/{entry_id}", msg=f"已保存为草稿 {entry_id}：请另一位同事审核。")


@router.post("/faq/preview")
async def faq_preview(request: Request, staff: Curator) -> Response:
    """The bot's reply for the form as typed (same wording function as the action server)."""
    form = await _form(request)
    data, problems = from_form(form)
    return _page(request, "faq_preview.html", staff, reply=_bot_reply(data), problems=problems)


@router.post("/faq/rebuild")
def faq_rebuild(staff: Curator) -> Response:
    publisher.request_build(staff.username, "重新训练检索模型", retrain=True)
    return _back("/admin/faq", msg="已开始重建索引（含重新训练），需要一两分钟。")


@router.get("/faq/build-status")
def faq_build_status(staff: Curator) -> JSONResponse:
    """The build status for console.js, which asks again every few seconds while a build runs and
    puts the fragment in place: publishing shows its progress and its result without a reload."""
    build = publisher.status()
    html = templates.get_template("faq_build.html").render(build=build, csrf_token=staff.csrf_token)
    return JSONResponse({"state": build["state"], "pending": build["pending"], "html": html})


@router.get("/faq/{entry_id}")
def faq_view(request: Request, staff: Curator, entry_id: str) -> Response:
    def context(versions: list[FaqVersion]) -> dict[str, Any]:
        return {"versions": versions, "latest": versions[-1], "live": faq.live_version(versions),
                "reply": _bot_reply(versions[-1].data),
                "authors": {v.version: sorted(faq.authors(v)) for v in versions}}

    return _entry_page(request, staff, entry_id, "faq_view.html", context)


@router.get("/faq/{entry_id}/edit")
def faq_edit_form(request: Request, staff: Curator, entry_id: str) -> Response:
    return _entry_page(request, staff, entry_id, "faq_form.html",
                       lambda versions: {"form": to_form(versions[-1].data), "problems": []})


@router.post("/faq/{entry_id}/edit")
async def faq_edit(request: Request, staff: Curator, entry_id: str) -> Response:
    form = await _form(request)
    data, problems = from_form(form)
    if problems:
        return _page(request, "faq_form.html", staff, 422, form=form, entry_id=entry_id, problems=problems,
                     title=(_lines(form.get("questions", "")) or [entry_id])[0])
    number, err = _change(lambda s: faq.edit(s, staff.username, entry_id, data, form.get("note", "")).version)
    msg = "" if err else f"第 {number} 版草稿已保存：请另一位同事审核。"
    return _back(f"/admin/faq/{entry_id}", msg=msg, err=err)


@router.post("/faq/{entry_id}/review")
def faq_review(staff: Curator, entry_id: str, posted: Annotated[str, Form(alias="version")] = "") -> Response:
    if (version := _version(posted)) is None:
        return _back(f"/admin/faq/{entry_id}", err=BAD_VERSION)
    _, err = _change(lambda s: faq.review(s, staff.username, entry_id, version))
    return _back(f"/admin/faq/{entry_id}", msg="" if err else f"第 {version} 版已审核通过，可以发布。", err=err)


@router.post("/faq/{entry_id}/publish")
def faq_publish(staff: Curator, entry_id: str, posted: Annotated[str, Form(alias="version")] = "") -> Response:
    if (version := _version(posted)) is None:
        return _back(f"/admin/faq/{entry_id}", err=BAD_VERSION)

    def publish(s) -> tuple[list[int], str]:
        published = faq.publish(s, staff.username, entry_id, version)
        return faq.unanswered_ids(s, entry_id), faq.main_question(published)

    result, err = _change(publish)
    if err:
        return _back(f"/admin/faq/{entry_id}", err=err)
    handled, question = result
    _write_overlay_and_build(staff.username, f"发布「{question}」第 {version} 版")  # first: the bot must get it
    if handled:
        set_status(handled, "handled", staff.username, entry_id)
    return _back(f"/admin/faq/{entry_id}", msg=f"第 {version} 版已发布，正在更新机器人的知识（通常一分钟内生效）。")


@router.post("/faq/{entry_id}/withdraw")
def faq_withdraw(staff: Curator, entry_id: str, reason: Annotated[str, Form(max_length=500)] = "") -> Response:
    question, err = _change(lambda s: faq.main_question(faq.withdraw(s, staff.username, entry_id, reason.strip())))
    if err:
        return _back(f"/admin/faq/{entry_id}", err=err)
    _write_overlay_and_build(staff.username, f"撤下「{question}」")
    return _back(f"/admin/faq/{entry_id}", msg="已撤下，机器人很快不再用这条回答。")


@router.post("/faq/{entry_id}/rollback")
def faq_rollback(staff: Curator, entry_id: str, posted: Annotated[str, Form(alias="version")] = "") -> Response:
    if (version := _version(posted)) is None:
        return _back(f"/admin/faq/{entry_id}", err=BAD_VERSION)
    number, err = _change(lambda s: faq.rollback(s, staff.username, entry_id, version).version)
    msg = "" if err else f"已按{version_name(version)}建立第 {number} 版草稿：审核、发布后生效。"
    return _back(f"/admin/faq/{entry_id}", msg=msg, err=err)


@router.get("/faq/{entry_id}/history")
def faq_history(request: Request, staff: Curator, entry_id: str, v: str = "") -> Response:
    def context(versions: list[FaqVersion]) -> dict[str, Any]:
        chosen = next((x for x in versions if x.version == _version(v)), versions[-1])
        previous = next((x for x in reversed(versions) if x.version < chosen.version), None)
        return {"versions": versions, "chosen": chosen, "previous": previous, "diff": faq.diff(previous, chosen)}

    return _entry_page(request, staff, entry_id, "faq_history.html", context)


# ---- helpers -------------------------------------------------------------------------------

def _change(change: Callable[[Any], Any]) -> tuple[Any, str]:
    """Run one change in a transaction; a rule it breaks (four eyes, wrong status) comes back as text."""
    try:
        with session_scope() as s:
            return change(s), ""
    except faq.FaqError as exc:
        return None, str(exc)


async def _form(request: Request) -> dict[str, str]:
    """The posted fields as text, whole: a too-long field is refused by validation, never cut."""
    return {k: v for k, v in (await request.form()).items() if isinstance(v, str) and k != "csrf_token"}


def _entry_page(request: Request, staff: Staff, entry_id: str, name: str,
                context: Callable[[list[FaqVersion]], dict[str, Any]]) -> HTMLResponse:
    """A page about one entry, or 404 for an unknown id; rendered while its versions are still attached."""
    with session_scope() as s:
        try:
            versions = faq.history(s, entry_id[:100])
        except faq.FaqError:
            return render(request, "error.html", staff, status_code=404, heading="找不到条目",
                          detail=f"没有编号为 {entry_id[:100]} 的知识条目。")
        return _page(request, name, staff, entry_id=entry_id, title=faq.main_question(versions[-1]),
                     **context(versions))


def _bot_reply(data: dict[str, Any]):
    """How the bot words this entry: the action server's own reply function on a one-hit result."""
    from answering.compose import answer_reply  # the exact wording path of the bot (answer + basis + region)
    from knowledge import content
    from knowledge.search import Hit, SearchResult

    try:
        entry = content.faq_entry({**faq.as_record("preview", data), "id": "preview"})
    except (content.ContentError, KeyError, TypeError, ValueError):
        return None
    return answer_reply(SearchResult("", [Hit(entry, 1.0, 0.0, 0.0)], 1.0, "answer", None))


def _write_overlay_and_build(actor: str, reason: str) -> None:
    """Write what the table says is live into the overlay, then ask for an index build. Read and
    write under the overlay lock: otherwise a publish that read the table just before another one
    committed can write last and drop the other entry from what the bot knows."""
    root = get_settings().overlay_dir
    with overlay.locked(root):
        with session_scope() as s:
            published, withdrawn = faq.live_overlay(s)
        overlay.write_faq(root, published, withdrawn)
    publisher.request_build(actor, reason)
