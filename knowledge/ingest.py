"""Document import: turn law texts and policy documents into retrievable `Entry` records.

The retrieval layer answers from, and cites, single articles of laws and single sections of
policy documents.  This module reads files in the formats people actually have (Markdown/text
in UTF-8 or GBK, Word, PDF, saved web pages), works out what the document is (title, level,
region, dates) and cuts it into those units.

Import never trusts its input: a file that cannot be used is reported with a reason a content
editor can act on (`IngestError`), and a folder import carries on with the other files.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Iterable

import yaml

from knowledge.models import NATIONAL, DocumentMeta, Entry

__all__ = [
    "IngestError",
    "ImportReport",
    "SUPPORTED_SUFFIXES",
    "PROVINCES",
    "read_text",
    "infer_meta",
    "short_title",
    "load_sidecar_overrides",
    "chunk_document",
    "import_file",
    "import_folder",
    "import_paths",
]

DEFAULT_MAX_BYTES = 20_000_000
SUPPORTED_SUFFIXES = (".md", ".txt", ".docx", ".pdf", ".html", ".htm")
INFO_END = "<!-- INFO END -->"
FOLDER_METADATA = "metadata.yml"
SIDECAR_SUFFIX = ".meta.yml"

# Policy chunks: small enough to answer from, big enough to carry context.
MIN_CHUNK_CHARS = 80
MAX_CHUNK_CHARS = 600

# Provincial-level divisions: full name -> short name used as `region`.
PROVINCES: dict[str, str] = {
    "北京市": "北京", "天津市": "天津", "上海市": "上海", "重庆市": "重庆",
    "河北省": "河北", "山西省": "山西", "辽宁省": "辽宁", "吉林省": "吉林",
    "黑龙江省": "黑龙江", "江苏省": "江苏", "浙江省": "浙江", "安徽省": "安徽",
    "福建省": "福建", "江西省": "江西", "山东省": "山东", "河南省": "河南",
    "湖北省": "湖北", "湖南省": "湖南", "广东省": "广东", "海南省": "海南",
    "四川省": "四川", "贵州省": "贵州", "云南省": "云南", "陕西省": "陕西",
    "甘肃省": "甘肃", "青海省": "青海",
    "内蒙古自治区": "内蒙古", "广西壮族自治区": "广西", "西藏自治区": "西藏",
    "宁夏回族自治区": "宁夏", "新疆维吾尔自治区": "新疆",
}
_SHORT_TO_FULL = {short: full for full, short in PROVINCES.items()}

OVERRIDE_KEYS = frozenset({"title", "issuer", "level", "region", "effective", "repealed", "doc_id"})


class IngestError(Exception):
    """Why a file was not imported, phrased for the person maintaining the content."""


def _reason(exc: Exception, path: Path) -> str:
    """A library's error text without the server's folders (it is shown in the console)."""
    path = Path(path)
    return str(exc).replace(str(path.resolve()), path.name).replace(str(path), path.name)[:300]


# --------------------------------------------------------------------------------------------
# Reading files
# --------------------------------------------------------------------------------------------

def read_text(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """Extract the plain text of a document, one paragraph per line.

    The size is checked before anything is read so an accidental video or database dump in the
    content folder costs nothing.  Raises `IngestError` for anything that yields no usable text.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise IngestError(
            f"不支持的文件类型 {suffix or '（无扩展名）'}；支持：{', '.join(SUPPORTED_SUFFIXES)}"
        )
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise IngestError(f"无法读取文件：{exc}") from exc
    if size == 0:
        raise IngestError("文件为空（0 字节）")
    if size > max_bytes:
        raise IngestError(f"文件过大：{size:,} 字节，超过上限 {max_bytes:,} 字节")

    if suffix in (".md", ".txt"):
        text = _decode_text(_read_bytes(path, max_bytes))
    elif suffix == ".docx":
        text = _read_docx(path)
    elif suffix == ".pdf":
        text = _read_pdf(path)
    else:
        text = _read_html(_read_bytes(path, max_bytes))

    text = _normalize_text(text)
    if not _has_usable_text(text):
        raise IngestError("文档中没有可用的文字内容（可能是扫描件、空白文档或只有格式）")
    return text


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    """Read at most max_bytes + 1 bytes, so a file that grew after the size check is still refused."""
    try:
        with path.open("rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise IngestError(f"无法读取文件：{exc}") from exc
    if len(data) > max_bytes:
        raise IngestError(f"文件过大：超过上限 {max_bytes:,} 字节")
    if not data:
        raise IngestError("文件为空（0 字节）")
    return data


def _decode_text(data: bytes) -> str:
    """Decode a text file whose encoding nobody wrote down.

    Order matters: a BOM is authoritative; UTF-8 is strict enough that a successful decode is
    almost never wrong; only then guess among the legacy Chinese encodings (GBK/GB18030 from
    Windows Notepad, Big5 from Taiwan/Hong Kong sources).
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return _check_not_binary(data[3:].decode("utf-8", errors="replace"))
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _check_not_binary(data.decode("utf-16", errors="replace"))
    if b"\x00" in data:
        raise IngestError("文件看起来是二进制数据，不是文本")
    try:
        return _check_not_binary(data.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    text = _guess_chinese_encoding(data)
    if text is None:
        raise IngestError("无法识别文件编码（不是 UTF-8、GBK/GB18030 或 Big5 文本，可能是二进制文件）")
    return _check_not_binary(text)


def _guess_chinese_encoding(data: bytes) -> str | None:
    """Pick between GB18030 and Big5 with charset-normalizer, falling back to strict decodes."""
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=["gb18030", "gbk", "big5"]).best()
    if best is not None:
        return str(best)
    for encoding in ("gb18030", "big5"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _check_not_binary(text: str) -> str:
    """Refuse text that decoded 'successfully' but is mostly garbage (replacement/control chars)."""
    sample = text[:200_000]  # enough to judge; keeps a 20 MB text file cheap
    if not sample:
        return text
    bad = sum(1 for ch in sample if ch == "\ufffd" or _is_control(ch))
    if bad / len(sample) > 0.05:
        raise IngestError("文件看起来是二进制数据，不是文本（大量无法解码或控制字符）")
    return text


def _is_control(ch: str) -> bool:
    return unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f\v"


def _read_docx(path: Path) -> str:
    """Paragraphs and table rows of a Word document, in document order.

    Tables are kept because law appendices (禁忌劳动范围, 伤残等级) are often typeset as tables.
    A 'Title'/'Heading 1' paragraph becomes a '# ' heading so the title is found like in Markdown.
    """
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        document = docx.Document(str(path))
    except Exception as exc:  # python-docx raises several unrelated types for broken files
        raise IngestError(f"不是有效的 Word (.docx) 文件：{_reason(exc, path)}") from exc

    lines: list[str] = []
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            paragraph = Paragraph(child, document)
            text = paragraph.text.strip()
            style = (paragraph.style.name if paragraph.style is not None else "") or ""
            if text and style in ("Title", "Heading 1") and not lines:
                text = "# " + text
            lines.append(text)
        elif tag == "tbl":
            for row in Table(child, document).rows:
                cells = _dedupe_merged_cells(cell.text.strip() for cell in row.cells)
                lines.append(" | ".join(cells))
    return "\n".join(lines)


def _dedupe_merged_cells(cells: Iterable[str]) -> list[str]:
    """python-docx repeats a merged cell once per grid column; keep it once."""
    out: list[str] = []
    for cell in cells:
        if cell and (not out or out[-1] != cell):
            out.append(cell)
    return out


def _read_pdf(path: Path) -> str:
    """Text layer of a PDF; scanned PDFs have none and are reported as such by the caller."""
    try:
        from pypdf import PdfReader

        reader = PdfReader(str(path))
        if reader.is_encrypted:
            reader.decrypt("")
        pages = [page.extract_text() or "" for page in reader.pages]
    except Exception as exc:  # pypdf raises many types for damaged or encrypted files
        raise IngestError(f"无法解析 PDF 文件（损坏或加密）：{_reason(exc, path)}") from exc
    return "\n".join(pages)


_HTML_BLOCKS = (
    "p", "div", "section", "article", "li", "tr", "table", "ul", "ol", "dd", "dt", "dl",
    "blockquote", "pre", "header", "footer", "main", "aside", "nav", "td", "th",
    "h1", "h2", "h3", "h4", "h5", "h6",
)


def _read_html(data: bytes) -> str:
    """Visible text of a saved web page with one line per block element.

    Scripts, styles and the <head> are dropped; the first <h1> (else <title>) becomes the
    '# ' title line so metadata inference works as for Markdown.
    """
    from bs4 import BeautifulSoup

    try:
        soup = BeautifulSoup(data, "html.parser")
    except Exception as exc:
        raise IngestError(f"无法解析 HTML 文件：{exc}") from exc

    page_title = soup.title.get_text(" ", strip=True) if soup.title else ""
    # '女职工劳动保护特别规定_中国政府网': drop the site name browsers append to saved pages
    page_title = re.split(r"\s*(?:_|\||｜|\s-\s|\s—\s)\s*", page_title)[0]
    for tag in soup(["script", "style", "noscript", "template", "head", "iframe", "svg"]):
        tag.decompose()
    h1 = soup.find("h1")
    heading = h1.get_text(" ", strip=True) if h1 else ""
    if h1 is not None:
        h1.decompose()
    for br in soup.find_all("br"):
        br.replace_with("\n")
    for block in soup.find_all(_HTML_BLOCKS):
        block.insert_before("\n")
        block.append("\n")

    lines = [re.sub(r"[ \t\r\f\v\xa0]+", " ", line).strip() for line in soup.get_text().split("\n")]
    body = "\n".join(line for line in lines if line)
    title = heading or page_title
    return f"# {title}\n{body}" if title else body


def _normalize_text(text: str) -> str:
    """Unify line ends, drop BOMs/zero-width characters and trailing spaces."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"[\ufeff\u200b\u200c\u200d\u2060]", "", text)
    text = text.replace("\xa0", " ")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")


def _has_usable_text(text: str) -> bool:
    """At least a few letters or Chinese characters (not just punctuation or markup)."""
    meaningful = sum(1 for ch in text if ch.isalnum())
    return meaningful >= 2


# --------------------------------------------------------------------------------------------
# Metadata
# --------------------------------------------------------------------------------------------

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_NUM = "零〇一二两三四五六七八九十百千"

_DATE_RE = re.compile(
    rf"([0-9]{{4}}|[{_CN_NUM}]{{4}})\s*年\s*([0-9]{{1,2}}|[{_CN_NUM}]{{1,3}})\s*月"
    rf"\s*([0-9]{{1,2}}|[{_CN_NUM}]{{1,3}})\s*日"
)


def cn_to_int(numeral: str) -> int:
    """'一千零三十九' -> 1039, '十' -> 10, '98' -> 98; needed to order article numbers."""
    if numeral.isdigit():
        return int(numeral)
    total, current = 0, 0
    for ch in numeral:
        if ch in _CN_DIGITS:
            current = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            total += (current or 1) * _CN_UNITS[ch]
            current = 0
        else:
            raise ValueError(f"not a Chinese numeral: {numeral!r}")
    return total + current


def _year_to_int(year: str) -> int:
    """Years are written digit by digit (二〇二二), unlike other numbers."""
    if year.isdigit():
        return int(year)
    return int("".join(str(_CN_DIGITS[ch]) for ch in year))


def find_dates(text: str) -> list[date]:
    """All valid calendar dates written as 2021年11月25日 (or in Chinese numerals)."""
    found = []
    for match in _DATE_RE.finditer(text):
        try:
            found.append(date(_year_to_int(match[1]), cn_to_int(match[2]), cn_to_int(match[3])))
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
    lines = _nonempty_lines(text)
    header = _header_lines(lines)

    title, subtitle = _infer_title(lines, path)
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


_SHORT_PREFIXES = (("中华人民共和国", ""), ("中华全国总工会", "全总"))


def short_title(title: str) -> str:
    """The name FAQ citations use: 劳动合同法 for 中华人民共和国劳动合同法, 全总关于… for
    中华全国总工会关于…, so `LegalBasis.law` can be matched to imported documents."""
    for prefix, replacement in _SHORT_PREFIXES:
        if title.startswith(prefix) and len(title) > len(prefix):
            return replacement + title[len(prefix):]
    return title


def _nonempty_lines(text: str) -> list[str]:
    return [line.strip() for line in text.split("\n") if line.strip()]


def _header_lines(lines: list[str]) -> list[str]:
    """The lines that describe the document rather than being it.

    With the corpus marker that is everything before '<!-- INFO END -->'.  Without it, the
    short lines before the first article or section heading (文号, title, date line).
    """
    if INFO_END in lines:
        return lines[: lines.index(INFO_END)]
    header = []
    for line in lines[:15]:
        if _ARTICLE_RE.match(line) or _CHAPTER_RE.match(line) or _section_heading(line):
            break
        if len(line) <= 100:
            header.append(line)
    return header


_TITLE_ENDINGS = (
    "意见", "通知", "决定", "规定", "办法", "条例", "解释", "批复", "方案", "细则", "规则",
    "公告", "通告", "纲要", "规划", "指引", "指南", "标准", "法", "法典",
)


def _infer_title(lines: list[str], path: Path) -> tuple[str, str]:
    """(title, subtitle): the first '# ' heading, else a title-like line, else the file name.

    Consecutive '# ' headings (民法典 / 人格权编) give a subtitle that only feeds the doc_id: the
    citation title stays 《中华人民共和国民法典》 because article numbers run through the code.
    """
    for index, line in enumerate(lines[:20]):
        if line.startswith("# "):
            title = _clean_title(line[2:])
            subtitle = ""
            for following in lines[index + 1:index + 4]:
                if not following.startswith("# "):
                    break
                subtitle += _clean_title(following[2:])
            return title, subtitle
    head = [line for line in lines[:12] if line != INFO_END]
    for line in head:
        candidate = _clean_title(line)
        if len(candidate) <= 60 and "关于" in candidate and candidate.endswith(_TITLE_ENDINGS):
            return candidate, ""
    for line in head[:1]:
        candidate = _clean_title(line.lstrip("#"))
        if candidate and len(candidate) <= 60 and not candidate.endswith(("。", "；", "，")):
            return candidate, ""
    return _clean_title(path.stem) or path.stem, ""


def _clean_title(raw: str) -> str:
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
    rf"第[{_CN_NUM}]+届\s*(?P<national>全国)?人民代表大会(?P<standing>常务委员会)?"
)
_MINISTRY_RE = re.compile(
    r"(?P<body>[\u4e00-\u9fff]{2,24}?(?:部|委员会|总局|局|署|银行))"
    r"(?:第[0-9一二三四五六七八九十百]+次(?:部务|委务|局务|署务|行务|主任)?会议|令)"
)


