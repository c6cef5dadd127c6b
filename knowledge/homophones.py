"""Homophone slips of the domain's key words, corrected by their sound (pinyin input method typos).

Workers type on phones with pinyin input, so a key word often arrives as another word with the same
syllables: 怀运 for 怀孕, 辞推 for 辞退, 留产 for 流产, 产简 for 产检. typos.yml lists the slips seen;
this module catches the ones never seen, by sound. A window of text is replaced by a key word when
- it sounds the same (pinyin without tones, any reading of a character with several),
- it shares at least one character, in the same place, with the key word (so 中财 never becomes 仲裁),
- jieba's dictionary does not know it as a word: it is made of single-character tokens, so a real
  word that sounds alike (不如 for 哺乳, 运气 for 孕期, 工商 for 工伤) and a window across real words
  (和同 inside 我和同事) are left alone.
The key words are the canonical words of synonyms.yml and the right-hand sides of typos.yml: the
words this assistant's answers and rules turn on. Imported by knowledge/normalize.py, so it runs on
both Python environments (jieba and pypinyin are in both).
"""
from __future__ import annotations

import itertools
import logging
import re
from functools import lru_cache

import jieba
import yaml
from pypinyin import Style, pinyin

from knowledge.normalize import LEXICON_DIR

KEY_WORD_LENGTHS = (3, 2)  # longest first: 陪产假 before 产假
_CJK = re.compile(r"^[\u4e00-\u9fff]$")
jieba.setLogLevel(logging.WARNING)


@lru_cache(maxsize=1)
def _lexicon() -> tuple[dict, dict]:
    """synonyms.yml (canonical: [variants]) and typos.yml (slip: correction), read once."""
    return tuple(yaml.safe_load((LEXICON_DIR / name).read_text(encoding="utf-8")) or {}
                 for name in ("synonyms.yml", "typos.yml"))


@lru_cache(maxsize=1)
def key_words() -> dict[str, str]:
    """Toneless pinyin -> key word, for the key words of two and three characters."""
    synonyms, typos = _lexicon()
    words = {str(w) for w in [*synonyms, *typos.values()] if len(str(w)) in KEY_WORD_LENGTHS}
    return {" ".join(_readings(w)[0]): w for w in sorted(words)}


def _readings(text: str) -> list[tuple[str, ...]]:
    """Every way the characters can be read, without tones (a few: most characters have one)."""
    per_char = pinyin(text, style=Style.NORMAL, heteronym=True, errors="ignore")
    return list(itertools.product(*per_char)) if len(per_char) == len(text) else []


def _key_word_for(window: str) -> str | None:
    table = key_words()
    for reading in _readings(window):
        word = table.get(" ".join(reading))
        if word and word != window and any(a == b for a, b in zip(word, window)):
            return word
    return None


@lru_cache(maxsize=1)
def _domain_words() -> set[str]:
    """Every real word of the lexicon: the canonical words, their everyday variants, and what typos
    are corrected to. jieba's general dictionary lacks some (小产, 产检), and a word it splits into
    single characters could be read as a slip across its neighbour (时小产 → 时效产)."""
    synonyms, typos = _lexicon()
    words = {str(w) for w in [*synonyms, *typos.values()]}
    words |= {str(v) for variants in synonyms.values() for v in variants or ()}
    return {w for w in words if len(w) > 1 and all(_CJK.match(c) for c in w)}


@lru_cache(maxsize=1)
def _dictionary() -> jieba.Tokenizer:
    """jieba's own dictionary, private: the NLU and the index add domain words (and some listed
    slips) to the shared one, and a slip made a word there would never be corrected. The lexicon's
    real words are added, so that they are never taken apart."""
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    for word in _domain_words():
        tokenizer.add_word(word)
    return tokenizer


@lru_cache(maxsize=4096)
def fix(text: str) -> str:
    """The text with homophone slips of key words replaced (see the module docstring for when).
    Cached: one message is normalized several times in a turn (NLU, issue spotter, retrieval)."""
    out: list[str] = []
    run: list[str] = []  # consecutive single Chinese characters jieba could not join into a word
    for token in _dictionary().cut(text, HMM=False):
        if _CJK.match(token):
            run.append(token)
            continue
        out.append(_fix_run("".join(run)))
        run = []
        out.append(token)
    out.append(_fix_run("".join(run)))
    return "".join(out)


def _fix_run(chars: str) -> str:
    fixed, i = [], 0
    while i < len(chars):
        for size in KEY_WORD_LENGTHS:
            window = chars[i:i + size]
            if len(window) == size and (word := _key_word_for(window)):
                fixed.append(word)
                i += size
                break
        else:
            fixed.append(chars[i])
            i += 1
    return "".join(fixed)
