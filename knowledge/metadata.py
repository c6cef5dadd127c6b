"""Describing a document: title, issuer, level, region, effective and repeal dates.

Everything is inferred from the text (the title line, header lines with adoption/revision dates
and the enacting body) and the file name; editor-supplied sidecar metadata (`NAME.meta.yml` next
to the file, or an entry of the folder's `metadata.yml`) wins over inference.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date
from pathlib import Path

import yaml

from knowledge.headings import ARTICLE_RE, CHAPTER_RE, INFO_END, nonempty_lines, section_heading
from knowledge.laws import NATIONAL_PREFIX
from knowledge.models import NATIONAL, DocumentMeta
from knowledge.numerals import NUMERAL_CHARS, cn_to_int, year_to_int
from knowledge.places import full_names
from knowledge.readers import IngestError

FOLDER_METADATA = "metadata.yml"
SIDECAR_SUFFIX = ".meta.yml"
OVERRIDE_KEYS = frozenset({"title", "issuer", "level", "region", "effective", "repealed", "doc_id"})

# Provincial-level divisions: full name -> short name used as `region`, and back.
PROVINCES = full_names()
_SHORT_TO_FULL = {short: full for full, short in PROVINCES.items()}

DATE_RE = re.compile(
    rf"([0-9]{{4}}|[{NUMERAL_CHARS}]{{4}})\s*年\s*([0-9]{{1,2}}|[{NUMERAL_CHARS}]{{1,3}})\s*月"
    rf"\s*([0-9]{{1,2}}|[{NUMERAL_CHARS}]{{1,3}})\s*日"
)


def find_dates(text: str) -> list[date]:
    """All valid calendar dates written as 2021年11月25日 (or in Chinese numerals)."""
    found = []
    for match in DATE_RE.finditer(text):
        try:
            found.append(date(year_to_int(match[1]), cn_to_int(match[2]), cn_to_int(match[3])))
        except (ValueError, KeyError):
            continue
    return found


def infer_meta(path: Path, text: str, overrides: dict | None = None) -> DocumentMeta:
    """Work out what a document is, so retrieval can filter by region, level and validity.

    Everything is inferred from the text (title line, header lines with adoption/revision
    dates and the enacting body) and the file name; `overrides` from sidecar metadata win,
    because an editor who wrote them knows better than a heuristic.
    """
    overrides = dict(overrides or {})
    unknown = set(overrides) - OVERRIDE_KEYS
    if unknown:
        raise IngestError(
            f"元数据中有未知字段 {sorted(unknown)}；允许的字段：{sorted(OVERRIDE_KEYS)}"
        )
    path = Path(path)
    lines = nonempty_lines(text)
    header = _header_lines(lines)

    title, subtitle = infer_title(lines, path)
    title = str(overrides.get("title") or title)
    issuer = overrides.get("issuer")
    if issuer is None:
        issuer = _infer_issuer(header, title, lines)
    region = _normalize_region(overrides["region"]) if overrides.get("region") else infer_region(title)
    level = overrides.get("level") or infer_level(title, str(issuer), region)
    if "effective" in overrides:
        effective = _to_date(overrides["effective"], "effective")
    else:
        dates = find_dates("\n".join(header))
        effective = max(dates) if dates else None
    repealed = _to_date(overrides.get("repealed"), "repealed")

    if "title" in overrides:
        subtitle = ""
    doc_id = str(overrides.get("doc_id") or "") or slugify(title + subtitle) or slugify(path.stem) or "document"
    return DocumentMeta(
        doc_id=doc_id,
        title=title,
        issuer=str(issuer),
        level=str(level),
        region=region,
        effective=effective,
        repealed=repealed,
        path=str(path),
    )


def slugify(title: str) -> str:
    """A stable id from a title: the title without punctuation, symbols and spaces.

    Chinese characters are kept on purpose -- ids like law:女职工劳动保护特别规定:第七条 are readable
    in logs and stay stable as long as the title does.
    """
    return "".join(
        ch for ch in title
        if not ch.isspace() and unicodedata.category(ch)[0] not in ("P", "S", "C", "Z")
    )


def _header_lines(lines: list[str]) -> list[str]:
    """The lines that describe the document rather than being it.

    With the corpus marker that is everything before '<!-- INFO END -->'.  Without it, the
    short lines before the first article or section heading (文号, title, date line).
    """
    if INFO_END in lines:
        return lines[: lines.index(INFO_END)]
    header = []
    for line in lines[:15]:
        if ARTICLE_RE.match(line) or CHAPTER_RE.match(line) or section_heading(line):
            break
        if len(line) <= 100:
            header.append(line)
    return header


_TITLE_ENDINGS = (
    "意见", "通知", "决定", "规定", "办法", "条例", "解释", "批复", "方案", "细则", "规则",
    "公告", "通告", "纲要", "规划", "指引", "指南", "标准", "法", "法典",
)


def infer_title(lines: list[str], path: Path) -> tuple[str, str]:
    """(title, subtitle): the first '# ' heading, else a title-like line, else the file name.

    Consecutive '# ' headings (民法典 / 人格权编) give a subtitle that only feeds the doc_id: the
    citation title stays 《中华人民共和国民法典》 because article numbers run through the code.
    """
    for index, line in enumerate(lines[:20]):
        if line.startswith("# "):
            title = clean_title(line[2:])
            subtitle = ""
            for following in lines[index + 1:index + 4]:
                if not following.startswith("# "):
                    break
                subtitle += clean_title(following[2:])
            return title, subtitle
    head = [line for line in lines[:12] if line != INFO_END]
    for line in head:
        candidate = clean_title(line)
        if len(candidate) <= 60 and "关于" in candidate and candidate.endswith(_TITLE_ENDINGS):
            return candidate, ""
    for line in head[:1]:
        candidate = clean_title(line.lstrip("#"))
        if candidate and len(candidate) <= 60 and not candidate.endswith(("。", "；", "，")):
            return candidate, ""
    return clean_title(path.stem) or path.stem, ""


def clean_title(raw: str) -> str:
    """Strip markup, book-title marks and spaces between Chinese characters (排版空格)."""
    title = raw.strip().strip("#").strip()
    if title.startswith("《") and title.endswith("》"):
        title = title[1:-1]
    title = re.sub(r"(?<=[\u4e00-\u9fff（）《》])[ \u3000]+(?=[\u4e00-\u9fff（）《》])", "", title)
    return re.sub(r"\s+", " ", title).strip()


def infer_region(title: str) -> str:
    """Provincial region from a title that starts with a province name, else from a place the
    spaCy EntityRuler recognises in it (深圳市… -> 广东), else 全国."""
    for full, short in PROVINCES.items():
        if title.startswith(full):
            return short
    for full, short in PROVINCES.items():
        if title.startswith(short) and len(title) > len(short):
            return short
    from knowledge.entities import extract

    places = [e["id"] for e in extract(title) if e["entity"] == "province" and e["start"] == 0 and e["id"]]
    return places[0] if places else NATIONAL


def _normalize_region(value: object) -> str:
    """Accept 上海, 上海市 or 'national' in sidecars and store the short form."""
    text = str(value).strip()
    if text.lower() in ("national", "全国", "cn", "china"):
        return NATIONAL
    return PROVINCES.get(text, text)


_PROVINCE_ALTERNATION = "|".join(
    sorted([*PROVINCES, *(short + suffix for short in _SHORT_TO_FULL for suffix in ("省", "市"))],
           key=len, reverse=True)
)
_CONGRESS_RE = re.compile(
    rf"(?:(?P<place>{_PROVINCE_ALTERNATION}|(?<![\u4e00-\u9fff])[\u4e00-\u9fff]{{2,6}}(?:市|自治州))\s*)?"
    rf"第[{NUMERAL_CHARS}]+届\s*(?P<national>全国)?人民代表大会(?P<standing>常务委员会)?"
)
_MINISTRY_RE = re.compile(
    r"(?P<body>[\u4e00-\u9fff]{2,24}?(?:部|委员会|总局|局|署|银行))"
    r"(?:第[0-9一二三四五六七八九十百]+次(?:部务|委务|局务|署务|行务|主任)?会议|令)"
)


def _infer_issuer(header: list[str], title: str, lines: list[str]) -> str:
    """The enacting body: from the first header line that names one, else from the title
    ('中华全国总工会关于…' -> 中华全国总工会) or a red-head line ('中华全国总工会文件')."""
    for line in header:
        issuer = _issuer_in_line(DATE_RE.sub(" ", line))
        if issuer:
            return issuer
    prefix = title.split("关于", 1)[0] if "关于" in title else ""
    if 2 <= len(prefix) <= 30:
        return prefix
    for line in lines[:3]:
        match = re.fullmatch(r"([\u4e00-\u9fff]{2,30}?)文件", line)
        if match:
            return match[1]
    return ""


def _issuer_in_line(line: str) -> str:
    match = _CONGRESS_RE.search(line)
    if match:
        if match["national"]:
            return "全国人民代表大会" + (match["standing"] or "")
        place = match["place"] or ""
        if place[:-1] in _SHORT_TO_FULL:  # 广东省 / 上海市 -> canonical full name
            place = _SHORT_TO_FULL[place[:-1]]
        if place:
            return place + "人民代表大会" + (match["standing"] or "")
    for court in ("最高人民法院", "最高人民检察院"):
        if court in line:
            return court
    match = re.search(r"国务院(办公厅)?", line)
    if match:
        return match[0]
    match = _MINISTRY_RE.search(line)
    if match:
        return re.sub(r"^(经|由|根据)", "", match["body"])
    return ""


def infer_level(title: str, issuer: str, region: str) -> str:
    """The rank of a norm (法律 > 行政法规 > 地方性法规/部门规章 > 政策文件) from title and issuer.

    It matters for answers: a worker should hear the national law first and a local rule as
    'in 上海' only.
    """
    name = re.sub(r"[（(][^（）()]*[)）]$", "", title).strip()
    name = name.removeprefix(NATIONAL_PREFIX)
    if ("最高人民法院" in title or "最高人民检察院" in title or issuer.startswith("最高人民")) and (
        "解释" in name or "规定" in name or "批复" in name
    ):
        return "司法解释"
    if region == NATIONAL and (name.endswith("法典") or (name.endswith("法") and not name.endswith("办法"))):
        return "法律"
    is_rule = name.endswith(("条例", "规定", "办法", "细则", "规则"))
    if region != NATIONAL:
        if not is_rule:
            return "政策文件"
        if "人民政府" in issuer:
            return "地方政府规章"
        return "地方性法规"
    if not is_rule:
        return "政策文件"
    if issuer.startswith("国务院") or (name.endswith("条例") and not issuer):
        return "行政法规"
    if "全国人民代表大会" in issuer:
        return "法律"
    if issuer and _MINISTRY_RE.search(issuer + "令") and not issuer.endswith("总工会"):
        return "部门规章"
    return "政策文件"


def _to_date(value: object, key: str) -> date | None:
    """Sidecar dates: YAML already gives `date` for unquoted 2024-01-01; strings are parsed."""
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        dates = find_dates(str(value))
        if dates:
            return dates[0]
        raise IngestError(f"元数据字段 {key} 的日期无法识别：{value!r}（应为 YYYY-MM-DD）") from None


def load_sidecar_overrides(path: Path) -> dict:
    """Editor-supplied metadata for a file: folder `metadata.yml` entry, then `X.meta.yml`.

    The per-file sidecar wins over the folder mapping; both win over inference.
    """
    path = Path(path)
    overrides: dict = {}
    folder_file = path.parent / FOLDER_METADATA
    if folder_file.is_file():
        mapping = _load_yaml(folder_file)
        entry = mapping.get(path.name) if isinstance(mapping, dict) else None
        if entry is not None and not isinstance(entry, dict):
            raise IngestError(f"{FOLDER_METADATA} 中 {path.name} 的内容应为键值对")
        overrides.update(entry or {})
    sidecar = path.with_name(path.stem + SIDECAR_SUFFIX)
    if sidecar.is_file():
        data = _load_yaml(sidecar)
        if data is not None and not isinstance(data, dict):
            raise IngestError(f"{sidecar.name} 的内容应为键值对")
        overrides.update(data or {})
    return overrides


def _load_yaml(path: Path) -> object:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise IngestError(f"元数据文件 {path.name} 无法读取：{exc}") from exc
