"""The leave-figure extractor on the three real regulations of the shared corpus (its proposals must be
the verified rows of content/regions.yml) and on small made-up texts for the edges; and the overlay
of approved rows over the shipped table (knowledge.regions.rules)."""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
import yaml

from knowledge import overlay, regions
from knowledge.ingest import import_file
from knowledge.province_figures import extract, from_import, plain_numbers
from settings import get_settings

LAWS = Path(get_settings().SHARED_DIR) / "corpus" / "laws"
REGULATIONS = {"上海": "上海市人口与计划生育条例.md", "广东": "广东省人口与计划生育条例.md",
               "浙江": "浙江省人口与计划生育条例.md"}
SHIPPED = {row["province"]: row for row in yaml.safe_load((regions.CONTENT / "regions.yml").read_text("utf-8"))}
EXACT = ("province", "source", "article", "revised", "maternity_extra_days", "maternity_extra_by_order",
         "paternity_days")


def figures_in(text: str) -> list[tuple[int, str]]:
    """What a leave sentence states: its numbers with their units (日 read as 天), in order of size."""
    plain = plain_numbers(text)
    return sorted((int(n), "天" if u == "日" else u) for n, u in re.findall(r"(\d+)(周岁|天|日)", plain))


@pytest.fixture(scope="module", params=sorted(REGULATIONS))
def real(request):
    path = LAWS / REGULATIONS[request.param]
    if not path.is_file():
        pytest.fail(f"{path} is missing: the shared corpus (SHARED_DIR) must be beside the checkout")
    meta, entries = import_file(path)
    return request.param, from_import(meta, entries)


def test_the_three_verified_provinces_are_the_ones_in_the_corpus():
    assert {p for p, row in SHIPPED.items() if row.get("verified")} == set(REGULATIONS)


def test_the_proposal_is_the_verified_row_of_the_table(real):
    province, proposal = real
    row, shipped = proposal.row(), SHIPPED[province]
    assert shipped["verified"] is True
    assert {k: row[k] for k in EXACT} == {k: shipped[k] or ({} if k == "maternity_extra_by_order" else shipped[k])
                                          for k in EXACT}
    assert proposal.notes == [] and proposal.conflicts == []


def test_leave_texts_state_what_the_table_states(real):
    """育儿假 and 婚假 are quoted from the article (digits for numerals, no preamble); the table's
    wording is a curator's paraphrase, so they are compared by what they say: the same ages and days,
    and empty where the regulation gives no marriage leave."""
    province, proposal = real
    row, shipped = proposal.row(), SHIPPED[province]
    for key in ("parental_leave", "marriage_leave"):
        assert bool(row[key]) == bool(shipped[key]), key
        assert figures_in(row[key]) == figures_in(shipped[key]), (key, row[key], shipped[key])
    assert "育儿假" in row["parental_leave"] and not row["parental_leave"].startswith("符合")


def test_every_figure_names_its_article(real):
    province, proposal = real
    row = proposal.row()
    shipped_article = SHIPPED[province]["article"]
    for name, figure in proposal.figures.items():
        if figure.value not in (None, "", {}):
            assert figure.article == row["articles"][name] == shipped_article, name
            assert all(r.article == shipped_article and r.quote for r in figure.readings)


def test_zhejiang_reads_the_second_and_third_child_from_one_sentence():
    meta, entries = import_file(LAWS / REGULATIONS["浙江"])
    readings = from_import(meta, entries).figures["maternity_extra_days"].readings
    assert [(r.value, r.orders) for r in readings] == [(60, (1,)), (90, (2, 3))]


def test_guangdong_care_leave_for_old_parents_is_not_paternity_leave():
    meta, entries = import_file(LAWS / REGULATIONS["广东"])
    paternity = from_import(meta, entries).figures["paternity_days"]
    assert [(r.value, r.article) for r in paternity.readings] == [(15, "第三十条")]  # not 第三十六条's 5 or 15 days


# ---- made-up regulations for the edges ------------------------------------------------------

def propose(*articles: tuple[str, str]):
    return extract(articles, "河南", "河南省人口与计划生育条例（测试）", date(2024, 1, 1))


def test_no_figure_found_proposes_nothing():
    p = propose(("第一条", "为了规范人口与计划生育工作，制定本条例。"),
                ("第二十条", "符合法律规定生育子女的夫妻，享受国家规定的产假和婚假。"))
    row = p.row()
    assert not p.found
    assert (row["maternity_extra_days"], row["maternity_extra_by_order"], row["paternity_days"],
            row["parental_leave"], row["marriage_leave"], row["article"]) == (None, {}, None, "", "", "")
    assert any("没有在条文里找到" in n for n in p.notes)