def _infer_issuer(header: list[str], title: str, lines: list[str]) -> str:
    """The enacting body: from the first header line that names one, else from the title
    ('中华全国总工会关于…' -> 中华全国总工会) or a red-head line ('中华全国总工会文件')."""
    for line in header:
        issuer = _issuer_in_line(_DATE_RE.sub(" ", line))
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
    name = name.removeprefix("中华人民共和国")
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


# --------------------------------------------------------------------------------------------
# Chunking
# --------------------------------------------------------------------------------------------

_ARTICLE_RE = re.compile(
    rf"^第(?P<num>[{_CN_NUM}]+|[0-9]+)条(?P<sub>之[一二三四五六七八九十]+)?"
    rf"(?:[ \u3000\t]+|$|(?=[^规的、，,和至或及中第]))(?P<rest>.*)$"
)
_CHAPTER_RE = re.compile(
    rf"^(?:#+\s*)?(?P<label>第[{_CN_NUM}0-9]+(?P<kind>编|分编|章|节))(?:[ \u3000]*(?P<name>.{{0,30}}))?$"
)
_APPENDIX_RE = re.compile(r"^(?:#+\s*)?附\s*(?:录|件|表)\s*[一二三四五六七八九十0-9]*\s*[:：]?\s*(?P<name>.*)$")
_ITEM_RE = re.compile(r"^[（(][一二三四五六七八九十]+[)）]")

