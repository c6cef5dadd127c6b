"""The kinds of reply the bot gives, defined once.

The answer logic decides the kind, the action server stores what the conversation remembers by it,
the answer log counts it for the dashboard and curators see abstentions and caveats by it. A
`str` Enum, so stored values and comparisons with plain strings keep working.
"""
from __future__ import annotations

from enum import Enum


class ReplyKind(str, Enum):
    EMERGENCY = "emergency"  # danger words: the numbers first, then her question
    EMPTY = "empty"  # nothing readable in the message
    ACK = "ack"  # yes / no / skip outside a form
    CALCULATION = "calculation"  # a calculator's result with its working
    CLARIFY = "clarify"  # a result that needs one more fact (which province)
    ANSWER = "answer"  # a curated answer, issue by issue, or a confident retrieval hit
    CAVEAT = "caveat"  # the nearest entry, said to be uncertain
    ABSTAIN = "abstain"  # not answered: the topic it recognised and her next step
    OUT_OF_SCOPE = "out_of_scope"  # not a workers' rights question

    def __str__(self) -> str:
        return self.value


ANSWERED = (ReplyKind.ANSWER, ReplyKind.CALCULATION)  # the dashboard's answer rate
NOT_ANSWERED = (ReplyKind.ABSTAIN, ReplyKind.OUT_OF_SCOPE)
FOR_CURATORS = (ReplyKind.ABSTAIN, ReplyKind.CAVEAT)  # logged (masked) as questions to improve on
KEEPS_TOPIC = (ReplyKind.CALCULATION, ReplyKind.CLARIFY, ReplyKind.ANSWER, ReplyKind.CAVEAT, ReplyKind.EMERGENCY)
