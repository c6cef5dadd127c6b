"""Turn raw retrieval signals into a probability that the top answer is right.

A logistic regression is fitted at build time on two kinds of questions: every curated question
variant, searched with its own text removed from the index (so it must be found through the other
variants, the answer and the law), labelled by whether its entry or a sibling of the same topic came
first; and out-of-scope questions (the NLU's out_of_scope examples), labelled wrong. The margin to
the second hit is deliberately not a signal: curated entries overlap, so a close second is normal. The thresholds then
split answer / answer with a caveat / abstain: the caveat line sits above 95 % of the
out-of-scope questions, the answer line where 90 % of the calibration answers are right.
"""
from __future__ import annotations

import random

import numpy as np
import yaml

from settings import ROOT

FEATURES = ("coverage", "dense", "bm25", "unknown")
OOS_KEPT_OUT = 0.95  # share of known out-of-scope questions that must abstain
ANSWER_PRECISION = 0.9  # answers given without a caveat must be right this often
EXTRA_NEGATIVES = (
    "今天天气怎么样", "帮我写一首诗", "推荐几本好看的小说", "附近有什么好吃的", "怎么减肥最快",
    "比特币还能买吗", "世界杯谁夺冠了", "手机屏幕碎了怎么修", "如何学好英语", "周末去哪里玩",
)


def out_of_scope_questions() -> list[str]:
    """Examples of the NLU's out_of_scope intent, plus a few fixed ones."""
    found: list[str] = list(EXTRA_NEGATIVES)
    for path in sorted((ROOT / "data" / "nlu").glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in data.get("nlu") or []:
            if block.get("intent") == "out_of_scope":
                found += [line[2:].strip() for line in str(block.get("examples", "")).splitlines()
                          if line.strip().startswith("- ")]
    return found


def _same_answer(found, wanted) -> bool:
    """Right entry, or a sibling of the same topic: curated topics overlap on purpose."""
    return found.id == wanted.id or (found.kind == "faq" and found.topic == wanted.topic)


def _samples(searcher, max_positives: int, seed: int) -> tuple[list[dict], list[int], list[bool]]:
    rng = random.Random(seed)
    units_of: dict[int, list[int]] = {}
    for unit, entry in enumerate(searcher.unit_entry):
        units_of.setdefault(int(entry), []).append(unit)
    positives = []
    for i, e in enumerate(searcher.entries):
        if e.kind == "faq" and e.questions and e.status == "published":
            variant_units = units_of[i][1:]  # unit 0 is the body, then one unit per variant
            positives += [(q, i, u) for q, u in zip(e.questions, variant_units)]
    rng.shuffle(positives)
    feats, labels, is_oos = [], [], []
    for question, entry_index, unit in positives[:max_positives]:
        result = searcher.search(question, k=2, exclude_units=np.array([unit]))
        feats.append(result.features)
        labels.append(int(bool(result.hits) and _same_answer(result.hits[0].entry, searcher.entries[entry_index])))
        is_oos.append(False)
    for question in out_of_scope_questions():
        result = searcher.search(question, k=2)
        if result.hits:
            feats.append(result.features)
            labels.append(0)
            is_oos.append(True)
    return feats, labels, is_oos


def thresholds(probs: np.ndarray, labels: np.ndarray, is_oos: np.ndarray) -> dict:
    """caveat: above all but 5 % of out-of-scope questions; answer: where answers are 90 % right."""
    caveat = float(np.quantile(probs[is_oos], OOS_KEPT_OUT)) if is_oos.any() else 0.3
    answer = 1.0
    for t in sorted(set(np.round(probs, 3))):
        chosen = probs >= t
        if chosen.any() and labels[chosen].mean() >= ANSWER_PRECISION:
            answer = float(t)
            break
    return {"caveat": round(caveat, 3), "answer": round(max(answer, caveat), 3)}


def fit(searcher, max_positives: int = 600, seed: int = 7) -> dict:
    """Fit the calibration model on a searcher that has no calibration yet."""
    from sklearn.linear_model import LogisticRegression

    feats, labels, is_oos = _samples(searcher, max_positives, seed)
    x = np.array([[f[name] for name in FEATURES] for f in feats])
    y = np.array(labels)
    if len(set(labels)) < 2:
        return {}
    model = LogisticRegression(C=1.0, class_weight="balanced", max_iter=1000).fit(x, y)
    probs = model.predict_proba(x)[:, 1]
    return {"features": list(FEATURES), "coef": [float(c) for c in model.coef_[0]],
            "intercept": float(model.intercept_[0]), "thresholds": thresholds(probs, y, np.array(is_oos)),
            "samples": {"positive": int(y.sum()), "negative": int(len(y) - y.sum())}}