_SECTION_PATTERNS = (
    (1, re.compile(r"^(?P<num>[一二三四五六七八九十]{1,3})、\s*(?P<rest>.*)$")),
    (2, re.compile(r"^[（(](?P<num>[一二三四五六七八九十]{1,3})[)）]\s*(?P<rest>.*)$")),
    (3, re.compile(r"^(?P<num>[0-9]{1,2})[.．、](?![0-9])\s*(?P<rest>.*)$")),
    (4, re.compile(r"^[（(](?P<num>[0-9]{1,2})[)）]\s*(?P<rest>.*)$")),
)
_SENTENCE_END = "。！？；：…”」』）)】!?"


def chunk_document(meta: DocumentMeta, text: str) -> list[Entry]:
    """Cut a document into retrievable entries: one per article for laws, per section otherwise.

    Laws are cited by article, so an article is never split or merged.  Policy documents have
    no such unit, so their sections are sized for retrieval instead.
    """
    lines = _body_lines(text)
    if _find_articles(lines):
        _, subtitle = _infer_title(_nonempty_lines(text), Path(meta.path or meta.title))
        return _chunk_law(meta, lines, subtitle)
    return _chunk_policy(meta, lines)


def _body_lines(text: str) -> list[str]:
    lines = _nonempty_lines(text)
    if INFO_END in lines:
        lines = lines[lines.index(INFO_END) + 1:]
    return lines


