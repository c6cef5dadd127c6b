"""Tests for knowledge.metadata: title, level, region, dates and sidecar metadata."""
from datetime import date
from pathlib import Path

from ingest_samples import LAW_TEXT, corpus_doc, needs_corpus

from knowledge.ingest import import_folder
from knowledge.metadata import infer_meta
from knowledge.models import NATIONAL


@needs_corpus
def test_guangdong_region_and_latest_revision_date(corpus_report):
    meta, entries = corpus_doc(corpus_report, "广东省人口与计划生育条例")
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
        meta, _ = corpus_doc(corpus_report, doc_id)
        assert (meta.level, meta.region, meta.effective) == (level, region, effective), doc_id


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


def test_title_falls_back_to_file_name(tmp_path):
    text = "这是一段没有标题的说明文字，介绍女职工的权利和用人单位的义务。"
    meta = infer_meta(tmp_path / "说明（草稿）.txt", text, None)
    assert meta.title == "说明（草稿）"
    assert meta.doc_id == "说明草稿"
