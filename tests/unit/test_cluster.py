"""Grouping of unanswered questions (knowledge/cluster.py) on real paraphrases."""
from knowledge.cluster import cluster

PARAPHRASES = {
    "checkup": ["产检假工资怎么算", "产前检查请假扣工资吗", "产检请假算不算病假"],
    "dismissal": ["怀孕被辞退怎么办", "怀孕了公司要辞退我", "公司因为我怀孕开除我"],
    "nursing": ["哺乳时间每天多久", "喂奶时间一天几个小时"],
}


def _as_texts(groups, texts):
    return [sorted(texts[i] for i in g) for g in groups]


def test_paraphrases_of_one_question_group_together_and_topics_stay_apart():
    texts = [q for qs in PARAPHRASES.values() for q in qs] + ["上海产假多少天"]
    groups = _as_texts(cluster(texts), texts)
    for qs in PARAPHRASES.values():
        assert sorted(qs) in groups
    assert ["上海产假多少天"] in groups
    assert len(groups) == 4


def test_biggest_group_first_and_every_text_exactly_once():
    texts = ["哺乳时间每天多久", "怀孕被辞退怎么办", "怀孕了公司要辞退我", "公司因为我怀孕开除我",
             "喂奶时间一天几个小时"]
    groups = cluster(texts)
    assert sorted(i for g in groups for i in g) == list(range(len(texts)))
    assert [len(g) for g in groups] == [3, 2]


def test_result_does_not_depend_on_arrival_order():
    texts = [q for qs in PARAPHRASES.values() for q in qs]
    forward = _as_texts(cluster(texts), texts)
    backward = _as_texts(cluster(texts[::-1]), texts[::-1])
    assert sorted(forward) == sorted(backward)


def test_identical_questions_are_one_group():
    assert cluster(["产假多少天"] * 4) == [[0, 1, 2, 3]]


def test_texts_without_words_stay_alone_and_nothing_breaks():
    texts = ["😀😀", "", "？？？", "产假多少天", "产假有多少天"]
    groups = _as_texts(cluster(texts), texts)
    assert ["产假多少天", "产假有多少天"] in groups
    assert ["😀😀"] in groups and [""] in groups and ["？？？"] in groups
    assert cluster([]) == []
    assert cluster(["😀"]) == [[0]]
    assert cluster(["产假多少天"]) == [[0]]


def test_a_higher_threshold_splits_more():
    texts = [q for qs in PARAPHRASES.values() for q in qs]
    assert len(cluster(texts, threshold=0.9)) > len(cluster(texts, threshold=0.3))
