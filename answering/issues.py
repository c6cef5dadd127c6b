"""The issue spotter: every legal issue a worker's message raises, most urgent first.

Real messages are stories: 「怀孕被辞退了，还欠我两个月工资和加班费」 raises three issues, and a
reply that answers one of them drops the rest. The taxonomy (knowledge/content/issues.yml) ties each
issue to its curated answer and calculator; spotting is by cue patterns written for the topic (the
words workers use, dialect included, with room for words in between), so it is explainable,
testable and does not depend on a story matching one FAQ variant word for word.

Her situation then picks the rule whose verdict holds for her: a nursing mother's night shifts are
Art. 9, not the 7-months-pregnant rule; a closure ends the contract, it is not a dismissal.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from answering.facts import Facts

TAXONOMY = Path(__file__).resolve().parent.parent / "knowledge" / "content" / "issues.yml"
MAX_ISSUES = 3  # a phone screen per issue; more than three and she reads none of them


@dataclass(frozen=True)
class Issue:
    id: str
    label: str
    answer: str  # FAQ id (knowledge/content/faq)
    urgency: int
    cues: tuple[re.Pattern[str], ...]
    all: tuple[re.Pattern[str], ...] = ()
    unless: tuple[re.Pattern[str], ...] = ()
    replaces: tuple[str, ...] = ()
    calculator: str | None = None
    requires: str | None = None
    otherwise: str | None = None

    @property
    def entry_id(self) -> str:
        return f"faq:{self.answer}"

    def first_match(self, text: str) -> int | None:
        """Where in the text the issue is first raised, or None when it is not."""
        if any(p.search(text) for p in self.unless) or not all(p.search(text) for p in self.all):
            return None
        found = [m.start() for p in self.cues if (m := p.search(text))]
        return min(found) if found else None


def _patterns(raw: list | None) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in raw or [])


@lru_cache(maxsize=1)
def taxonomy() -> dict[str, Issue]:
    """The issues, by id, in file order (which breaks urgency ties)."""
    rows = yaml.safe_load(TAXONOMY.read_text(encoding="utf-8")) or []
    return {row["id"]: Issue(
        id=row["id"], label=row["label"], answer=row["answer"], urgency=int(row.get("urgency", 3)),
        cues=_patterns(row.get("cues")), all=_patterns(row.get("all")), unless=_patterns(row.get("unless")),
        replaces=tuple(row.get("replaces") or ()), calculator=row.get("calculator"),
        requires=row.get("requires"), otherwise=row.get("otherwise"),
    ) for row in rows}


def _holds(condition: str, situation: Facts) -> bool | None:
    """Whether a verdict's condition holds for her; None when her facts do not tell."""
    if condition == "three_period":
        return situation.stage in ("pregnant", "maternity_leave", "nursing", "miscarriage") or None
    if condition == "pregnant_7_months":
        if situation.stage == "nursing":
            return False
        return None if situation.pregnancy_months is None else situation.pregnancy_months >= 7
    raise ValueError(f"unknown condition in issues.yml: {condition}")


def _fitted(issue: Issue, situation: Facts) -> Issue:
    """The issue whose verdict applies to her situation (the `otherwise` one when hers differs)."""
    if issue.requires and issue.otherwise and _holds(issue.requires, situation) is False:
        return taxonomy()[issue.otherwise]
    return issue


def spot(text: str, situation: Facts | None = None, limit: int = MAX_ISSUES) -> list[Issue]:
    """The issues a (normalized) message raises, fitted to her situation, most urgent first.

    An issue that a more specific one replaces is dropped (a closure during nursing is not also
    answered as a dismissal); among equally urgent issues, the one she raised first comes first.
    """
    situation = situation or Facts()
    table = taxonomy()
    found = {issue.id: pos for issue in table.values() if (pos := issue.first_match(text)) is not None}
    replaced = {r for issue_id in found for r in table[issue_id].replaces}
    kept = [_fitted(table[i], situation) for i in found if i not in replaced]
    order = list(table)
    kept.sort(key=lambda issue: (issue.urgency, found.get(issue.id, 0), order.index(issue.id)))
    unique: list[Issue] = []
    for issue in kept:
        if issue.id not in {u.id for u in unique}:
            unique.append(issue)
    return unique[:limit] if limit else unique
