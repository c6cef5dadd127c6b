"""Document import: turn law texts and policy documents into retrievable `Entry` records.

The retrieval layer answers from, and cites, single articles of laws and single sections of
policy documents.  Importing a file reads it (`knowledge.readers`: md/txt/docx/pdf/html, any
encoding), works out what the document is (`knowledge.metadata`: title, level, region, dates,
sidecars) and cuts it into those units (`knowledge.law_chunks` by 条 with 款,
`knowledge.policy_chunks` by section).  This module is the import of files and folders.

Import never trusts its input: a file that cannot be used is reported with a reason a content
editor can act on (`IngestError`), and a folder import carries on with the other files.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from knowledge.headings import body_lines, nonempty_lines
from knowledge.law_chunks import chunk_law, find_articles
from knowledge.metadata import FOLDER_METADATA, SIDECAR_SUFFIX, infer_meta, infer_title, load_sidecar_overrides
from knowledge.models import DocumentMeta, Entry
from knowledge.policy_chunks import chunk_policy
from knowledge.readers import DEFAULT_MAX_BYTES, SUPPORTED_SUFFIXES, IngestError, read_text

__all__ = [
    "SIDECAR_SUFFIX",
    "SUPPORTED_SUFFIXES",
    "ImportReport",
    "IngestError",
    "chunk_document",
    "import_file",
    "import_folder",
    "import_paths",
]


def chunk_document(meta: DocumentMeta, text: str) -> list[Entry]:
    """Cut a document into retrievable entries: one per article for laws, per section otherwise.

    Laws are cited by article, so an article is never split or merged.  Policy documents have
    no such unit, so their sections are sized for retrieval instead.
    """
    lines = body_lines(text)
    if find_articles(lines):
        _, subtitle = infer_title(nonempty_lines(text), Path(meta.path or meta.title))
        return chunk_law(meta, lines, subtitle)
    return chunk_policy(meta, lines)


@dataclass
class ImportReport:
    """What an import produced and, for every file it could not use, why."""

    documents: list[tuple[DocumentMeta, list[Entry]]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)

    def entries(self) -> list[Entry]:
        """All entries of all imported documents, in import order."""
        return [entry for _, entries in self.documents for entry in entries]

    def add(self, path: Path, max_bytes: int) -> None:
        """Import one file into this report; failures become a `skipped` row, never an exception."""
        try:
            meta, entries = import_file(path, max_bytes)
        except IngestError as exc:
            self.skipped.append((str(path), str(exc)))
            return
        except Exception as exc:  # a bug or an exotic file must not stop the whole import
            self.skipped.append((str(path), f"导入时出现意外错误：{type(exc).__name__}: {exc}"))
            return
        for other, _ in self.documents:
            if other.doc_id == meta.doc_id:
                self.skipped.append(
                    (str(path), f"与已导入的 {other.path} 文档编号重复（{meta.doc_id}），请检查是否重复文件")
                )
                return
        self.documents.append((meta, entries))


def import_file(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[DocumentMeta, list[Entry]]:
    """Read, describe and chunk one file; raises `IngestError` with the reason it is unusable."""
    path = Path(path)
    if path.name == FOLDER_METADATA or path.name.endswith(SIDECAR_SUFFIX):
        raise IngestError("这是元数据文件，不是文档")
    text = read_text(path, max_bytes)
    meta = infer_meta(path, text, load_sidecar_overrides(path))
    entries = chunk_document(meta, text)
    if not entries:
        raise IngestError("没有切分出可检索的条文或段落")
    return meta, entries


def import_folder(folder: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> ImportReport:
    """Import every document under a folder (recursively, in sorted order)."""
    report = ImportReport()
    _import_folder_into(report, Path(folder), max_bytes)
    return report


def import_paths(paths: Iterable[Path | str], max_bytes: int = DEFAULT_MAX_BYTES) -> ImportReport:
    """Import a mix of files and folders, e.g. from a command line."""
    report = ImportReport()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            _import_folder_into(report, path, max_bytes)
        elif path.is_file():
            report.add(path, max_bytes)
        else:
            report.skipped.append((str(path), "文件或文件夹不存在"))
    return report


def _import_folder_into(report: ImportReport, folder: Path, max_bytes: int) -> None:
    if not folder.is_dir():
        report.skipped.append((str(folder), "文件夹不存在"))
        return
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or _is_ignored(path.relative_to(folder)):
            continue
        report.add(path, max_bytes)


def _is_ignored(relative: Path) -> bool:
    """Sidecar metadata, hidden files/folders and Office lock files (~$x.docx) are not documents."""
    name = relative.name
    if name == FOLDER_METADATA or name.endswith(SIDECAR_SUFFIX):
        return True
    return any(part.startswith((".", "~$")) for part in relative.parts)
