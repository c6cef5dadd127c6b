"""knowledge.privacy: personal numbers masked in whatever form they are typed, and in every log record."""
from __future__ import annotations

import io
import json
import logging
from contextlib import contextmanager
from typing import Iterator

import pytest

from knowledge.privacy import install_log_masking, mask

PHONE, ID = "13812345678", "110101199003077777"

TYPED = [  # how people type them (and how logs print them)
    "13812345678", "138 1234 5678", "138-1234-5678", "+86 138 1234 5678", "+86-138-1234-5678", "8613812345678",
    "(+86)138.1234.5678", "138　1234　5678", "１３８１２３４５６７８", "１３８－１２３４－５６７８",
    "138 - 1234 - 5678", "138+1234+5678",
    "110101199003077777", "110101 19900307 7777", "110101-1990-0307-7777", "１１０１０１１９９００３０７７７７７",
    "11010119900307777X", "11010119900307777x", "110101 19900307 777Ｘ",
]


def clear(text: str) -> bool:
    """Whether the phone or the ID (their digits, whatever stands between them) is still readable."""
    digits = "".join(c for c in text if c.isdigit() or c in "Xx")
    return PHONE in digits or ID[:17] in digits


@pytest.mark.parametrize("typed", TYPED)
def test_every_common_format_is_masked(typed):
    masked = mask(f"我的号码是{typed}，请联系我")
    assert not clear(masked), masked
    assert masked.startswith("我的号码是") and masked.endswith("，请联系我")


@pytest.mark.parametrize("typed", TYPED)
def test_escaped_forms_in_logs_are_masked(typed):
    """A JSON body (\\uXXXX) or a bytes repr (\\xHH) in a log line must not hide a number."""
    for shown in (json.dumps(f"身份证{typed}"), repr(f"证{typed}".encode()), repr(repr(f"证{typed}".encode()))):
        masked = mask(shown)
        assert not clear(masked.encode().decode("unicode_escape", "ignore")), (shown, masked)


def test_the_mask_keeps_what_identifies_nothing():
    assert mask("手机13812345678") == "手机138****5678"
    assert mask("身份证110101199003077777") == "身份证110*************77"
    for text in ("2024-03-05 产假98天 工资6000元", "时间 1764271234.567891", "12351 12338 110", "第47条", "😀"):
        assert mask(text) == text


def test_a_landline_is_masked():
    assert "12345678" not in mask("座机 010-12345678") and "8888 6666" not in mask("0755 8888 6666")


@contextmanager
def logged(name: str) -> Iterator[tuple[logging.Logger, io.StringIO]]:
    """A logger of this process (masking installed) and what its records turn into."""
    install_log_masking()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger(name)
    logger.addHandler(handler)
    try:
        yield logger, stream
    finally:
        logger.removeHandler(handler)


def test_every_log_record_is_masked():
    with logged("test.privacy") as (logger, stream):
        logger.error("message %s from %r", "我手机 138 1234 5678", {"id": ID})
        logger.warning({"text": "１３８１２３４５６７８"})
        logger.warning("%d turns", 13812345678)  # a number that is not text keeps its format
        try:
            raise ValueError(f"bad body b'{json.dumps('证' + ID)}'")
        except ValueError:
            logger.exception("action failed for %s", PHONE)
    written = stream.getvalue()
    assert "138****5678" in written and "ValueError" in written and "13812345678 turns" in written
    assert not clear(written.replace("13812345678 turns", "")), written


def test_a_record_that_cannot_be_masked_is_withheld_and_the_caller_goes_on():
    class Unprintable:
        def __str__(self) -> str:
            raise RuntimeError("no text")

    with logged("test.privacy.withheld") as (logger, stream):
        logger.error("object %s of 13812345678", Unprintable())
    assert "withheld" in stream.getvalue() and "13812345678" not in stream.getvalue()
