"""Retrieval on a small index built here: the shipped knowledge base plus one official text from the
shared corpus (女职工劳动保护特别规定), so the test does not depend on what `make index` last built."""
import shutil

import pytest
from ingest_samples import CORPUS

from knowledge import build, store
from knowledge.search import Searcher

LAW = "女职工劳动保护特别规定.md"


@pytest.fixture(scope="module")
def searcher(tmp_path_factory):
    if not (CORPUS / LAW).exists():
        pytest.fail(f"{LAW} missing in {CORPUS}: lay ../shared beside the checkout or set SHARED_DIR")
    laws = tmp_path_factory.mktemp("laws")
    shutil.copy(CORPUS / LAW, laws / LAW)
    index_dir = tmp_path_factory.mktemp("index")
    build.build(index_dir, [laws])
    return Searcher(store.current_version(index_dir))


@pytest.mark.parametrize("question,fact", [
    ("公司说怀孕了就得走人，合法吗", r"不得.{0,12}(辞退|解除)"),
    ("孩子不到一岁，每天能有多久喂奶时间", r"1\s*小时"),
    ("面试的时候问我结婚没有", r"不得"),
    ("劳动仲裁要交钱吗", r"不收费|免费"),
])
def test_questions_get_an_answer_carrying_the_fact(searcher, question, fact):
    import re

    from knowledge.search import render_hit

    result = searcher.search(question)
    assert re.search(fact, render_hit(result.top)), render_hit(result.top)
    assert result.decision in ("answer", "caveat")


@pytest.mark.parametrize("question", ["今天天气怎么样", "推荐一部电影", "红烧肉怎么做好吃"])
def test_out_of_scope_abstains(searcher, question):
    assert searcher.search(question).decision == "abstain"


def test_every_hit_carries_its_source(searcher):
    for hit in searcher.search("产假多少天", k=5).hits:
        src = hit.source()
        assert src["id"] and src["kind"] and src["region"]
        assert src["citation"] or hit.entry.kind == "policy"


def test_law_hits_cite_article_and_paragraph(searcher):
    result = searcher.search("怀孕满4个月流产享受多少天产假", mode="bm25", k=10)
    law = next(h for h in result.hits if h.entry.kind == "law")
    assert law.citation().startswith("《")
    assert "条" in law.citation()


def test_region_filter_drops_other_provinces(searcher):
    result = searcher.search("陪产假有几天", province="上海", k=10)
    assert all(h.entry.region in ("全国", "上海") for h in result.hits)


def test_repealed_entries_are_filtered_by_date(searcher):
    from datetime import date
    result = searcher.search("女职工劳动保护特别规定", on=date(2000, 1, 1), k=10)
    assert all(h.entry.effective is None or h.entry.effective <= date(2000, 1, 1) for h in result.hits)


def test_explain_shows_tokens_hits_and_decision(searcher):
    data = searcher.explain("炒鱿鱼")
    assert "辞退" in data["normalized_tokens"]  # synonym folding
    assert data["hits"] and "confidence" in data and data["decision"]
