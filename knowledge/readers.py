"""Reading documents: the plain text of the files people actually have.

Markdown/text in UTF-8, GBK/GB18030 or Big5 (with or without a BOM), Word (.docx), PDF with a text
layer and saved web pages, one paragraph per line.  A file that yields no usable text is refused
with a reason a content editor can act on (`IngestError`), before anything else looks at it.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

DEFAULT_MAX_BYTES = 20_000_000
SUPPORTED_SUFFIXES = (".md", ".txt", ".docx", ".pdf", ".html", ".htm")


class IngestError(Exception):
    """Why a file was not imported, phrased for the person maintaining the content."""


def _reason(exc: Exception, path: Path) -> str:
    """A library's error text without the server's folders (it is shown in the console)."""
    path = Path(path)
    return str(exc).replace(str(path.resolve()), path.name).replace(str(path), path.name)[:300]


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
