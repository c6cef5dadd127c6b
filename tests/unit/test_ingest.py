"""Tests for knowledge.ingest: reading formats, metadata inference, chunking, folder import."""
from __future__ import annotations

import os
import random
import re
from datetime import date
from pathlib import Path

import pytest

from knowledge.ingest import (
    MAX_CHUNK_CHARS,
    IngestError,
    chunk_document,
    cn_to_int,
    import_folder,
    import_paths,
    infer_meta,
    read_text,
    short_title,
)
from knowledge.models import NATIONAL

CORPUS = Path("/work/shared/corpus/laws")
SEED = Path("/work/shared/seeds/全总关于加强新时代工会女职工工作的意见(2022).txt")

needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="shared law corpus not available")
needs_seed = pytest.mark.skipif(not SEED.is_file(), reason="seed policy document not available")

LAW_TEXT = """# 测试省女职工保护条例

2020年1月2日 测试通过

<!-- INFO END -->

## 第一章 总则

第一条 为了保护女职工，制定本条例。

第二条 女职工享受产假。

产假期间工资照发。
"""


@pytest.fixture(scope="module")
def corpus_report():
    return import_folder(CORPUS)


def _doc(report, doc_id):
    for meta, entries in report.documents:
        if meta.doc_id == doc_id:
            return meta, entries
    raise AssertionError(f"{doc_id} not imported; have {[m.doc_id for m, _ in report.documents]}")


# ---------------------------------------------------------------- real corpus


@needs_corpus
def test_corpus_imports_all_documents_without_skips(corpus_report):
    assert corpus_report.skipped == []
    assert len(corpus_report.documents) == 21
    ids = [meta.doc_id for meta, _ in corpus_report.documents]
    assert len(set(ids)) == len(ids)
    entry_ids = [entry.id for entry in corpus_report.entries()]
    assert len(set(entry_ids)) == len(entry_ids)


@needs_corpus
def test_maternity_leave_article_has_two_paragraphs(corpus_report):
    meta, entries = _doc(corpus_report, "女职工劳动保护特别规定")
    assert meta.level == "行政法规"
    assert meta.issuer == "国务院"
    article = next(e for e in entries if e.article == "第七条")
    assert article.id == "law:女职工劳动保护特别规定:第七条"
    assert article.kind == "law"
    assert article.title == "女职工劳动保护特别规定 第七条"
    assert len(article.paragraphs) == 2
    assert "98天" in article.text
    assert not article.paragraphs[0].startswith("第七条")


@needs_corpus
def test_appendix_of_special_provisions_is_kept(corpus_report):
    _, entries = _doc(corpus_report, "女职工劳动保护特别规定")
    appendix = [e for e in entries if e.article.startswith("附录")]
    assert appendix, "the list of prohibited work must be retrievable"
    assert all(e.id.startswith("law:女职工劳动保护特别规定:附录") for e in appendix)
    pregnancy = [e for e in appendix if "孕期" in e.title]
    assert len(pregnancy) == 1 and "高处作业" in pregnancy[0].text
    # the last article must not swallow the appendix
    last = next(e for e in entries if e.article == "第十六条")
    assert "禁忌" not in last.text


@needs_corpus
def test_labour_contract_law_has_98_articles(corpus_report):
    raw = (CORPUS / "劳动合同法.md").read_text(encoding="utf-8")
    in_file = len(re.findall(r"^第[一二三四五六七八九十百零]+条 ", raw, flags=re.M))
    assert in_file == 98
    meta, entries = _doc(corpus_report, "中华人民共和国劳动合同法")
    assert meta.level == "法律"
    assert meta.issuer == "全国人民代表大会常务委员会"
    assert meta.effective == date(2012, 12, 28)
    articles = [e for e in entries if e.kind == "law"]
    assert len(articles) == 98
    assert articles[-1].article == "第九十八条"
    dispatch = next(e for e in articles if e.article == "第五十七条")
    assert dispatch.extra["chapter"] == "第五章 特别规定"
    assert dispatch.extra["section"] == "第二节 劳务派遣"


