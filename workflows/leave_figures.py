"""A province's leave figures from its uploaded regulation into the leave table, with four eyes.

    提取  the extractor (knowledge.province_figures) reads the uploaded document's articles and
          proposes the row: maternity extension (per child where the text differs), paternity,
          parental and marriage leave, each with its article;
    提交  a curator corrects what it read and submits: a `proposed` RegionProposal (a newer one for
          the same province supersedes it);
    批准  a second curator, never the proposer, approves: the row is written to the knowledge
          overlay (regions.yml, atomically, under the overlay lock) with verified: true, and the
          table (knowledge.regions.rules) and the next index build pick it up. Or 退回 with a reason.

Only a figure read in a text the knowledge base holds may be stated as a fact, so approval needs
the document published (and knowledge.overlay.live_regions drops the row again if the document is
retired). Every step is audited in the same transaction as the change.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from appdb import audit
from workflows import documents
from appdb.models import Document, RegionProposal, local_tz, utcnow
from appdb.session import session_scope
from knowledge import overlay as layout
from knowledge import regions
from knowledge.models import Entry
from knowledge.province_figures import MAX_DAYS, Proposal, from_import, plain_numbers
from settings import get_settings

STATUS_LABELS = {"proposed": "待批准", "approved": "已批准", "rejected": "已退回", "superseded": "已被新提交替代"}
DAY_FIELDS = {"maternity_extra_days": "延长生育假（第一个孩子）", "maternity_second": "第二个孩子的延长天数",
              "maternity_third": "第三个孩子的延长天数", "paternity_days": "男方陪产假/护理假"}
TEXT_FIELDS = {"parental_leave": "育儿假", "marriage_leave": "婚假"}
# form field of the article -> the figures it is the source of
ARTICLE_FIELDS = {"article_maternity": ("maternity_extra_days", "maternity_second", "maternity_third"),
                  "article_paternity": ("paternity_days",), "article_parental": ("parental_leave",),
                  "article_marriage": ("marriage_leave",)}
ROW_ARTICLE = {"article_maternity": ("maternity_extra_days", "maternity_extra_by_order"),
               "article_paternity": ("paternity_days",), "article_parental": ("parental_leave",),
               "article_marriage": ("marriage_leave",)}
MAX_TEXT, MAX_LONG, MAX_NOTE = 300, 1000, 500
_ARTICLE = re.compile(r"^第[一二三四五六七八九十百千零〇0-9]+条(?:之[一二三四五六七八九十]+)?$")


class FiguresError(ValueError):
    """An action that is not allowed now (four eyes, wrong status, no province): shown to her as is."""


@dataclass
class Source:
    """An uploaded regulation of one province, with what the extractor read in it."""

    doc: Document
    province: str
    proposal: Proposal
    articles: dict[str, str]  # article label -> its text, for the curator and the checks


def overlay() -> Path:
    return get_settings().overlay_dir


def source(doc_id: str) -> Source:
    """The uploaded document and the extractor's proposal, or a refusal in words she can act on."""
    doc = documents.find(doc_id)
    if doc is None or doc.source != "upload":
        raise FiguresError("只能从上传的文件里提取地方假期天数。")
    if doc.status == "retired":
        raise FiguresError("这份文件已经停用，不能再从中提取天数。")
    meta, entries, problem = documents.chunks(doc)
    if meta is None:
        raise FiguresError(f"这份文件不能用：{problem}")
    if meta.region not in regions.rules():
        raise FiguresError(f"这份文件的适用地区是「{meta.region or '未识别'}」，不是一个省份。"
                           "请上传时把地区写成省份（如 河南），再提取。")
    laws: list[Entry] = [e for e in entries if e.article]
    if not laws:
        raise FiguresError("这份文件没有按“第几条”切分出条文，无法提取天数。")
    return Source(doc, meta.region, from_import(meta, laws), {e.article: e.text for e in laws})


def current_row(province: str) -> dict[str, Any]:
    """The province's row as the table says now (shipped or approved here)."""
    rule = regions.rules().get(province)
    if rule is None:
        return {}
    return {"verified": rule.verified, "source": rule.source, "article": rule.article,
            "revised": rule.revised.isoformat() if rule.revised else "",
            "maternity_extra_days": rule.maternity_extra_days,
            "maternity_extra_by_order": dict(rule.maternity_extra_by_order), "paternity_days": rule.paternity_days,
            "parental_leave": rule.parental_leave, "marriage_leave": rule.marriage_leave, "other": rule.other,
            "note": rule.note}


