"""The structure lines of a legal or policy text: article, chapter, section, appendix and item
headings, and the corpus marker that ends a document's header.

Both metadata inference (where the header stops) and chunking (where an article or section starts)
read a text by these lines, so they are recognised in one place.
"""
from __future__ import annotations

import re

from knowledge.numerals import NUMERAL_CHARS

INFO_END = "<!-- INFO END -->"  # the shared corpus ends each document's header with this line

ARTICLE_RE = re.compile(
    rf"^第(?P<num>[{NUMERAL_CHARS}]+|[0-9]+)条(?P<sub>之[一二三四五六七八九十]+)?"
    rf"(?:[ \u3000\t]+|$|(?=[^规的、，,和至或及中第]))(?P<rest>.*)$"
)
CHAPTER_RE = re.compile(
    rf"^(?:#+\s*)?(?P<label>第[{NUMERAL_CHARS}0-9]+(?P<kind>编|分编|章|节))(?:[ \u3000]*(?P<name>.{{0,30}}))?$"
)
APPENDIX_RE = re.compile(r"^(?:#+\s*)?附\s*(?:录|件|表)\s*[一二三四五六七八九十0-9]*\s*[:：]?\s*(?P<name>.*)$")
ITEM_RE = re.compile(r"^[（(][一二三四五六七八九十]+[)）]")

SECTION_PATTERNS = (
    (1, re.compile(r"^(?P<num>[一二三四五六七八九十]{1,3})、\s*(?P<rest>.*)$")),
    (2, re.compile(r"^[（(](?P<num>[一二三四五六七八九十]{1,3})[)）]\s*(?P<rest>.*)$")),
    (3, re.compile(r"^(?P<num>[0-9]{1,2})[.．、](?![0-9])\s*(?P<rest>.*)$")),
    (4, re.compile(r"^[（(](?P<num>[0-9]{1,2})[)）]\s*(?P<rest>.*)$")),
)
SENTENCE_END = "。！？；：…”」』）)】!?"


def nonempty_lines(text: str) -> list[str]:
    return [line.strip() for line in text.split("\n") if line.strip()]


def body_lines(text: str) -> list[str]:
    lines = nonempty_lines(text)
    if INFO_END in lines:
        lines = lines[lines.index(INFO_END) + 1:]
    return lines


def section_heading(line: str) -> tuple[int, str, str] | None:
    """(level, label, heading) when the line opens a section: '三、…', '（二）…', '1.…', '（1）…'.

    The heading is the short phrase before the first full stop ('（一）指导思想。坚持…' ->
    '（一）指导思想'), or the label alone when the section opens with a long sentence.
    """
    for level, pattern in SECTION_PATTERNS:
        match = pattern.match(line)
        if not match:
            continue
        num = match["num"]
        label = {1: f"{num}、", 2: f"（{num}）", 3: f"{num}.", 4: f"（{num}）"}[level]
        rest = match["rest"].strip()
        phrase = re.split(r"[。！？；：:]", rest, maxsplit=1)[0].strip()
        heading = label + phrase if phrase and len(phrase) <= 30 else label
        return level, label, heading
    return None
