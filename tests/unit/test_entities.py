"""Rule-based spaCy entities (knowledge/entities.py): patterns must match in context, not only alone."""
from __future__ import annotations

import jieba
import pytest
import spacy

from knowledge import entities as E

CASES = [
    ("我在广东深圳上班，产假98天够吗",
     [("province", "广东"), ("province", "深圳"), ("duration", "98天")]),
    ("魔都的陪产假几天", [("province", "魔都")]),
    ("根据《劳动合同法》第四十二条", [("law", "《劳动合同法》"), ("article", "第四十二条")]),
    ("女职工劳动保护特别规定第七条第二款",
     [("law", "女职工劳动保护特别规定"), ("article", "第七条第二款")]),
    ("宝宝2025年5月10日出生", [("date", "2025年5月10日")]),
    ("我2024-01-10生的", [("date", "2024-01-10")]),
    ("下周三上午可以预约吗", [("date", "下周三上午")]),
    ("怀孕七个月了", [("duration", "七个月")]),
    ("每天一个小时哺乳时间", [("duration", "一个小时")]),
    ("我在杭州", [("province", "杭州")]),
    ("沪上", [("province", "沪上")]),
    ("粤省", [("province", "粤省")]),
    # weak single-character aliases never match on their own
    ("新就业形态劳动者有产假吗", []),
    ("宁可不要这份工作", []),
    ("津贴怎么算", []),
    ("在川工作", []),
    ("苏经理说不给产假", []),
    # more context
    ("我在深圳市上班", [("province", "深圳市")]),
    ("北京朝阳区的公司", [("province", "北京"), ("province", "朝阳区")]),
    ("辽宁朝阳市", [("province", "辽宁"), ("province", "朝阳市")]),
    ("中华人民共和国劳动合同法第三十九条",
     [("law", "中华人民共和国劳动合同法"), ("article", "第三十九条")]),
    ("民法典第一千零一十条规定了性骚扰", [("law", "民法典"), ("article", "第一千零一十条")]),
    ("浙江省人口与计划生育条例第二十条", [("law", "浙江省人口与计划生育条例"), ("article", "第二十条")]),
    ("劳动合同法实施条例第十条", [("law", "劳动合同法实施条例"), ("article", "第十条")]),
    ("第三百条", [("article", "第三百条")]),
    ("按第42条第2款规定", [("article", "第42条第2款")]),
    ("2025/5/10入职", [("date", "2025/5/10")]),
    ("5月10号去产检", [("date", "5月10号")]),
    ("5月10日要去医院", [("date", "5月10日")]),
    ("明天能请假吗", [("date", "明天")]),
    ("后天去", [("date", "后天")]),
    ("今天被辞退了", [("date", "今天")]),
    ("本周五之前交材料", [("date", "本周五")]),
    ("周五可以来吗", [("date", "周五")]),
    ("下个月生", [("date", "下个月")]),
    ("下周一上午去仲裁委", [("date", "下周一上午")]),
    ("产检假15日内批", [("duration", "15日")]),
    ("休一小时", [("duration", "一小时")]),
    ("1个小时的哺乳假", [("duration", "1个小时")]),
    ("怀孕4个月被辞退", [("duration", "4个月")]),
    ("工作一年以上", [("duration", "一年")]),
    ("产假158天", [("duration", "158天")]),
]

PROVINCE_IDS = {"广东": "广东", "深圳": "广东", "魔都": "上海", "杭州": "浙江", "沪上": "上海", "粤省": "广东",
                "深圳市": "广东", "北京": "北京", "朝阳区": "北京", "辽宁": "辽宁", "朝阳市": "辽宁"}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A pipeline built from scratch into a temporary folder, then loaded back from disk."""
    root = tmp_path_factory.mktemp("entities")
    jieba_dict = root / "jieba" / "entities.txt"
    E.build_pipeline(root / "pipeline", jieba_dict=jieba_dict)
    return spacy.load(root / "pipeline"), jieba_dict


def _ents(nlp, text):
    return [(e.label_, e.text) for e in nlp(text).ents]


@pytest.mark.parametrize("text,expected", CASES, ids=[c[0] for c in CASES])
def test_saved_pipeline_finds_entities_in_context(built, text, expected):
    nlp, _ = built
    assert _ents(nlp, text) == expected


@pytest.mark.parametrize("text,expected", CASES, ids=[c[0] for c in CASES])
def test_extract(text, expected):
    found = E.extract(text)
    assert [(e["entity"], e["value"]) for e in found] == expected
    for e in found:
        assert text[e["start"]:e["end"]] == e["value"]
        if e["entity"] == "province":
            assert e["id"] == PROVINCE_IDS[e["value"]]


def test_law_ids_are_short_titles():
    ids = {(e["value"], e["id"]) for e in E.extract("《中华人民共和国劳动合同法》和劳动法、《民法典》")}
    assert ids == {("《中华人民共和国劳动合同法》", "劳动合同法"), ("劳动法", "劳动法"), ("《民法典》", "民法典")}


def test_labels_are_exactly_the_rasa_entity_names(built):
    nlp, _ = built
    assert set(nlp.get_pipe("entity_ruler").labels) == {"province", "law", "article", "duration", "date"}
    assert nlp.pipe_names == ["entity_ruler"]


def test_pattern_words():
    words = E.pattern_words()
    assert len(words) == len(set(words)) and all(len(w) > 1 for w in words)
    for w in ("魔都", "沪上", "粤省", "深圳市", "朝阳区", "广西壮族自治区", "劳动合同法", "中华人民共和国劳动合同法",
              "女职工劳动保护特别规定", "上海市妇女权益保障条例", "第一条", "第四十二条", "第一百一十条",
              "第三百条", "第二款", "98天", "七个月", "一个小时", "下周三", "本周五", "下个月", "2025年"):
        assert w in words, w
    for weak in ("新", "宁", "川", "津"):
        assert weak not in words


def test_pattern_words_take_law_file_names(tmp_path):
    (tmp_path / "某某省女职工劳动保护办法.md").write_text("x", encoding="utf-8")
    (tmp_path / "README.txt").write_text("x", encoding="utf-8")
    words = E.pattern_words(tmp_path)
    assert "某某省女职工劳动保护办法" in words and "README" not in words
    assert "某某省女职工劳动保护办法" in E.law_names(tmp_path)


def test_jieba_dict_file_keeps_words_whole(built):
    _, jieba_dict = built
    lines = jieba_dict.read_text(encoding="utf-8").splitlines()
    assert lines and all(line.split(" ")[1:] == ["20000", "n"] for line in lines)
    assert "魔都 20000 n" in lines
    # the dictionary is in the GLOBAL jieba (what spaCy's zh tokenizer calls)
    assert jieba.lcut("魔都产假98天够吗") == ["魔都", "产假", "98天", "够", "吗"]


def test_default_pipeline_dir_is_per_spacy_version():
    path = E.default_pipeline_dir()
    assert path.name == f"zh-{spacy.__version__}"
    assert path.parent == E.ROOT / "build" / "spacy"