def test_two_different_figures_are_flagged_and_neither_proposed():
    p = propose(("第二十条", "女方除享受国家规定的产假外，延长生育假六十天，男方享受护理假十五天。"),
                ("第二十一条", "符合规定生育的女职工，享受奖励假九十日。"))
    maternity = p.figures["maternity_extra_days"]
    assert maternity.conflict and maternity.value is None and p.row()["maternity_extra_days"] is None
    assert sorted((r.value, r.article) for r in maternity.readings) == [(60, "第二十条"), (90, "第二十一条")]
    assert p.conflicts == [maternity]
    assert any("不同的数字" in n and "第二十条" in n and "第二十一条" in n for n in p.notes)
    assert p.figures["paternity_days"].value == 15  # the other figures still proposed
    assert p.row()["article"] == "第二十条"


def test_the_same_figure_read_twice_is_no_conflict():
    p = propose(("第二十条", "男方享受护理假十五天。"), ("第三十条", "用人单位应当保障男方享受十五日的护理假。"))
    assert p.figures["paternity_days"].value == 15 and not p.conflicts


def test_children_named_a_clause_before_the_figure():
    p = propose(("第二十条", "生育第一、二个子女的，增加产假六十天；生育第三个子女的，增加产假九十天。"
                             "男方享受护理假二十五天。"))
    row = p.row()
    assert (row["maternity_extra_days"], row["maternity_extra_by_order"], row["paternity_days"]) == (60, {3: 90}, 25)


def test_months_totals_and_conditional_leave_become_notes_not_figures():
    p = propose(("第二十五条", "女方除享受国家规定的产假外，延长产假三个月，男方享受护理假一个月。"),
                ("第二十六条", "晚婚的，增加婚假十五天。难产的，增加产假三十天。"),
                ("第二十七条", "女职工产假延长至一百五十八天。"))
    row = p.row()
    assert (row["maternity_extra_days"], row["paternity_days"], row["marriage_leave"]) == (None, None, "")
    notes = "\n".join(p.notes)
    assert "三个月" in notes and "一个月" in notes and "晚婚" in notes and "难产" in notes
    assert "158 − 98 = 60" in notes


def test_marriage_and_parental_leave_sentences():
    p = propose(("第三十条", "按规定生育子女的夫妻，在子女满三周岁前，夫妻双方每人每年享受育儿假五个工作日。"
                             "育儿假期间的工资，按照本人正常出勤应得的工资发给。"),
                ("第三十一条", "符合法律规定结婚的公民，除享受国家规定的婚假外，增加婚假十天。"))
    row = p.row()
    assert row["parental_leave"] == ("在子女满3周岁前，夫妻双方每人每年享受育儿假5个工作日。"
                                     "育儿假期间的工资，按照本人正常出勤应得的工资发给")
    assert row["marriage_leave"] == "除享受国家规定的婚假外，增加婚假10天"
    assert row["articles"] == {"parental_leave": "第三十条", "marriage_leave": "第三十一条"}


# ---- approved rows laid over the shipped table ----------------------------------------------

@pytest.fixture
def overlay_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("KNOWLEDGE_OVERLAY_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def approved_row(**changes):
    row = {"province": "河南", "verified": True, "source": "河南省人口与计划生育条例", "article": "第二十五条",
           "revised": "2024-01-01", "maternity_extra_days": 60, "maternity_extra_by_order": {3: 90},
           "paternity_days": 30, "parental_leave": "", "marriage_leave": "", "other": "", "note": "",
           "doc_id": "up-20260101-abcdef"}
    return {**row, **changes}


def test_an_approved_row_replaces_the_shipped_one_as_soon_as_it_is_written(overlay_dir):
    assert not regions.rules()["河南"].verified
    overlay.write_regions(overlay_dir, [approved_row()])
    rule = regions.rules()["河南"]
    assert (rule.verified, rule.extra_days(1), rule.extra_days(3), rule.paternity_days) == (True, 60, 90, 30)
    assert rule.note == "" and rule.basis[0].cite() == "《河南省人口与计划生育条例》第二十五条"
    assert regions.rules()["广东"].maternity_extra_days == 80  # every other province as shipped
    overlay.write_regions(overlay_dir, [approved_row(maternity_extra_days=80)])  # a later approval
    assert regions.rules()["河南"].extra_days(1) == 80


def test_a_row_from_a_retired_document_is_dropped(overlay_dir):
    overlay.write_regions(overlay_dir, [approved_row()])
    overlay.write_yaml(overlay_dir / overlay.RETIRED, {"up-20260101-abcdef": {"date": "2026-01-02", "reason": "x"}})
    assert not regions.rules()["河南"].verified


def test_a_broken_overlay_file_falls_back_to_the_shipped_table(overlay_dir):
    (overlay_dir / overlay.REGIONS).write_text("{not: [valid", encoding="utf-8")
    assert regions.rules()["广东"].verified and not regions.rules()["河南"].verified