def _find_articles(lines: list[str]) -> list[int]:
    """Indexes of article headings, accepting only increasing numbers.

    The ordering check stops a paragraph that happens to begin with '第三条规定…' from being
    taken for a new article.
    """
    found: list[int] = []
    last = 0
    for index, line in enumerate(lines):
        match = _ARTICLE_RE.match(line)
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


def _chunk_law(meta: DocumentMeta, lines: list[str], part: str = "") -> list[Entry]:
    """One entry per article (chapter/section/part kept in `extra`), plus the appendix."""
    article_starts = set(_find_articles(lines))
    articles: list[_Article] = []
    appendix: list[str] = []
    chapter = section = ""
    current: _Article | None = None
    in_appendix = False

    for index, line in enumerate(lines):
        if in_appendix:
            appendix.append(line)
            continue
        heading = _CHAPTER_RE.match(line)
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
            match = _ARTICLE_RE.match(line)
            assert match is not None
            label = f"第{match['num']}条{match['sub'] or ''}"
            current = _Article(label, [match["rest"].strip()], chapter, section, part)
            articles.append(current)
            continue
        if current is not None and len(line) <= 40 and _APPENDIX_RE.match(line):
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
        if paragraphs and _ITEM_RE.match(line):
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
    marker = _APPENDIX_RE.match(lines[0])
    name = (marker["name"].strip() if marker else "") or ""
    body = lines[1:]
    if not name and body and not _SECTION_PATTERNS[0][1].match(body[0]) and len(body[0]) <= 40:
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
        match = _SECTION_PATTERNS[0][1].match(line)
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