@needs_corpus
def test_enumerated_items_stay_inside_their_paragraph(corpus_report):
    _, entries = _doc(corpus_report, "中华人民共和国劳动争议调解仲裁法")
    article = next(e for e in entries if e.article == "第二条")
    assert len(article.paragraphs) == 1
    assert "（六）法律、法规规定的其他劳动争议。" in article.paragraphs[0]


@needs_corpus
def test_guangdong_region_and_latest_revision_date(corpus_report):
    meta, entries = _doc(corpus_report, "广东省人口与计划生育条例")
    assert meta.region == "广东"
    assert meta.level == "地方性法规"
    assert meta.issuer == "广东省人民代表大会常务委员会"
    assert meta.effective == date(2021, 12, 1)
    assert all(e.region == "广东" and e.effective == date(2021, 12, 1) for e in entries)


@needs_corpus
def test_levels_regions_and_issuers_of_corpus(corpus_report):
    expected = {
        "上海市妇女权益保障条例": ("地方性法规", "上海", date(2024, 9, 27)),
        "浙江省人口与计划生育条例": ("地方性法规", "浙江", date(2021, 11, 25)),
        "工伤保险条例": ("行政法规", NATIONAL, date(2003, 4, 27)),
        "职工带薪年休假条例": ("行政法规", NATIONAL, date(2008, 1, 1)),
        "劳动保障监察条例": ("行政法规", NATIONAL, date(2004, 12, 1)),
        "企业职工带薪年休假实施办法": ("部门规章", NATIONAL, date(2008, 7, 17)),
        "最高人民法院关于审理劳动争议案件适用法律问题的解释一": ("司法解释", NATIONAL, date(2021, 1, 1)),
        "中华人民共和国妇女权益保障法": ("法律", NATIONAL, date(2022, 10, 30)),
    }
    for doc_id, (level, region, effective) in expected.items():
        meta, _ = _doc(corpus_report, doc_id)
        assert (meta.level, meta.region, meta.effective) == (level, region, effective), doc_id


@needs_corpus
def test_civil_code_part_keeps_code_title_for_citation(corpus_report):
    meta, entries = _doc(corpus_report, "中华人民共和国民法典人格权编")
    assert meta.title == "中华人民共和国民法典"
    assert entries[0].article == "第九百八十九条"
    assert entries[0].extra["part"] == "人格权编"


# ---------------------------------------------------------------- policy documents


@needs_seed
def test_seed_policy_chunks_by_section():
    text = read_text(SEED)
    meta = infer_meta(SEED, text, None)
    assert meta.title == "中华全国总工会关于加强新时代工会女职工工作的意见"
    assert meta.level == "政策文件"
    assert meta.issuer == "中华全国总工会"
    assert meta.effective == date(2022, 4, 25)
    entries = chunk_document(meta, text)
    assert entries and all(e.kind == "policy" for e in entries)
    assert [e.id for e in entries] == [f"policy:{meta.doc_id}:{n}" for n in range(1, len(entries) + 1)]
    section = next(e for e in entries if e.article == "三（八）")
    assert section.title.startswith(meta.title + " 三、")
    assert "（八）" in section.title
    assert any("五一巾帼奖" in e.text for e in entries)
    assert all(len(e.text) <= MAX_CHUNK_CHARS * 1.2 for e in entries)
    assert not any("抄送" in e.text or "印发" in e.text for e in entries)


def test_policy_small_sections_merge_and_large_ones_split(tmp_path):
    long_body = "各级工会应当依法维护女职工的合法权益并加强监督检查。" * 40
    text = "\n".join([
        "# 某某关于做好女职工工作的通知",
        "一、总体要求",
        "（一）很短。",
        "（二）第二节内容。" + "女职工工作要落实到基层。" * 10,
        "二、主要任务",
        "（三）长段落。" + long_body,
    ])
    meta = infer_meta(tmp_path / "x.txt", text, None)
    entries = chunk_document(meta, text)
    assert "很短" in entries[0].text and entries[0].article == "一（二）"
    long_parts = [e for e in entries if e.article == "二（三）"]
    assert len(long_parts) >= 2
    assert all(part.text.endswith("。") for part in long_parts)
    assert all(80 <= len(part.text) <= MAX_CHUNK_CHARS for part in long_parts)


