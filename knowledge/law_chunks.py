"""Chunking laws and regulations: one entry per article (条), with its paragraphs (款).

Laws are cited by article, so an article is never split or merged; its 款 are kept in order so
that paragraphs[1] is 第二款 when a citation names one.  The appendix of a regulation (e.g.
女职工禁忌从事的劳动范围) becomes one or more entries of its own.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.headings import APPENDIX_RE, ARTICLE_RE, CHAPTER_RE, ITEM_RE, SECTION_PATTERNS
from knowledge.laws import short_title
from knowledge.models import DocumentMeta, Entry
from knowledge.numerals import cn_to_int
from knowledge.policy_chunks import MAX_CHUNK_CHARS


def find_articles(lines: list[str]) -> list[int]:
    """Indexes of article headings, accepting only increasing numbers.

    The ordering check stops a paragraph that happens to begin with '第三条规定…' from being
    taken for a new article.
    """
    found: list[int] = []
    last = 0
    for index, line in enumerate(lines):
        match = ARTICLE_RE.match(line)
        if not match:
            continue
        number = cn_to_int(match["num"])
        if number > last or (match["sub"] and number == last):
            found.append(index)
            last = number
    return found


@dataclass
class _Article:
    label: str
    lines: list[str]
    chapter: str = ""
    section: str = ""
    part: str = ""


def chunk_law(meta: DocumentMeta, lines: list[str], part: str = "") -> list[Entry]:
    """One entry per article (chapter/section/part kept in `extra`), plus the appendix."""
    article_starts = set(find_articles(lines))
    articles: list[_Article] = []
    appendix: list[str] = []
    chapter = section = ""
    current: _Article | None = None
    in_appendix = False

    for index, line in enumerate(lines):
        if in_appendix:
            appendix.append(line)
            continue
        heading = CHAPTER_RE.match(line)
        if heading and index not in article_starts:
            name = re.sub(r"\s+", "", heading["name"] or "")
            label = f"{heading['label']} {name}".strip()
            if heading["kind"] in ("编", "分编"):
                part, chapter, section = label, "", ""
            elif heading["kind"] == "章":
                chapter, section = label, ""
            else:
                section = label
            current = None
            continue
        if index in article_starts:
            match = ARTICLE_RE.match(line)
            assert match is not None
            label = f"第{match['num']}条{match['sub'] or ''}"
            current = _Article(label, [match["rest"].strip()], chapter, section, part)
            articles.append(current)
            continue
        if current is not None and len(line) <= 40 and APPENDIX_RE.match(line):
            in_appendix = True
            appendix.append(line)
            current = None
            continue
        if line.startswith("#"):
            current = None  # an unrelated heading ends the article
            continue
        if current is not None:
            current.lines.append(line)

    entries = [_article_entry(meta, article) for article in articles]
    entries.extend(_appendix_entries(meta, appendix))
    return entries


def _article_entry(meta: DocumentMeta, article: _Article) -> Entry:
    paragraphs = _paragraphs(article.lines)
    extra = {
        key: value
        for key, value in (("chapter", article.chapter), ("section", article.section), ("part", article.part))
        if value
    }
    extra["short_title"] = short_title(meta.title)
    return Entry(
        id=f"law:{meta.doc_id}:{article.label}",
        kind="law",
        title=f"{meta.title} {article.label}",
        text="\n".join(paragraphs),
        region=meta.region,
        effective=meta.effective,
        repealed=meta.repealed,
        doc_id=meta.doc_id,
        article=article.label,
        paragraphs=tuple(paragraphs),
        extra=extra,
    )


def _paragraphs(lines: list[str]) -> list[str]:
    """The 款 of an article: its lines, with enumerated 项 ('（一）…') kept inside their 款.

    This keeps paragraphs[1] equal to 第二款 when a citation names one.
    """
    paragraphs: list[str] = []
    for line in lines:
        if not line:
            continue
        if paragraphs and ITEM_RE.match(line):
            paragraphs[-1] += "\n" + line
        else:
            paragraphs.append(line)
    return paragraphs


def _appendix_entries(meta: DocumentMeta, lines: list[str]) -> list[Entry]:
    """The appendix of a regulation (e.g. 女职工禁忌从事的劳动范围) as one or more entries.

    It is split at its numbered parts ('一、…') when long, so a question about pregnancy
    finds the 孕期 list without the other three.
    """
    if not lines:
        return []
    marker = APPENDIX_RE.match(lines[0])
    name = (marker["name"].strip() if marker else "") or ""
    body = lines[1:]
    if not name and body and not SECTION_PATTERNS[0][1].match(body[0]) and len(body[0]) <= 40:
        name, body = body[0], body[1:]
    if not body:
        return []
    heading = f"附录 {name}".strip()

    def make(label: str, part_lines: list[str], part_title: str) -> Entry:
        paragraphs = _paragraphs(part_lines)
        text = "\n".join(([name] if name else []) + paragraphs)
        return Entry(
            id=f"law:{meta.doc_id}:{label}",
            kind="law",
            title=f"{meta.title} {part_title}".strip(),
            text=text,
            region=meta.region,
            effective=meta.effective,
            repealed=meta.repealed,
            doc_id=meta.doc_id,
            article=label,
            paragraphs=tuple(paragraphs),
            extra={"short_title": short_title(meta.title), **({"appendix": name} if name else {})},
        )

    parts: list[tuple[str, list[str]]] = []
    for line in body:
        match = SECTION_PATTERNS[0][1].match(line)
        if match:
            parts.append((match["num"], [line]))
        elif parts:
            parts[-1][1].append(line)
        else:
            parts.append(("", [line]))
    total = sum(len(line) for line in body)
    if total <= MAX_CHUNK_CHARS or len(parts) < 2 or any(not num for num, _ in parts):
        return [make("附录", body, heading)]
    return [
        make(f"附录{num}", part_lines, f"{heading} {part_lines[0].rstrip('：:')}".strip())
        for num, part_lines in parts
    ]

