"""Mask personal numbers before anything is logged or stored for staff review.

Lives in appdb (not actions) because everything that stores text goes through this package: the
action server, the console and the audit log.
"""
from __future__ import annotations

import re

_ID = re.compile(r"(?<!\d)(\d{6})(\d{8})(\d{3}[\dXx])(?!\d)")  # 18-digit resident ID
_PHONE = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")  # mainland mobile
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3}-?)(\d{3,4})(\d{4})(?!\d)")


def mask(text: str) -> str:
    """Keep enough digits to recognise a number, never enough to use it."""
    text = _ID.sub(lambda m: f"{m.group(1)[:3]}***********{m.group(3)[-2:]}", text)
    text = _PHONE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)
    return _LANDLINE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)
