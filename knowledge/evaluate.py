"""Measure retrieval on a question set in the format of ../shared/eval/dev_questions.jsonl.

For `answer` questions, a hit counts when its rendered answer carries every fact group the item
requires (the same regular expressions the end-to-end scorer applies to the bot's reply):
recall@1 and recall@5 per topic tag and mode. For `oos` questions, it reports how often the
calibrated decision is to abstain. Questions that need a calculator (a date to count from) are
scored too: retrieval alone is expected to miss them, and the report shows it honestly.
"""
from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path


def _carries(text: str, fact_groups: list[list[str]]) -> bool:
    return all(any(re.search(rx, text) for rx in group) for group in fact_groups)


def evaluate(searcher, questions: Path, modes: list[str]) -> dict:
    from knowledge.search import render_hit  # the exact text the worker would read

    items = [json.loads(line) for line in questions.read_text(encoding="utf-8").splitlines() if line.strip()]
    report: dict = {"modes": {}, "oos": None}
    for mode in modes:
        per_tag: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
        misses = []
        for item in (i for i in items if i.get("kind") == "answer"):
            query = (item.get("turns") or [item["q"]])[-1]
            base, _, rerank = mode.partition("+")
            result = searcher.search(query, k=5, mode=base, rerank=rerank == "rerank")
            flags = [_carries(render_hit(h), item["facts"]) for h in result.hits]
            tag = per_tag[item.get("tag", "")]
            tag[0] += 1
            tag[1] += bool(flags and flags[0])
            tag[2] += any(flags)
            if not (flags and flags[0]):
                misses.append((item["id"], query, result.top.entry.id if result.top else None))
        report["modes"][mode] = {"tags": dict(per_tag), "misses": misses}
    report["held_out"] = {mode: held_out_variants(searcher, mode) for mode in modes}
    oos = [i for i in items if i.get("kind") == "oos"]
    abstained = sum(searcher.search(i["q"]).decision == "abstain" for i in oos)
    report["oos"] = (abstained, len(oos))
    return report


def held_out_variants(searcher, mode: str, limit: int = 800) -> tuple[int, int, int]:
    """Each curated question variant, searched with its own text taken out of the index: how often
    its entry comes first, and how often its entry is in the top 5. A larger, harder set than the
    dev questions, for comparing modes."""
    import numpy as np

    base, _, rerank = mode.partition("+")
    first, top5, n = 0, 0, 0
    unit = 0
    for i, entry in enumerate(searcher.entries):
        unit += 1  # the body unit
        for question in entry.questions:
            if entry.kind == "faq" and entry.topic != "regional" and n < limit:
                hits = searcher.search(question, k=5, mode=base, rerank=rerank == "rerank",
                                       exclude_units=np.array([unit])).hits
                ids = [h.entry.id for h in hits]
                n += 1
                first += bool(ids) and ids[0] == entry.id
                top5 += entry.id in ids
            unit += 1
    return first, top5, n


def print_report(report: dict) -> None:
    for mode, data in report["modes"].items():
        print(f"== {mode}")
        total = [0, 0, 0]
        for tag, (n, r1, r5) in sorted(data["tags"].items()):
            print(f"  {tag:14s} n={n:3d}  recall@1={r1 / n:5.0%}  recall@5={r5 / n:5.0%}")
            total = [a + b for a, b in zip(total, (n, r1, r5))]
        n, r1, r5 = total
        print(f"  {'ALL':14s} n={n:3d}  recall@1={r1 / max(n, 1):5.0%}  recall@5={r5 / max(n, 1):5.0%}")
        for qid, query, got in data["misses"]:
            print(f"    miss@1 {qid} {query} -> {got}")
    for mode, (first, top5, n) in report.get("held_out", {}).items():
        print(f"held-out question variants [{mode}] (the trained encoder saw them; dense is an upper bound): "
              f"recall@1={first / max(n, 1):.0%} "
              f"recall@5={top5 / max(n, 1):.0%} (n={n})")
    a, n = report["oos"]
    print(f"out-of-scope abstention: {a}/{n} ({a / max(n, 1):.0%})")