def form_of(found: Source) -> dict[str, str]:
    """The form filled with what the extractor read; 其他/说明 kept from the table when it was verified
    (an unverified row's note says the figures are unchecked, which approval makes untrue)."""
    row = found.proposal.row()
    by_order = row["maternity_extra_by_order"]
    current = current_row(found.province)
    arts = row["articles"]
    text = lambda value: "" if value is None else str(value)  # noqa: E731
    return {"maternity_extra_days": text(row["maternity_extra_days"]), "maternity_second": text(by_order.get(2)),
            "maternity_third": text(by_order.get(3)), "paternity_days": text(row["paternity_days"]),
            "parental_leave": row["parental_leave"], "marriage_leave": row["marriage_leave"],
            "article_maternity": arts.get("maternity_extra_days") or arts.get("maternity_extra_by_order", ""),
            "article_paternity": arts.get("paternity_days", ""), "article_parental": arts.get("parental_leave", ""),
            "article_marriage": arts.get("marriage_leave", ""), "source": row["source"],
            "revised": row["revised"].isoformat() if row["revised"] else "",
            "other": current.get("other", "") if current.get("verified") else "",
            "note": current.get("note", "") if current.get("verified") else "", "remark": ""}


# ---- the submitted form --------------------------------------------------------------------

def _days(value: str, label: str, problems: list[str]) -> int | None:
    value = unicodedata.normalize("NFKC", value or "").strip().removesuffix("天").strip()
    if not value:
        return None
    if not (value.isascii() and value.isdigit() and 0 < int(value) <= MAX_DAYS):
        problems.append(f"{label}「{value[:20]}」应当是 1 到 {MAX_DAYS} 之间的天数（只写数字）。")
        return None
    return int(value)


def _date(value: str, problems: list[str]) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    try:
        day = date.fromisoformat(value)
    except ValueError:
        problems.append(f"修订日期「{value[:20]}」请写成 2021-11-25 这样。")
        return ""
    if day > utcnow().astimezone(local_tz()).date():
        problems.append("修订日期在今天之后，请核对。")
    return day.isoformat()


def parse_form(form: dict[str, str], found: Source) -> tuple[dict[str, Any], list[str], list[str]]:
    """(the table row, problems that refuse it, warnings for the reviewer) from the submitted form."""
    problems: list[str] = []
    days = {key: _days(form.get(key, ""), label, problems) for key, label in DAY_FIELDS.items()}
    texts = {key: " ".join((form.get(key) or "").split()) for key in TEXT_FIELDS}
    for key, label in TEXT_FIELDS.items():
        if len(texts[key]) > MAX_TEXT:
            problems.append(f"{label}最多 {MAX_TEXT} 字，现在是 {len(texts[key])} 字。")
    longs = {key: (form.get(key) or "").strip() for key in ("other", "note")}
    if any(len(v) > MAX_LONG for v in longs.values()):
        problems.append(f"“其他”和“说明”各最多 {MAX_LONG} 字。")
    if len(form.get("remark") or "") > MAX_NOTE:
        problems.append(f"提交说明最多 {MAX_NOTE} 字。")
    source_title = " ".join((form.get("source") or "").split())
    if not source_title or len(source_title) > 200:
        problems.append("请填写条例名称（不超过 200 字）。")
    revised = _date(form.get("revised", ""), problems)
    figures = {**days, **texts}
    if not any(v not in (None, "") for v in figures.values()):
        problems.append("没有填写任何天数：至少填写一项（延长生育假、陪产假、育儿假或婚假）。")
    if (days["maternity_second"] or days["maternity_third"]) and days["maternity_extra_days"] is None:
        problems.append("填写第二、三个孩子的天数前，请先填写第一个孩子的延长生育假天数。")

    articles: dict[str, str] = {}
    for key, fields in ARTICLE_FIELDS.items():
        label = "".join((form.get(key) or "").split())
        if not any(figures[f] not in (None, "") for f in fields):
            continue
        names = "、".join(DAY_FIELDS.get(f) or TEXT_FIELDS[f] for f in fields if figures[f] not in (None, ""))
        if not label:
            problems.append(f"请写明{names}出自第几条。")
        elif not _ARTICLE.match(label) or label not in found.articles:
            problems.append(f"{names}的出处「{label[:20]}」不是这份文件里的条文，请写成“第三十条”这样。")
        else:
            articles[key] = label

    by_order = {order: value for order, value in ((2, days["maternity_second"]), (3, days["maternity_third"]))
                if value is not None and value != days["maternity_extra_days"]}
    row_articles = {name: articles[key] for key, names in ROW_ARTICLE.items() if key in articles for name in names
                    if (name == "maternity_extra_by_order" and by_order)
                    or (name != "maternity_extra_by_order" and figures.get(name) not in (None, ""))}
    main = row_articles.get("maternity_extra_days") or next(iter(row_articles.values()), "")
    row = {"province": found.province, "source": source_title, "article": main, "revised": revised,
           "maternity_extra_days": days["maternity_extra_days"], "maternity_extra_by_order": by_order,
           "paternity_days": days["paternity_days"], "parental_leave": texts["parental_leave"],
           "marriage_leave": texts["marriage_leave"], "other": longs["other"], "note": longs["note"],
           "articles": row_articles}
    return row, problems, [] if problems else warnings(row, found)


