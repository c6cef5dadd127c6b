"""Personal numbers (mobile, resident ID, landline) masked before any text is logged or stored.

Defined once here, in the standard-library layer, because both Python environments write text: the
Rasa server (its log, the tracker store: bot/) and the action server, console and app database
(actions/, console/, appdb/). People type numbers as they please -- 13812345678, 138 1234 5678,
138-1234-5678, +86 138 1234 5678, 110101 19900307 7777, full-width digits -- so every decimal digit
counts and up to three separator characters may stand between two digits. A number run into other
digits by separators is still masked (a masked date is a small loss; a phone number in clear is not).

`install_log_masking` makes every log record of the process pass through `mask`, whichever library
logs it (Rasa logs the action server's error body with the whole conversation, its REST channel logs
the raw message when a turn fails, uvicorn logs the query string).
"""
from __future__ import annotations

import logging
import re
import traceback
import unicodedata
from typing import Any, Callable

# Every decimal digit of any script (full-width ０-９ among them) and the full-width plus and X are
# folded to ASCII first, so the patterns below stay simple. Escapes are read first too, as logs show a
# JSON body (\u8bc1\uff11…) or the bytes of one (\xe8\xaf\x81…): a number must not hide behind them.
_OTHER_DIGIT = re.compile(r"(?![0-9])\d")
_FOLD = str.maketrans("＋Ｘｘ", "+Xx")
_JSON_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")
_BYTE_ESCAPES = re.compile(r"(?:\\{1,2}x[0-9a-fA-F]{2})+")  # \\xHH once more escaped in a repr of a repr
_MAYBE_NUMBER = re.compile(r"[\d\\]")  # a digit of any script, or an escape that may hide one


def _json_char(match: re.Match[str]) -> str:
    code = int(match.group(1), 16)
    return match.group(0) if 0xD800 <= code <= 0xDFFF else chr(code)  # half an emoji stays escaped


def _utf8_chars(match: re.Match[str]) -> str:
    try:
        return bytes.fromhex(match.group(0).replace("\\", "").replace("x", "")).decode("utf-8")
    except UnicodeDecodeError:
        return match.group(0)


_GAP = r"[\s\-‐‑‒–—―−－.．·•_/()（）+]{0,3}"  # between digits: spaces, dashes, dots, brackets (+: a URL's space)
_ID = re.compile(rf"(?<!\d)([1-9](?:{_GAP}\d){{16}}{_GAP}[\dXx]|[1-9](?:{_GAP}\d){{14}})(?!\d)")  # 18 / old 15 digits
_PHONE = re.compile(rf"(?<!\d)((?:(?:\+|00)?86{_GAP})?)(1{_GAP}[3-9](?:{_GAP}\d){{9}})(?!\d)")  # mainland mobile
_LANDLINE = re.compile(rf"(?<!\d)(0\d{{2,3}}{_GAP})(\d{{3,4}}{_GAP}\d{{4}})(?!\d)")  # area code + 7/8 digits
_DIGITS = re.compile(r"[^\dXx]")


def _digits(text: str) -> str:
    return _DIGITS.sub("", text)


def _id(match: re.Match[str]) -> str:
    d = _digits(match.group(1))
    return d[:3] + "*" * (len(d) - 5) + d[-2:]


def _phone(match: re.Match[str]) -> str:
    d = _digits(match.group(2))
    return f"{match.group(1)}{d[:3]}****{d[-4:]}"


def _landline(match: re.Match[str]) -> str:
    return f"{match.group(1)}****{_digits(match.group(2))[-4:]}"


def mask(text: str) -> str:
    """Keep enough digits to recognise a number (138****5678, 110*************77), never enough to use it."""
    if not _MAYBE_NUMBER.search(text):
        return text  # most log records and tracker strings: no digit, nothing escaped, nothing to mask
    text = _BYTE_ESCAPES.sub(_utf8_chars, _JSON_ESCAPE.sub(_json_char, text))
    text = _OTHER_DIGIT.sub(lambda m: str(unicodedata.digit(m.group())), text).translate(_FOLD)
    text = _ID.sub(_id, text)
    text = _PHONE.sub(_phone, text)
    return _LANDLINE.sub(_landline, text)


def mask_value(value: Any) -> Any:
    """`value` with every string in it masked (dicts, lists and tuples walked; numbers kept as they are)."""
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, dict):
        return {k: mask_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(mask_value(v) for v in value)
    return value


def _masked_arg(arg: Any) -> Any:
    """A log argument with numbers masked; other objects are replaced by their masked text only when
    masking changed it (so %d of an int still formats)."""
    if arg is None or isinstance(arg, (str, bool, int, float, dict, list, tuple)):
        return mask_value(arg)
    text = str(arg)
    masked = mask(text)
    return arg if masked == text else masked


WITHHELD = "(log message withheld: it could not be masked)"


def _masking_factory(make: Callable[..., logging.LogRecord]) -> Callable[..., logging.LogRecord]:
    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make(*args, **kwargs)
        try:
            _mask_record(record)
        except Exception:  # noqa: BLE001  (logging must never break the code that logs)
            record.msg, record.args, record.exc_info, record.exc_text = WITHHELD, (), None, None
        return record

    factory.masks_numbers = True  # type: ignore[attr-defined]
    return factory


def _mask_record(record: logging.LogRecord) -> None:
    record.msg = _masked_arg(record.msg)
    if isinstance(record.args, dict):
        record.args = mask_value(record.args)
    elif record.args:
        record.args = tuple(_masked_arg(a) for a in record.args)
    if record.exc_info and record.exc_info[0] is not None:  # formatters use exc_text when it is set
        record.exc_text = mask("".join(traceback.format_exception(*record.exc_info)).rstrip("\n"))
    if record.stack_info:
        record.stack_info = mask(record.stack_info)


def install_log_masking() -> None:
    """Mask every log record this process creates, from any logger (idempotent). Called on import by
    the bot, actions and console packages, before any conversation is handled."""
    current = logging.getLogRecordFactory()
    if not getattr(current, "masks_numbers", False):
        logging.setLogRecordFactory(_masking_factory(current))
