"""Hostile text on the answer path (issue 12, finding 3): retrieval and the composed reply never raise.

「产假」 × 350 made the calibrated confidence overflow in math.exp and the worker got an empty
reply. Here Searcher.search and answering.compose.compose get long repeated words, emoji, control
characters, lone surrogates, huge numbers and mixed scripts, on a small index built in the test
(a two-entry FAQ and one regulation, ~20 s) rather than the production one. hypothesis is not in
requirements/app.txt, so the cases are generated deterministically and parametrized.
"""
from __future__ import annotations

import copy
import math
import random
from pathlib import Path

import pytest

from answering.compose import Conversation, compose
from knowledge import build, store
from knowledge.search import Searcher
from settings import get_settings

FAQ = """\
- id: fuzz-001
  topic: maternity
  questions: [产假有多少天, 生孩子能休多久, 产假是多少天, 女职工生育假期多长, 顺产产假几天, 生完孩子休几天]
  answer: |-
    女职工生育享受98天产假，其中产前可以休假15天；难产的增加产假15天。
  basis:
    - {law: 女职工劳动保护特别规定, article: 第七条}
  region: 全国
  effective: 2012-04-28
  review_by: 2027-06-30
  status: published
- id: fuzz-002
  topic: breastfeeding
  questions: [哺乳时间每天多久, 喂奶时间有多少, 哺乳假怎么算, 上班能不能喂奶, 哺乳期每天几小时, 喂奶时间算不算工作时间]
  answer: |-
    对哺乳未满1周岁婴儿的女职工，用人单位应当在每天的劳动时间内为哺乳期女职工安排1小时哺乳时间。
  basis:
    - {law: 女职工劳动保护特别规定, article: 第九条}
  region: 全国
  effective: 2012-04-28
  review_by: 2027-06-30
  status: published
"""
LAW = Path(get_settings().SHARED_DIR) / "corpus" / "laws" / "女职工劳动保护特别规定.md"


@pytest.fixture(scope="module")
def searcher(tmp_path_factory) -> Searcher:
    root = tmp_path_factory.mktemp("fuzz-index")
    (root / "faq").mkdir()
    (root / "faq" / "fuzz.yml").write_text(FAQ, encoding="utf-8")
    (root / "docs").mkdir()
    if LAW.is_file():
        (root / "docs" / LAW.name).write_bytes(LAW.read_bytes())
    build.build(root / "index", [root / "docs"], faq_dirs=[root / "faq"])
    return Searcher(store.current_version(root / "index"))


# The production index's calibration (build/index, Nov 2026): its bm25 weight is negative, and the
# bm25 feature grows with every repetition of a query word, so z ran to -1000 for 「产假」 × 350.
PRODUCTION_LIKE = {"features": ["coverage", "dense", "bm25", "unknown"],
                   "coef": [4.69, 1.28, -1.16, -2.17], "intercept": -3.30,
                   "thresholds": {"caveat": 0.096, "answer": 0.57}}


@pytest.fixture(scope="module", params=["built", "production-like"])
def calibrated(request, searcher) -> Searcher:
    """The small index with its own calibration, and with one weighted like the production index."""
    if request.param == "built":
        return searcher
    clone = copy.copy(searcher)
    clone.calibration = PRODUCTION_LIKE
    return clone


def _generated(seed: int = 12, count: int = 40) -> list[str]:
    """Random mixtures of the pieces below: deterministic, so a failure is reproducible."""
    pieces = ["产假", "哺乳期", "怀孕", "辞退", "广东", "98天", "😀", "👩‍👧", "\u0000", "\u200b", "\u202e", "\ufeff",
              "\ud800", "\udfff", "9" * 30, "第九条", "？", "!", " ", "\n", "a", "Ω", "𠀀", "%s", "{}", "\\", "'", "\""]
    rng = random.Random(seed)
    return ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 400))) for _ in range(count)]


NASTY = [
    "产假" * 350,  # the reported crash
    "产假" * 2000,
    "哺乳期" * 700,
    "产" * 4000,
    "😀" * 2000,
    "产假😀" * 600,
    "\u0000\u0001\u0002\u001f\u007f" * 100,
    "\ud800产假\udfff" * 50,  # lone surrogates (JSON lets them through)
    "9" * 5000,
    "产假" + "9" * 400 + "天",
    "生了" + "1" * 50 + "个孩子，产假多少天",
    "怀孕" + "9" * 20 + "个月被辞退",
    "1e308 产假 -1e308 NaN inf",
    "\u202e假产\u202c" * 300,
    "ｐｒｅｇｎａｎｔ　" * 300,
    "a" * 5000,
    " " * 3000,
    "",
    "广东" * 500 + "产假多少天",
]


@pytest.mark.parametrize("text", NASTY + _generated(), ids=lambda t: f"{len(t)}:{t[:6]!r}")
def test_search_never_raises_and_confidence_is_a_probability(calibrated, text):
    result = calibrated.search(text)
    assert result.decision in ("answer", "caveat", "abstain")
    assert math.isfinite(result.confidence) and 0.0 <= result.confidence <= 1.0


@pytest.mark.parametrize("text", NASTY + _generated(seed=7, count=20), ids=lambda t: f"{len(t)}:{t[:6]!r}")
def test_compose_always_gives_a_reply(calibrated, text):
    for intent in (None, "ask_maternity_leave", "nlu_fallback"):
        reply = compose(text, intent, [], Conversation(), calibrated, intent_confidence=0.9)
        assert reply.kind and (reply.text or reply.response), reply


@pytest.mark.parametrize("coverage", [0.0, 1.0, 1e6, 1e300, -1e300, float("inf"), -float("inf"), float("nan")])
def test_confidence_is_numerically_safe(calibrated, coverage):
    feats = {"coverage": coverage, "dense": coverage, "bm25": coverage, "unknown": coverage}
    confidence = calibrated.confidence(feats)
    assert math.isfinite(confidence) and 0.0 <= confidence <= 1.0
    assert calibrated.decide(confidence) in ("answer", "caveat", "abstain")


def test_the_reported_crash_is_an_answer_or_an_abstention(calibrated):
    result = calibrated.search("产假" * 350)
    assert result.decision in ("answer", "caveat", "abstain") and 0.0 <= result.confidence <= 1.0