def _section_heading(line: str) -> tuple[int, str, str] | None:
    """(level, label, heading) when the line opens a section: '三、…', '（二）…', '1.…', '（1）…'.

    The heading is the short phrase before the first full stop ('（一）指导思想。坚持…' ->
    '（一）指导思想'), or the label alone when the section opens with a long sentence.
    """
    for level, pattern in _SECTION_PATTERNS:
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


def _chunk_policy(meta: DocumentMeta, lines: list[str]) -> list[Entry]:
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
    first_heading = next((i for i, line in enumerate(lines) if _section_heading(line)), len(lines))
    preamble = [line for line in lines[:first_heading] if not _is_header_line(line, meta.title)]
    body = _strip_trailer(lines[first_heading:])

    sections: list[_Section] = []
    if preamble:
        sections.append(_Section(path=[], lines=_join_broken_lines(preamble)))
    path: list[tuple[int, str, str]] = []
    current: _Section | None = None
    for line in body:
        heading = _section_heading(line)
        if heading:
            level = heading[0]
            path = [item for item in path if item[0] < level] + [heading]
            is_title_only = len(line) <= 40 and not line.endswith(tuple(_SENTENCE_END)) and level == 1
            current = _Section(path=list(path), lines=[] if is_title_only else [line])
            sections.append(current)
        elif current is not None:
            if current.lines and not current.lines[-1].endswith(tuple(_SENTENCE_END)):
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
    if _clean_title(line) == title or line.startswith("#") or line == INFO_END:
        return True
    stripped = _DATE_RE.sub("", line).strip(" （）()")
    if not stripped:
        return True
    return len(line) < 40 and not line.endswith(tuple(_SENTENCE_END[:4]))