def warnings(row: dict[str, Any], found: Source) -> list[str]:
    """What the reviewer should look at twice: a number not in its article, a figure changed by hand."""
    out = []
    read = found.proposal.row()
    numbers = [("maternity_extra_days", row["maternity_extra_days"])]
    numbers += [("maternity_extra_by_order", v) for v in row["maternity_extra_by_order"].values()]
    numbers += [("paternity_days", row["paternity_days"])]
    for name, value in numbers:
        article = row["articles"].get(name, "")
        if value is not None and article and not re.search(rf"(?<![0-9]){value}(?![0-9])",
                                                           plain_numbers(found.articles.get(article, ""))):
            out.append(f"{article}的条文里没有“{value}”这个数字：请对照原文核对。")
    for name, label in (("maternity_extra_days", "延长生育假"), ("paternity_days", "男方陪产假/护理假"),
                        ("maternity_extra_by_order", "按孩次的延长天数")):
        if row[name] != read[name] and read[name] not in (None, {}):
            out.append(f"{label}提取为 {_shown(read[name])}，提交为 {_shown(row[name])}（人工改过）。")
    return out


def _shown(value: Any) -> str:
    if isinstance(value, dict):
        return "、".join(f"第{k}个孩子{v}天" for k, v in sorted(value.items())) or "无"
    return "空" if value in (None, "") else str(value)


# ---- the workflow --------------------------------------------------------------------------

def _lock(session: Session, province: str) -> None:
    """The write lock first (as workflows.faq_review._lock): a double click waits, then sees the first click's row."""
    session.execute(update(RegionProposal).where(RegionProposal.province == province)
                    .values(province=RegionProposal.province).execution_options(synchronize_session=False))


def propose(actor: str, found: Source, row: dict[str, Any], warnings_: list[str], remark: str = "",
            form_token: str = "") -> int:
    """Store the corrected row as `proposed`; an older proposal of the province still waiting is
    superseded. The same form sent twice (a double click) makes one proposal."""
    with session_scope() as s:
        _lock(s, found.province)
        if form_token:
            for earlier in s.scalars(select(RegionProposal).where(RegionProposal.proposed_by == actor,
                                                                 RegionProposal.province == found.province)):
                if earlier.data.get("form_token") == form_token:
                    return earlier.id
        s.execute(update(RegionProposal).where(RegionProposal.province == found.province,
                                               RegionProposal.status == "proposed").values(status="superseded"))
        extracted = found.proposal.row()
        extracted["revised"] = extracted["revised"].isoformat() if extracted["revised"] else ""
        item = RegionProposal(province=found.province, doc_id=found.doc.doc_id, status="proposed",
                              data={"row": row, "extracted": extracted, "notes": found.proposal.notes,
                                    "warnings": warnings_, "form_token": form_token},
                              note=remark.strip()[:MAX_NOTE], proposed_by=actor, proposed_at=utcnow(),
                              review_note="")
        s.add(item)
        s.flush()
        audit.record(s, actor, "leave_figures.propose", found.province, proposal=item.id, doc_id=found.doc.doc_id,
                     figures=_figures(row))
        return item.id


def _figures(row: dict[str, Any]) -> dict[str, Any]:
    """The row's figures for the audit log (short: no long texts)."""
    return {"maternity_extra_days": row.get("maternity_extra_days"),
            "maternity_extra_by_order": {str(k): v for k, v in (row.get("maternity_extra_by_order") or {}).items()},
            "paternity_days": row.get("paternity_days"), "article": row.get("article"),
            "parental_leave": bool(row.get("parental_leave")), "marriage_leave": bool(row.get("marriage_leave"))}


