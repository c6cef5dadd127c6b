"""Documents curators add to or take out of the knowledge base, on disk and in the Document table.

The index build reads files, not this table, so every state lives on disk under the knowledge
overlay (settings.overlay_dir) as the build expects it:

    staging/<doc_id>/<file> + <stem>.meta.yml    uploaded, waiting for a look at its chunks
    documents/<doc_id>/<file> + <stem>.meta.yml  published: the next build imports it
    retired.yml                                  doc_id -> {date, reason, by}: the build leaves it out

The sidecar holds only what the curator typed (knowledge.ingest.load_sidecar_overrides keys) plus
the doc_id, so the rest is still inferred from the text. The table keeps who did what and when,
for the console's lists; every change is audited in the same transaction. Files are written to a
temporary name and renamed, so a build never reads half a file. knowledge.overlay owns the layout
the build reads; this module only adds the staging folder.
"""
from __future__ import annotations

import hashlib
import os
import re
import secrets
import shutil
import unicodedata
from datetime import date
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from appdb import audit
from appdb.models import Document, local_tz, utcnow
from appdb.session import session_scope
from knowledge import overlay as layout
from knowledge.ingest import SIDECAR_SUFFIX, SUPPORTED_SUFFIXES, IngestError, import_file
from knowledge.models import DocumentMeta, Entry
from knowledge.store import write_atomic
from knowledge.places import canonical_province
from settings import get_settings

STAGING = "staging"  # beside knowledge.overlay's folders, which the build reads; this one it does not
META_FIELDS = ("title", "issuer", "level", "region", "effective", "repealed")
NATIONAL_WORDS = ("", "全国", "national")
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')
# Invisible characters: controls, format characters (the right-to-left override U+202E that shows
# "报告\u202Excod.exe" as "报告exe.docx", other bidi controls, zero-width spaces, BOM), surrogates,
# private-use and unassigned code points, line and paragraph separators.
_INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
MAX_NAME = 100


class DocumentError(ValueError):
    """A refusal phrased for the curator (shown as the page's error message)."""


def overlay() -> Path:
    return get_settings().overlay_dir


def safe_filename(name: str) -> str:
    """The uploaded name without folders, invisible characters or characters a file system refuses,
    and with a supported type: it becomes a path on our disk, so nothing of it is trusted."""
    base = unicodedata.normalize("NFC", re.split(r"[\\/]", name or "")[-1])
    base = "".join(c for c in base if unicodedata.category(c) not in _INVISIBLE)
    base = _UNSAFE.sub("_", base).strip(" ._")
    stem, dot, suffix = base.rpartition(".")
    suffix = f".{suffix.lower()}" if dot else ""
    if suffix not in SUPPORTED_SUFFIXES:
        kinds = "、".join(s.lstrip(".") for s in SUPPORTED_SUFFIXES)
        raise DocumentError(f"不支持这种文件（{suffix or '没有扩展名'}）。可以上传：{kinds}。")
    stem = stem.strip(" ._")[:MAX_NAME] or "document"
    return stem + suffix


def _parse_date(value: str, label: str) -> str:
    if not value:
        return ""
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise DocumentError(f"{label}「{value[:20]}」不是有效日期，请写成 2024-03-01 这样。") from None


def clean_meta(form: dict[str, str]) -> dict[str, str]:
    """The metadata form, checked: dates are real dates in order, the region is a province or 全国.
    Empty fields are left out, so the import still infers them from the text."""
    meta = {key: " ".join(str(form.get(key) or "").split())[:300] for key in META_FIELDS}
    meta["effective"] = _parse_date(meta["effective"], "施行日期")
    meta["repealed"] = _parse_date(meta["repealed"], "废止日期")
    if meta["effective"] and meta["repealed"] and meta["repealed"] <= meta["effective"]:
        raise DocumentError("废止日期应当晚于施行日期。")
    if meta["region"].lower() in NATIONAL_WORDS:
        meta["region"] = "全国" if meta["region"] else ""
    elif canonical_province(meta["region"]) is None:
        raise DocumentError(f"地区「{meta['region'][:20]}」不是省级地区。请写省份（如 广东）或 全国。")
    else:
        meta["region"] = canonical_province(meta["region"]) or ""
    return {key: value for key, value in meta.items() if value}


def _sidecar(path: Path) -> Path:
    return path.with_name(path.stem + SIDECAR_SUFFIX)


def _new_doc_id() -> str:
    """Unique and safe as a folder name; readable enough in entry ids (law:up-20261124-3fa2c1:第七条)."""
    return f"up-{utcnow().astimezone(local_tz()):%Y%m%d}-{secrets.token_hex(3)}"


def max_upload_bytes() -> int:
    return int(get_settings().CONSOLE_UPLOAD_MAX_MB * 1024 * 1024)


def file_path(doc: Document) -> Path | None:
    """Where an uploaded document's file is now: published, still staged, or gone (None)."""
    for folder in (layout.documents_dir(overlay()), overlay() / STAGING):
        path = folder / doc.doc_id / doc.filename
        if path.is_file():
            return path
    return None