def _strip_trailer(lines: list[str]) -> list[str]:
    """Drop the distribution notes at the end (此件发至…, 抄送：…, …办公厅, 2022年4月26日印发)."""
    lines = list(lines)
    trailer = re.compile(r"^([（(]此件|抄送|主送|印发|附件[:：]?$)|印发$")
    while lines:
        last = lines[-1]
        if trailer.search(last) or (len(last) < 40 and not last.endswith(tuple(_SENTENCE_END[:4]))
                                    and not _section_heading(last)):
            lines.pop()
        else:
            break
    return lines


def _join_broken_lines(lines: list[str]) -> list[str]:
    out: list[str] = []
    for line in lines:
        if out and not out[-1].endswith(tuple(_SENTENCE_END)):
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


# --------------------------------------------------------------------------------------------
# Importing files and folders
# --------------------------------------------------------------------------------------------

@dataclass
class ImportReport:
    """What an import produced and, for every file it could not use, why."""

    documents: list[tuple[DocumentMeta, list[Entry]]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)

    def entries(self) -> list[Entry]:
        """All entries of all imported documents, in import order."""
        return [entry for _, entries in self.documents for entry in entries]

    def add(self, path: Path, max_bytes: int) -> None:
        """Import one file into this report; failures become a `skipped` row, never an exception."""
        try:
            meta, entries = import_file(path, max_bytes)
        except IngestError as exc:
            self.skipped.append((str(path), str(exc)))
            return
        except Exception as exc:  # a bug or an exotic file must not stop the whole import
            self.skipped.append((str(path), f"导入时出现意外错误：{type(exc).__name__}: {exc}"))
            return
        for other, _ in self.documents:
            if other.doc_id == meta.doc_id:
                self.skipped.append(
                    (str(path), f"与已导入的 {other.path} 文档编号重复（{meta.doc_id}），请检查是否重复文件")
                )
                return
        self.documents.append((meta, entries))


def import_file(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[DocumentMeta, list[Entry]]:
    """Read, describe and chunk one file; raises `IngestError` with the reason it is unusable."""
    path = Path(path)
    if path.name == FOLDER_METADATA or path.name.endswith(SIDECAR_SUFFIX):
        raise IngestError("这是元数据文件，不是文档")
    text = read_text(path, max_bytes)
    meta = infer_meta(path, text, load_sidecar_overrides(path))
    entries = chunk_document(meta, text)
    if not entries:
        raise IngestError("没有切分出可检索的条文或段落")
    return meta, entries


def import_folder(folder: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> ImportReport:
    """Import every document under a folder (recursively, in sorted order)."""
    report = ImportReport()
    _import_folder_into(report, Path(folder), max_bytes)
    return report


def import_paths(paths: Iterable[Path | str], max_bytes: int = DEFAULT_MAX_BYTES) -> ImportReport:
    """Import a mix of files and folders, e.g. from a command line."""
    report = ImportReport()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            _import_folder_into(report, path, max_bytes)
        elif path.is_file():
            report.add(path, max_bytes)
        else:
            report.skipped.append((str(path), "文件或文件夹不存在"))
    return report


def _import_folder_into(report: ImportReport, folder: Path, max_bytes: int) -> None:
    if not folder.is_dir():
        report.skipped.append((str(folder), "文件夹不存在"))
        return
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or _is_ignored(path.relative_to(folder)):
            continue
        report.add(path, max_bytes)


def _is_ignored(relative: Path) -> bool:
    """Sidecar metadata, hidden files/folders and Office lock files (~$x.docx) are not documents."""
    name = relative.name
    if name == FOLDER_METADATA or name.endswith(SIDECAR_SUFFIX):
        return True
    return any(part.startswith((".", "~$")) for part in relative.parts)
