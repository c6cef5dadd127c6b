"""Tests for knowledge.readers: reading formats and encodings."""
import random
from datetime import date
from pathlib import Path

import pytest
from ingest_samples import LAW_TEXT

from knowledge.ingest import chunk_document, import_folder, import_paths
from knowledge.metadata import infer_meta
from knowledge.models import NATIONAL
from knowledge.readers import IngestError, read_text


def test_gbk_text_file(tmp_path):
    path = tmp_path / "gbk.txt"
    path.write_bytes(LAW_TEXT.encode("gbk"))
    report = import_folder(tmp_path)
    assert report.skipped == []
    meta, entries = report.documents[0]
    assert meta.title == "测试省女职工保护条例"
    assert [e.article for e in entries] == ["第一条", "第二条"]
    assert entries[1].paragraphs == ("女职工享受产假。", "产假期间工资照发。")


def test_utf8_bom_file(tmp_path):
    path = tmp_path / "bom.md"
    path.write_bytes(b"\xef\xbb\xbf" + LAW_TEXT.encode("utf-8"))
    text = read_text(path)
    assert not text.startswith("\ufeff")
    meta = infer_meta(path, text, None)
    assert meta.title == "测试省女职工保护条例"
    assert meta.effective == date(2020, 1, 2)


def test_empty_file_is_skipped_with_reason(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    report = import_folder(tmp_path)
    assert report.documents == []
    assert len(report.skipped) == 1 and "空" in report.skipped[0][1]


def test_random_binary_is_skipped(tmp_path):
    rng = random.Random(42)
    (tmp_path / "noise.txt").write_bytes(bytes(rng.randrange(256) for _ in range(8192)))
    report = import_folder(tmp_path)
    assert report.documents == []
    assert len(report.skipped) == 1
    assert "二进制" in report.skipped[0][1] or "编码" in report.skipped[0][1]


def test_huge_file_is_skipped_by_size_without_reading(tmp_path, monkeypatch):
    path = tmp_path / "huge.txt"
    with path.open("wb") as fh:
        fh.truncate(50 * 1024 * 1024)  # sparse: no 50 MB actually written

    def refuse_open(self, *args, **kwargs):
        raise AssertionError(f"{self} must not be opened")

    monkeypatch.setattr(Path, "open", refuse_open)
    with pytest.raises(IngestError, match="过大"):
        read_text(path)
    report = import_paths([path])
    assert report.documents == [] and "过大" in report.skipped[0][1]


def test_docx_document(tmp_path):
    import docx

    document = docx.Document()
    document.add_heading("上海市女职工权益保障条例", level=1)
    document.add_paragraph("第一条 为了保障女职工权益，制定本条例。")
    document.add_paragraph("第二条 用人单位不得因怀孕降低工资。")
    document.add_paragraph("违反前款规定的，依法处理。")
    path = tmp_path / "law.docx"
    document.save(str(path))
    report = import_folder(tmp_path)
    assert report.skipped == []
    meta, entries = report.documents[0]
    assert meta.title == "上海市女职工权益保障条例"
    assert (meta.level, meta.region) == ("地方性法规", "上海")
    assert entries[1].paragraphs == ("用人单位不得因怀孕降低工资。", "违反前款规定的，依法处理。")


def _minimal_pdf(text: str) -> bytes:
    """A one-page PDF with a Helvetica text object, with a correct xref table."""
    stream = f"BT /F1 24 Tf 72 720 Td ({text}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def test_pdf_document(tmp_path):
    path = tmp_path / "test.pdf"
    path.write_bytes(_minimal_pdf("Article 1 test"))
    assert "Article 1 test" in read_text(path)
    report = import_folder(tmp_path)
    assert report.skipped == []
    meta, entries = report.documents[0]
    assert meta.level == "政策文件" and meta.region == NATIONAL
    assert "Article 1 test" in entries[0].text


def test_html_drops_scripts_and_keeps_paragraphs(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(
        "<html><head><title>网站 - 标题</title><style>p{color:red}</style></head><body>"
        "<script>var secret = 'alert(1)';</script>"
        "<h1>测试省女职工条例</h1>"
        "<p>第一条 为了保护<b>女职工</b>，制定本条例。</p>"
        "<p>第二条 女职工享受产假。<br>产假期间工资照发。</p>"
        "</body></html>",
        encoding="utf-8",
    )
    text = read_text(path)
    assert "secret" not in text and "color" not in text
    assert "第一条 为了保护女职工，制定本条例。" in text.split("\n")
    meta = infer_meta(path, text, None)
    assert meta.title == "测试省女职工条例"
    entries = chunk_document(meta, text)
    assert entries[1].paragraphs == ("女职工享受产假。", "产假期间工资照发。")


def test_gbk_html_page_title_without_site_name(tmp_path):
    path = tmp_path / "page.htm"
    path.write_bytes(
        '<html><head><meta charset="gb2312"><title>女职工劳动保护特别规定_中国政府网</title></head>'
        "<body><p>第一条 为了保护女职工健康，制定本规定。</p></body></html>".encode("gbk")
    )
    text = read_text(path)
    assert infer_meta(path, text, None).title == "女职工劳动保护特别规定"
    assert "第一条 为了保护女职工健康，制定本规定。" in text


def test_unsupported_extension_is_skipped(tmp_path):
    (tmp_path / "slides.pptx").write_bytes(b"PK\x03\x04 not really")
    report = import_folder(tmp_path)
    assert report.documents == []
    assert "不支持" in report.skipped[0][1]


def test_broken_docx_is_skipped_with_reason(tmp_path):
    (tmp_path / "broken.docx").write_bytes(b"this is not a zip file")
    report = import_folder(tmp_path)
    assert report.documents == [] and "docx" in report.skipped[0][1]
    assert str(tmp_path) not in report.skipped[0][1]  # shown in the console: no server folders
