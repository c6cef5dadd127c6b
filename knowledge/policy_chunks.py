"""Chunking other documents (opinions, notices, plans) by section, sized for retrieval.

Policy documents have no citable unit like the article, so their sections (三、 / （二） / 1. / （1）)
are kept with their heading path, small ones merged with a neighbour and long ones split at
sentence ends; the red-head, 文号 and distribution trailer are dropped.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from knowledge.headings import INFO_END, SENTENCE_END, section_heading
from knowledge.laws import short_title
from knowledge.metadata import DATE_RE, clean_title
from knowledge.models import DocumentMeta, Entry

# Policy chunks: small enough to answer from, big enough to carry context.
MIN_CHUNK_CHARS = 80
MAX_CHUNK_CHARS = 600


@dataclass
class _Section:
    path: list[tuple[int, str, str]]  # (level, label such as '（二）', heading text)
    lines: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        """'三（二）' for section (二) under 三、."""
        return "".join(label.rstrip("、.．") for _, label, _ in self.path) or "前言"

    @property
    def heading(self) -> str:
        return " ".join(heading for _, _, heading in self.path) or "前言"

    def text(self) -> str:
        return "\n".join(self.lines)


def chunk_policy(meta: DocumentMeta, lines: list[str]) -> list[Entry]:
    sections = _policy_sections(meta, lines)
    sections = _merge_small(sections)
    entries: list[Entry] = []
    for section in sections:
        pieces = _split_long(section.text())
        for part, piece in enumerate(pieces, start=1):
            extra: dict = {"section_path": section.heading, "short_title": short_title(meta.title)}
            if len(pieces) > 1:
                extra["part"] = part
            entries.append(
                Entry(
                    id=f"policy:{meta.doc_id}:{len(entries) + 1}",
                    kind="policy",
                    title=f"{meta.title} {section.heading}",
                    text=piece,
                    region=meta.region,
                    effective=meta.effective,
                    repealed=meta.repealed,
                    doc_id=meta.doc_id,
                    article=section.label,
                    extra=extra,
                )
            )
    return entries


def _policy_sections(meta: DocumentMeta, lines: list[str]) -> list[_Section]:
    """Group lines under their section heading path, dropping the red-head and the trailer."""
    first_heading = next((i for i, line in enumerate(lines) if section_heading(line)), len(lines))
    preamble = [line for line in lines[:first_heading] if not _is_header_line(line, meta.title)]
    body = _strip_trailer(lines[first_heading:])

    sections: list[_Section] = []
    if preamble:
        sections.append(_Section(path=[], lines=_join_broken_lines(preamble)))
    path: list[tuple[int, str, str]] = []
    current: _Section | None = None
    for line in body:
        heading = section_heading(line)
        if heading:
            level = heading[0]
            path = [item for item in path if item[0] < level] + [heading]
            is_title_only = len(line) <= 40 and not line.endswith(tuple(SENTENCE_END)) and level == 1
            current = _Section(path=list(path), lines=[] if is_title_only else [line])
            sections.append(current)
        elif current is not None:
            if current.lines and not current.lines[-1].endswith(tuple(SENTENCE_END)):
                current.lines[-1] += line  # a line broken mid-sentence by the source layout
            else:
                current.lines.append(line)
    sections = [section for section in sections if section.lines]
    if not sections and lines:
        # a document that is nothing but a short text (a note, a one-line PDF) is still content
        sections = [_Section(path=[], lines=_join_broken_lines(lines))]
    return sections


def _is_header_line(line: str, title: str) -> bool:
    """Red-head, 文号, title and date lines of an official document carry no content."""
    if clean_title(line) == title or line.startswith("#") or line == INFO_END:
        return True
    stripped = DATE_RE.sub("", line).strip(" （）()")
    if not stripped:
        return True
    return len(line) < 40 and not line.endswith(tuple(SENTENCE_END[:4]))


def _strip_trailer(lines: list[str]) -> list[str]:
    """Drop the distribution notes at the end (此件发至…, 抄送：…, …办公厅, 2022年4月26日印发)."""
    lines = list(lines)
    trailer = re.compile(r"^([（(]此件|抄送|主送|印发|附件[:：]?$)|印发$")
    while lines:
        last = lines[-1]
        if trailer.search(last) or (len(last) < 40 and not last.endswith(tuple(SENTENCE_END[:4]))
                                    and not section_heading(last)):
            lines.pop()
        else:
            break
    return lines


def _join_broken_lines(lines: list[str]) -> list[str]:
    out: list[str] = []
    for line in lines:
        if out and not out[-1].endswith(tuple(SENTENCE_END)):
            out[-1] += line
        else:
            out.append(line)
    return out


def _merge_small(sections: list[_Section]) -> list[_Section]:
    """Fold sections under MIN_CHUNK_CHARS into the next one (the last into the previous),
    so a two-line section is retrieved together with its neighbour instead of alone."""
    merged: list[_Section] = []
    carry: list[str] = []
    for section in sections:
        if carry:
            section = _Section(path=section.path, lines=carry + section.lines)
            carry = []
        if len(section.text()) < MIN_CHUNK_CHARS:
            carry = section.lines
            continue
        merged.append(section)
    if carry:
        if merged:
            merged[-1].lines.extend(carry)
        else:
            merged.append(_Section(path=sections[-1].path, lines=carry))
    return merged


def _split_long(text: str) -> list[str]:
    """Split text over MAX_CHUNK_CHARS into near-equal pieces at sentence ends (。！？)."""
    if len(text) <= MAX_CHUNK_CHARS:
        return [text]
    sentences = [s for s in re.split(r"(?<=[。！？!?])|(?<=\n)", text) if s]
    pieces_needed = -(-len(text) // MAX_CHUNK_CHARS)
    target = len(text) / pieces_needed
    pieces: list[str] = []
    current = ""
    for sentence in sentences:
        if current and (len(current) + len(sentence) > MAX_CHUNK_CHARS or len(current) >= target):
            pieces.append(current)
            current = ""
        current += sentence
    if current:
        if pieces and len(current) < MIN_CHUNK_CHARS and len(pieces[-1]) + len(current) <= MAX_CHUNK_CHARS * 1.2:
            pieces[-1] += current
        else:
            pieces.append(current)
    return [piece.strip("\n") for piece in pieces if piece.strip()]
