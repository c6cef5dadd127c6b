"""Tests for knowledge.ingest: importing files and folders (reading, describing and chunking each file)."""
import os
from pathlib import Path

from ingest_samples import LAW_TEXT, needs_corpus

from knowledge.ingest import import_folder, import_paths


@needs_corpus
def test_corpus_imports_all_documents_without_skips(corpus_report):
    assert corpus_report.skipped == []
    assert len(corpus_report.documents) == 21
    ids = [meta.doc_id for meta, _ in corpus_report.documents]
    assert len(set(ids)) == len(ids)
    entry_ids = [entry.id for entry in corpus_report.entries()]
    assert len(set(entry_ids)) == len(entry_ids)


def test_folder_with_one_good_and_two_bad_files(tmp_path):
    (tmp_path / "good.md").write_text(LAW_TEXT, encoding="utf-8")
    (tmp_path / "empty.md").write_bytes(b"")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "blob.txt").write_bytes(os.urandom(4096).replace(b"\x00", b"\x01") + b"\x00")
    (tmp_path / ".hidden.md").write_text(LAW_TEXT, encoding="utf-8")
    (tmp_path / "good.meta.yml").write_text("level: 地方性法规\n", encoding="utf-8")
    report = import_folder(tmp_path)
    assert len(report.documents) == 1
    assert sorted(Path(p).name for p, _ in report.skipped) == ["blob.txt", "empty.md"]
    assert all(reason for _, reason in report.skipped)


def test_duplicate_document_is_skipped(tmp_path):
    (tmp_path / "a.md").write_text(LAW_TEXT, encoding="utf-8")
    (tmp_path / "b.txt").write_text(LAW_TEXT, encoding="utf-8")
    report = import_folder(tmp_path)
    assert len(report.documents) == 1
    assert "重复" in report.skipped[0][1]


def test_import_paths_reports_missing_paths(tmp_path):
    (tmp_path / "a.md").write_text(LAW_TEXT, encoding="utf-8")
    report = import_paths([tmp_path / "a.md", tmp_path / "missing.md"])
    assert len(report.documents) == 1
    assert report.skipped == [(str(tmp_path / "missing.md"), "文件或文件夹不存在")]
