"""Tests for knowledge.law_chunks: one entry per article, its paragraphs, the appendix."""
import re
from datetime import date

from ingest_samples import CORPUS, corpus_doc, needs_corpus


@needs_corpus
def test_maternity_leave_article_has_two_paragraphs(corpus_report):
    meta, entries = corpus_doc(corpus_report, "女职工劳动保护特别规定")
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
    _, entries = corpus_doc(corpus_report, "女职工劳动保护特别规定")
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
    meta, entries = corpus_doc(corpus_report, "中华人民共和国劳动合同法")
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
    _, entries = corpus_doc(corpus_report, "中华人民共和国劳动争议调解仲裁法")
    article = next(e for e in entries if e.article == "第二条")
    assert len(article.paragraphs) == 1
    assert "（六）法律、法规规定的其他劳动争议。" in article.paragraphs[0]


@needs_corpus
def test_civil_code_part_keeps_code_title_for_citation(corpus_report):
    meta, entries = corpus_doc(corpus_report, "中华人民共和国民法典人格权编")
    assert meta.title == "中华人民共和国民法典"
    assert entries[0].article == "第九百八十九条"
    assert entries[0].extra["part"] == "人格权编"


@needs_corpus
def test_entries_carry_short_title_for_citation_matching(corpus_report):
    _, entries = corpus_doc(corpus_report, "中华人民共和国劳动合同法")
    assert {e.extra["short_title"] for e in entries} == {"劳动合同法"}