def _claim(session: Session, proposal_id: int, status: str, actor: str, note: str = "") -> bool:
    """Move a proposal out of `proposed` once: a second click, or a second reviewer at the same
    moment, finds it decided."""
    return bool(session.execute(update(RegionProposal).where(RegionProposal.id == proposal_id,
                                                             RegionProposal.status == "proposed")
                                .values(status=status, reviewed_by=actor, reviewed_at=utcnow(),
                                        review_note=note)).rowcount)


def _waiting(session: Session, proposal_id: int, action: str) -> RegionProposal:
    item = session.get(RegionProposal, proposal_id)
    if item is None:
        raise FiguresError("找不到这份提交。")
    if item.status != "proposed":
        raise FiguresError(f"这份提交{STATUS_LABELS.get(item.status, item.status)}，不能再{action}。")
    return item


def approve(actor: str, proposal_id: int) -> str:
    """Four eyes: anyone with the role but the proposer. Writes the overlay; returns the province."""
    root = overlay()
    with layout.locked(root):  # the overlay lock before the database, in the order of workflows.documents
        with session_scope() as s:
            item = _waiting(s, proposal_id, "批准")
            if item.proposed_by == actor:
                raise FiguresError("不能批准自己提交的天数：请另一位同事对照原文核对后批准。")
            doc = s.scalar(select(Document).where(Document.doc_id == item.doc_id))
            if doc is None or doc.status != "published":
                state = "已经停用" if doc is not None and doc.status == "retired" else "还没有发布"
                raise FiguresError(f"来源文件{state}：知识库里要有这份条例原文，天数才能作为依据。请先发布文件再批准。")
            if not _claim(s, proposal_id, "approved", actor):
                raise FiguresError("这份提交刚刚已被处理，请刷新页面。")
            audit.record(s, actor, "leave_figures.approve", item.province, proposal=item.id, doc_id=item.doc_id,
                         proposed_by=item.proposed_by, figures=_figures(item.data.get("row") or {}))
            province = item.province
        with session_scope() as s:
            layout.write_regions(root, live_rows(s))
    return province


def reject(actor: str, proposal_id: int, reason: str) -> str:
    """Send a proposal back with a reason (its proposer may withdraw it the same way)."""
    reason = " ".join((reason or "").split())[:MAX_NOTE]
    if not reason:
        raise FiguresError("请写明退回原因，方便提交人修改。")
    with session_scope() as s:
        item = _waiting(s, proposal_id, "退回")
        if not _claim(s, proposal_id, "rejected", actor, reason):
            raise FiguresError("这份提交刚刚已被处理，请刷新页面。")
        audit.record(s, actor, "leave_figures.reject", item.province, proposal=item.id, reason=reason)
        return item.province


def live_rows(session: Session) -> list[dict[str, Any]]:
    """The overlay's rows: for each province its latest approved proposal, verified, with provenance."""
    latest: dict[str, RegionProposal] = {}
    for item in session.scalars(select(RegionProposal).where(RegionProposal.status == "approved")
                                .order_by(RegionProposal.reviewed_at, RegionProposal.id)):
        latest[item.province] = item
    rows = []
    for province, item in sorted(latest.items()):
        row = dict(item.data.get("row") or {})
        row["maternity_extra_by_order"] = {int(k): v for k, v in (row.get("maternity_extra_by_order") or {}).items()}
        rows.append({**row, "province": province, "verified": True, "doc_id": item.doc_id, "proposal": item.id,
                     "proposed_by": item.proposed_by, "approved_by": item.reviewed_by,
                     "approved_on": item.reviewed_at.astimezone(local_tz()).date().isoformat()})
    return rows


def find(proposal_id: int) -> RegionProposal | None:
    with session_scope() as s:
        item = s.get(RegionProposal, proposal_id)
        if item is not None:
            s.expunge(item)
    return item


def recent(limit: int = 100, doc_id: str = "") -> list[RegionProposal]:
    """Proposals, waiting ones first, then newest first (detached: read-only for the pages)."""
    with session_scope() as s:
        query = select(RegionProposal).order_by((RegionProposal.status != "proposed"),
                                                RegionProposal.proposed_at.desc(), RegionProposal.id.desc())
        if doc_id:
            query = query.where(RegionProposal.doc_id == doc_id)
        rows = list(s.scalars(query.limit(limit)))
        s.expunge_all()
    return rows