def stage(filename: str, data: bytes, meta: dict[str, str], actor: str) -> str:
    """Keep an upload in the staging folder with its sidecar; returns its doc_id. The same file
    twice (a double click, or a second curator) is refused while the first is not retired."""
    name = safe_filename(filename)
    if not data:
        raise DocumentError("文件是空的（0 字节），请检查后重新选择。")
    digest = hashlib.sha256(data).hexdigest()
    with layout.locked(overlay()), session_scope() as s:  # a double click waits, then finds the first
        for other in s.scalars(select(Document).where(Document.status != "retired", Document.source == "upload")):
            if other.meta.get("sha256") == digest:
                raise DocumentError(f"这个文件已经上传过：「{other.title}」。")
        doc_id = _new_doc_id()
        path = overlay() / STAGING / doc_id / name
        write_atomic(path, data)
        layout.write_yaml(_sidecar(path), {**meta, "doc_id": doc_id})
        s.add(Document(doc_id=doc_id, title=meta.get("title") or name, source="upload", filename=name,
                       meta={**meta, "sha256": digest, "bytes": len(data)}, status="uploaded", uploaded_by=actor))
        audit.record(s, actor, "document.upload", doc_id, filename=name, bytes=len(data))
    return doc_id


def chunks(doc: Document) -> tuple[DocumentMeta | None, list[Entry], str]:
    """What the build will make of an uploaded file: (metadata, chunks, "") or (None, [], why not)."""
    path = file_path(doc)
    if path is None:
        return None, [], "文件已不在服务器上（可能已停用并删除）。"
    try:
        meta, entries = import_file(path, max_upload_bytes())
    except IngestError as exc:
        return None, [], str(exc)
    return meta, entries, ""


def publish(doc_id: str, actor: str) -> int:
    """Move a staged upload where the build finds it; returns its chunk count. Only once: a
    second click finds it no longer staged."""
    with session_scope() as s:
        doc = s.scalar(select(Document).where(Document.doc_id == doc_id))
        if doc is None:
            raise DocumentError("找不到这份文件。")
        meta, entries, error = chunks(doc)
        if error:
            raise DocumentError(f"不能发布：{error}")
        claimed = s.execute(update(Document).where(Document.doc_id == doc_id, Document.status == "uploaded").values(
            status="published", published_by=actor, published_at=utcnow(), chunks=len(entries),
            title=meta.title[:300])).rowcount
        if not claimed:
            raise DocumentError("这份文件已经发布或停用，无需再次发布。")
        target = layout.documents_dir(overlay()) / doc_id
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(overlay() / STAGING / doc_id, target)
        audit.record(s, actor, "document.publish", doc_id, chunks=len(entries), title=meta.title)
    return len(entries)


def _add_retired(doc_id: str, reason: str, actor: str) -> None:
    with layout.locked(overlay()):  # retired.yml is read, changed and rewritten
        data = layout.retired(overlay())
        data[doc_id] = {"date": utcnow().astimezone(local_tz()).date().isoformat(), "reason": reason, "by": actor}
        layout.write_yaml(overlay() / layout.RETIRED, data)


def retire(doc_id: str, reason: str, actor: str, official_title: str = "") -> bool:
    """Take a document out of the knowledge base; True if the index must be rebuilt.

    `official_title` is given for one of the official texts (it has no row until it is retired).
    A staged upload was never in the index: its files are simply deleted.
    """
    reason = " ".join(reason.split())[:500]
    if not reason:
        raise DocumentError("请写明停用原因（例如：已被新法规替代、已废止）。")
    try:  # the overlay lock before the database, in the same order as stage(), so neither waits on the other
        with layout.locked(overlay()), session_scope() as s:
            doc = s.scalar(select(Document).where(Document.doc_id == doc_id))
            if doc is None and not official_title:
                raise DocumentError("找不到这份文件。")
            if doc is None:
                doc = Document(doc_id=doc_id, title=official_title[:300], source="import", status="published",
                               uploaded_by="")
                s.add(doc)
                s.flush()  # a second retirement of the same text fails here, on the unique doc_id
            was_live = doc.status == "published"
            claimed = s.execute(update(Document).where(Document.doc_id == doc_id, Document.status != "retired").values(
                status="retired", retired_by=actor, retired_at=utcnow(), retired_reason=reason)).rowcount
            if not claimed:
                raise DocumentError("这份文件已经停用。")
            if was_live:
                _add_retired(doc_id, reason, actor)
            else:
                shutil.rmtree(overlay() / STAGING / doc_id, ignore_errors=True)
            audit.record(s, actor, "document.retire", doc_id, reason=reason, source=doc.source)
    except IntegrityError:
        raise DocumentError("这份文件已经停用。") from None
    return was_live


def all_documents() -> list[Document]:
    """Every row, newest first (detached: read-only for the pages)."""
    with session_scope() as s:
        rows = list(s.scalars(select(Document).order_by(Document.uploaded_at.desc(), Document.id.desc())))
        s.expunge_all()
    return rows


def find(doc_id: str) -> Document | None:
    with session_scope() as s:
        doc = s.scalar(select(Document).where(Document.doc_id == doc_id))
        if doc is not None:
            s.expunge(doc)
    return doc