# ---------------------------------------------------------------- encodings and formats


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


# ---------------------------------------------------------------- folders and sidecars


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


def test_sidecar_overrides_metadata(tmp_path):
    (tmp_path / "rule.md").write_text(LAW_TEXT, encoding="utf-8")
    (tmp_path / "rule.meta.yml").write_text(
        "level: 政策文件\nregion: 上海市\nrepealed: 2023-06-30\neffective: '2019-05-01'\n",
        encoding="utf-8",
    )
    report = import_folder(tmp_path)
    meta, entries = report.documents[0]
    assert (meta.level, meta.region) == ("政策文件", "上海")
    assert meta.repealed == date(2023, 6, 30) and meta.effective == date(2019, 5, 1)
    assert not meta.in_force(date(2024, 1, 1))
    assert all(e.repealed == date(2023, 6, 30) and e.region == "上海" for e in entries)


def test_folder_metadata_mapping_and_file_sidecar_precedence(tmp_path):
    (tmp_path / "a.md").write_text(LAW_TEXT, encoding="utf-8")
    (tmp_path / "b.md").write_text(LAW_TEXT.replace("测试省", "另一省"), encoding="utf-8")
    (tmp_path / "metadata.yml").write_text(
        "a.md:\n  issuer: 测试省人大常委会\n  region: 浙江\nb.md:\n  title: 另一个标题\n",
        encoding="utf-8",
    )
    (tmp_path / "a.meta.yml").write_text("region: 江苏\n", encoding="utf-8")
    report = import_folder(tmp_path)
    metas = {Path(meta.path).name: meta for meta, _ in report.documents}
    assert metas["a.md"].issuer == "测试省人大常委会" and metas["a.md"].region == "江苏"
    assert metas["b.md"].title == "另一个标题" and metas["b.md"].doc_id == "另一个标题"


def test_unknown_sidecar_key_is_reported(tmp_path):
    (tmp_path / "rule.md").write_text(LAW_TEXT, encoding="utf-8")
    (tmp_path / "rule.meta.yml").write_text("levle: 法律\n", encoding="utf-8")
    report = import_folder(tmp_path)
    assert report.documents == [] and "levle" in report.skipped[0][1]


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


# ---------------------------------------------------------------- helpers


@pytest.mark.parametrize(
    "numeral, value",
    [("一", 1), ("十", 10), ("十五", 15), ("九十八", 98), ("一百零七", 107), ("一千零三十九", 1039), ("42", 42)],
)
def test_chinese_numerals(numeral, value):
    assert cn_to_int(numeral) == value


def test_title_falls_back_to_file_name(tmp_path):
    text = "这是一段没有标题的说明文字，介绍女职工的权利和用人单位的义务。"
    meta = infer_meta(tmp_path / "说明（草稿）.txt", text, None)
    assert meta.title == "说明（草稿）"
    assert meta.doc_id == "说明草稿"


@pytest.mark.parametrize(
    "title, short",
    [
        ("中华人民共和国劳动合同法", "劳动合同法"),
        ("中华全国总工会关于加强新时代工会女职工工作的意见", "全总关于加强新时代工会女职工工作的意见"),
        ("女职工劳动保护特别规定", "女职工劳动保护特别规定"),
    ],
)
def test_short_title_matches_faq_citations(title, short):
    assert short_title(title) == short


@needs_corpus
def test_entries_carry_short_title_for_citation_matching(corpus_report):
    _, entries = _doc(corpus_report, "中华人民共和国劳动合同法")
    assert {e.extra["short_title"] for e in entries} == {"劳动合同法"}
