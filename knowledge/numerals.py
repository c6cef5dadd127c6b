"""Chinese numerals, defined once: article numbers (第四十二条), dates (二〇二二年十一月五日), counts.

Standard library only, because both Python environments use it: the Rasa side (the entity patterns
of `knowledge.entities`) and the action server, retrieval library and importer.  Numbers beyond
what laws and dates need (万, 亿, money amounts) are left to `cn2an` in the answer logic.
"""
from __future__ import annotations

DIGITS = "零一二三四五六七八九"  # DIGITS[n] writes n
YEAR_DIGIT_CHARS = "零〇一二三四五六七八九"  # a year is read digit by digit: 二〇二二
DIGIT_CHARS = "零〇一二两三四五六七八九"  # every character that writes a digit (〇 = 零, 两 = 二)
NUMERAL_CHARS = DIGIT_CHARS + "十百千"  # every character of a numeral below 10,000

_VALUES = {**{ch: n for n, ch in enumerate(DIGITS)}, "〇": 0, "两": 2}
_UNITS = {"十": 10, "百": 100, "千": 1000}


def cn_to_int(numeral: str) -> int:
    """'一千零三十九' -> 1039, '十' -> 10, '98' -> 98; needed to order article numbers."""
    if numeral.isdigit():
        return int(numeral)
    total, current = 0, 0
    for ch in numeral:
        if ch in _VALUES:
            current = _VALUES[ch]
        elif ch in _UNITS:
            total += (current or 1) * _UNITS[ch]
            current = 0
        else:
            raise ValueError(f"not a Chinese numeral: {numeral!r}")
    return total + current


def year_to_int(year: str) -> int:
    """Years are written digit by digit (二〇二二), unlike other numbers; KeyError for a unit (十)."""
    if year.isdigit():
        return int(year)
    return int("".join(str(_VALUES[ch]) for ch in year))


def cn_number(n: int) -> str:
    """Chinese numeral as written in article numbers: 42 -> 四十二, 110 -> 一百一十, 1010 -> 一千零一十."""
    if not 0 < n < 10000:
        raise ValueError(n)
    if n < 10:
        return DIGITS[n]
    if n < 20:
        return "十" + (DIGITS[n % 10] if n % 10 else "")

    def below_100(m: int, leading: bool) -> str:
        tens, ones = divmod(m, 10)
        if tens == 0:
            return DIGITS[ones]
        if tens == 1 and leading:
            return "十" + (DIGITS[ones] if ones else "")
        return DIGITS[tens] + "十" + (DIGITS[ones] if ones else "")

    out, rest, zero = "", n, False
    for value, unit in ((1000, "千"), (100, "百")):
        digit, rest = divmod(rest, value)
        if digit:
            if zero:
                out += "零"
            out += DIGITS[digit] + unit
            zero = False
        elif out:
            zero = True
    if rest:
        if out and (zero or rest < 10):
            out += "零"
        out += below_100(rest, leading=not out)
    return out


_RANGE_UNITS = {**_UNITS, "万": 10000, "": 1}


def range_low(numeral: str) -> int | None:
    """The lower end of an "about" numeral, two neighbouring digits and perhaps a unit: 两三 -> 2, 六七十 -> 60,
    三四千 -> 3000; None for any other numeral. cn2an reads 两三 as 23, so 干了两三年 became 23 years."""
    if len(numeral) not in (2, 3):
        return None
    first, second, unit = numeral[0], numeral[1], numeral[2:]
    if first not in _VALUES or second not in _VALUES or unit not in _RANGE_UNITS:
        return None
    low = _VALUES[first]
    return low * _RANGE_UNITS[unit] if low > 0 and _VALUES[second] == low + 1 else None
