"""Turn what a worker typed into the text the rest of the system understands.

Used on both sides: by the Rasa NLU pipeline (a component in `bot/components.py`) and by the
retrieval layer, so a question is read the same way everywhere. Kept free of heavy imports
because the Rasa server (Python 3.10) loads it too.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import yaml
from opencc import OpenCC

LEXICON_DIR = Path(__file__).resolve().parent / "content" / "lexicon"
MAX_CHARS = 2000  # longer messages are cut: a worker's story fits, a pasted document does not
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u2028-\u202e\ufeff]")
_SPACES = re.compile(r"[ \t\u3000]+")


@lru_cache(maxsize=1)
def _t2s() -> OpenCC:
    return OpenCC("t2s")


REPLACEMENT_FILES = ("typos.yml", "dialect.yml")  # wrong or dialect → the words of the rules


@lru_cache(maxsize=1)
def _typo_pattern() -> tuple[re.Pattern[str] | None, dict[str, str]]:
    """One alternation of all known typos and dialect words, longest first, so 劳动中裁 wins over
    中裁 and 有咗BB over 咗."""
    table: dict[str, str] = {}
    for name in REPLACEMENT_FILES:
        path = LEXICON_DIR / name
        loaded = yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else {}
        table.update({str(k): str(v) for k, v in (loaded or {}).items() if k and v and k != v})
    if not table:
        return None, {}
    alternation = "|".join(re.escape(k) for k in sorted(table, key=len, reverse=True))
    return re.compile(alternation), table


def to_simplified(text: str) -> str:
    return _t2s().convert(text)


def fix_typos(text: str) -> str:
    pattern, table = _typo_pattern()
    return pattern.sub(lambda m: table[m.group(0)], text) if pattern else text


def clean(text: str) -> str:
    """Width-fold, drop control characters and collapse spaces; keeps newlines of a story."""
    text = unicodedata.normalize("NFKC", text or "")
    text = _CONTROL.sub("", text)
    text = _SPACES.sub(" ", text)
    return text.strip()[:MAX_CHARS]


def normalize(text: str) -> str:
    """The canonical form of a message: clean, simplified Chinese, common typos and dialect words
    fixed, then homophone slips of key words never listed as typos (knowledge/homophones.py)."""
    from knowledge import homophones  # it reads this module's lexicon folder

    return homophones.fix(fix_typos(to_simplified(clean(text))))
