"""Documents (curators): upload a policy text with its metadata, look at its chunks before it goes
live, publish it, and retire a repealed document, uploaded or official.

The official texts (settings.import_dirs) have no row until one is retired; they are listed from
the live index, which is what the bot answers from. Publishing and retiring only change files under
the knowledge overlay (workflows.documents); console.publisher rebuilds the index from them.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from workflows import documents
from workflows.documents import DocumentError
from console import publisher
from console.auth import Staff, require
from console.templating import render
from knowledge.models import Entry, law_name
from settings import get_settings

router = APIRouter(prefix="/admin", include_in_schema=False)
Curator = Annotated[Staff, Depends(require("curator"))]


@dataclass(frozen=True)
class Official:
    """One official text as the live index holds it."""

    doc_id: str
    title: str
    kind: str
    region: str
    effective: date | None
    repealed: date | None
    chunks: list[Entry]


def official_documents() -> dict[str, Official]:
    """The law and policy texts in the live index that nobody uploaded here, by doc_id."""
    from knowledge.live import from_settings  # loads the index on first use

    uploaded = {d.doc_id for d in documents.all_documents() if d.source == "upload"}
    grouped: dict[str, list[Entry]] = {}
    for entry in from_settings().get().entries:
        if entry.kind in ("law", "policy") and entry.doc_id not in uploaded:
            grouped.setdefault(entry.doc_id, []).append(entry)
    return {doc_id: Official(doc_id, law_name(es[0]), es[0].kind, es[0].region, es[0].effective, es[0].repealed, es)
            for doc_id, es in sorted(grouped.items())}


def chunk_rows(entries: list[Entry]) -> list[dict]:
    """What a curator needs to judge a chunk: where it sits in the document, its text, region, dates."""
    return [{"label": " ".join(p for p in (e.extra.get("chapter", ""), e.article or e.extra.get("section_path", ""))
                               if p) or e.title,
             "text": e.text, "region": e.region, "effective": e.effective, "repealed": e.repealed} for e in entries]


def _back(path: str, *, msg: str = "", err: str = "") -> RedirectResponse:
    query = f"msg={quote(msg)}" if msg else f"err={quote(err)}"
    return RedirectResponse(f"{path}?{query}", 303)


def _rebuild(actor: str, reason: str) -> str:
    """Ask for an index build; the words say when the bot will know."""
    publisher.request_build(actor, reason)
    return "知识库正在后台重建，完成后机器人自动使用新内容（通常一两分钟）。"


def _list_page(request: Request, staff: Staff, status_code: int = 200, form: dict | None = None,
               error: str = "") -> Response:
    """The list with the upload form; after a refused upload, with her entries and the reason."""
    rows = documents.all_documents()
    retired_official = {d.doc_id: d for d in rows if d.source == "import"}
    return render(request, "documents.html", staff, status_code, uploads=[d for d in rows if d.source == "upload"],
                  official=official_documents(), retired_official=retired_official,
                  max_mb=f"{get_settings().CONSOLE_UPLOAD_MAX_MB:g}", build=publisher.status(),
                  form=form or {}, **({"error": error} if error else {}))


@router.get("/documents")
def document_list(request: Request, staff: Curator) -> Response:
    return _list_page(request, staff)


async def _read_limited(upload: UploadFile, limit: int) -> bytes:
    """At most `limit` bytes: a bigger file is refused without keeping it in memory."""
    data = await upload.read(limit + 1)
    if len(data) > limit:
        raise DocumentError(f"文件太大：最大 {limit // (1024 * 1024)} MB。请压缩图片或拆分文件后再上传。")
    return data


@router.post("/documents")
async def upload(request: Request, staff: Curator, file: Annotated[UploadFile | None, File()] = None,
                 title: Annotated[str, Form()] = "", issuer: Annotated[str, Form()] = "",
                 level: Annotated[str, Form()] = "", region: Annotated[str, Form()] = "",
                 effective: Annotated[str, Form()] = "", repealed: Annotated[str, Form()] = "") -> Response:
    """Stage an upload; on any refusal the form comes back with what she typed."""
    form = {"title": title, "issuer": issuer, "level": level, "region": region, "effective": effective,
            "repealed": repealed}
    try:
        if file is None or not file.filename:
            raise DocumentError("请选择要上传的文件。")
        meta = documents.clean_meta(form)
        name = documents.safe_filename(file.filename)
        data = await _read_limited(file, documents.max_upload_bytes())
        doc_id = await run_in_threadpool(documents.stage, name, data, meta, staff.username)
    except DocumentError as exc:
        return await run_in_threadpool(_list_page, request, staff, 400, error=str(exc), form=form)
    return _back(f"/admin/documents/{doc_id}", msg="已上传。请检查下面的切分结果，确认无误后发布。")


@router.get("/documents/{doc_id}")
def document_page(request: Request, staff: Curator, doc_id: str) -> Response:
    doc = documents.find(doc_id)
    if doc is not None and doc.source == "upload":
        meta, entries, problem = documents.chunks(doc)
        return render(request, "documents_detail.html", staff, doc=doc, meta=meta, chunks=chunk_rows(entries),
                      problem=problem, official=None, heading=meta.title if meta else doc.title)
    official = official_documents().get(doc_id)
    if official is None and doc is None:
        return render(request, "error.html", staff, 404, heading="找不到这份文件",
                      detail="它可能已被停用并从知识库中移除。")
    return render(request, "documents_detail.html", staff, doc=doc, meta=None, problem="", official=official,
                  heading=official.title if official else doc.title,
                  chunks=chunk_rows(official.chunks if official else []))


def _title(doc_id: str) -> str:
    """What names an upload for staff: its title, not its id."""
    doc = documents.find(doc_id)
    return doc.title if doc is not None and doc.title else doc_id


@router.post("/documents/{doc_id}/publish")
def publish(staff: Curator, doc_id: str) -> Response:
    try:
        count = documents.publish(doc_id, staff.username)
    except DocumentError as exc:
        return _back(f"/admin/documents/{doc_id}", err=str(exc))
    return _back(f"/admin/documents/{doc_id}", msg=f"已发布（{count} 段）。" + _rebuild(staff.username,
                                                                                    f"发布文件「{_title(doc_id)}」"))


@router.post("/documents/{doc_id}/retire")
def retire(staff: Curator, doc_id: str, reason: Annotated[str, Form()] = "") -> Response:
    official = official_documents().get(doc_id)
    title = official.title if official else _title(doc_id)  # before: retiring a staged upload deletes it
    try:
        rebuild = documents.retire(doc_id, reason, staff.username, official.title if official else "")
    except DocumentError as exc:
        return _back(f"/admin/documents/{doc_id}", err=str(exc))
    note = _rebuild(staff.username, f"停用文件「{title}」") if rebuild else ""
    return _back("/admin/documents", msg=f"已停用「{title}」。" + note)
