"""The records the retrieval layer works on.

Everything that can be retrieved -- a curated FAQ entry, one article of a law, one section of a
policy document, one case summary -- becomes an `Entry`, so indexing, filtering and citing work
the same way for all of them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

NATIONAL = "全国"


@dataclass(frozen=True)
class LegalBasis:
    """One citation: a law (by its short title) and optionally an article and paragraph."""

    law: str
    article: str = ""  # e.g. "第七条"
    paragraph: str = ""  # e.g. "第二款"

    def cite(self) -> str:
        """Render as 《女职工劳动保护特别规定》第七条第二款."""
        return f"《{self.law}》{self.article}{self.paragraph}"


@dataclass(frozen=True)
class DocumentMeta:
    """Metadata of an imported document (law, regulation, policy)."""

    doc_id: str
    title: str
    issuer: str = ""
    level: str = ""  # 法律 / 行政法规 / 地方性法规 / 司法解释 / 政策文件 ...
    region: str = NATIONAL
    effective: date | None = None
    repealed: date | None = None  # None: in force
    path: str = ""

    def in_force(self, on: date | None = None) -> bool:
        """Whether the document applies on a date (today when None)."""
        on = on or date.today()
        if self.effective and self.effective > on:
            return False
        return self.repealed is None or self.repealed > on


@dataclass(frozen=True)
class Entry:
    """A retrievable unit with everything needed to answer from it and to cite it."""

    id: str  # "faq:maternity-001", "law:<doc_id>:第七条", "case:case-003", "policy:<doc_id>:3"
    kind: str  # faq | law | policy | case
    title: str
    text: str  # what the worker reads: FAQ answer, article text, case summary
    questions: tuple[str, ...] = ()  # question variants (FAQ)
    topic: str = ""
    basis: tuple[LegalBasis, ...] = ()
    region: str = NATIONAL
    effective: date | None = None
    repealed: date | None = None
    status: str = "published"  # draft / reviewed / published
    review_by: date | None = None
    doc_id: str = ""
    article: str = ""  # 第七条 for law chunks
    paragraphs: tuple[str, ...] = ()  # the 款 of a law article, in order
    extra: dict = field(default_factory=dict, hash=False, compare=False)

    def search_text(self) -> str:
        """The text the indexes see: title, variants and body."""
        return "\n".join([self.title, *self.questions, self.text])


def law_name(entry: Entry) -> str:
    """The short name a law is cited by (劳动合同法), as FAQ `basis` entries write it."""
    return entry.extra.get("short_title") or entry.title.split(" ")[0]
