"""Chinese tokenization for retrieval: jieba with our user dictionary, then synonym folding.

Workers say 炒鱿鱼 where the law says 辞退 and 喂奶 where it says 哺乳; folding each variant to one
canonical token lets BM25 and the dense encoder match a question to the law's wording.
"""
from __future__ import annotations

import logging
import re
from functools import lru_cache

import jieba
import yaml

from knowledge.normalize import LEXICON_DIR, normalize
from settings import ROOT

USER_DICT = ROOT / "data" / "jieba" / "userdict.txt"
_WORD = re.compile(r"[\u4e00-\u9fff]+|[a-zA-Z]+|\d+(?:\.\d+)?")
STOPWORDS = frozenset(
    "的 了 吗 呢 吧 啊 呀 哦 嘛 么 我 你 他 她 它 我们 你们 他们 是 在 有 和 与 及 或 就 都 也 还 又 "
    "这 那 这个 那个 这样 那样 什么 怎么 怎么样 怎样 如何 请问 一下 可以 能 能不能 会 要 想 请 "
    "个 给 被 把 让 对 从 到 向 为 为了 因为 所以 但是 可是 如果 的话 还是 吗 呢 嗯 哈 啦 "
    "你好 您好 谢谢 老师 一个 现在 已经 没有 不是 就是".split()
)
jieba.setLogLevel(logging.WARNING)


@lru_cache(maxsize=1)
def synonym_map() -> dict[str, str]:
    """variant -> canonical, from lexicon/synonyms.yml."""
    path = LEXICON_DIR / "synonyms.yml"
    groups = yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else {}
    mapping: dict[str, str] = {}
    for canonical, variants in (groups or {}).items():
        for variant in variants or []:
            mapping[str(variant)] = str(canonical)
    return mapping


@lru_cache(maxsize=1)
def tokenizer() -> jieba.Tokenizer:
    """A private jieba instance with our dictionary and every synonym as a word."""
    tk = jieba.Tokenizer()
    tk.initialize()
    if USER_DICT.is_file():
        tk.load_userdict(str(USER_DICT))
    for word in {*synonym_map(), *synonym_map().values()}:
        if len(word) > 1:
            tk.add_word(word, freq=20000)
    return tk


def add_words(words: list[str]) -> None:
    """Teach the tokenizer domain words found at index time (law titles, province names)."""
    tk = tokenizer()
    for word in words:
        if len(word) > 1:
            tk.add_word(word, freq=20000)


def words(text: str) -> list[str]:
    """jieba words of normalized text, synonyms folded, stopwords and punctuation dropped."""
    syn = synonym_map()
    out = []
    for token in tokenizer().lcut(normalize(text)):
        token = token.strip().lower()
        if not token or token in STOPWORDS or not _WORD.fullmatch(token):
            continue
        out.append(syn.get(token, token))
    return out


def tokens(text: str) -> list[str]:
    """Retrieval tokens: words plus the single characters of multi-character words.

    Characters give partial credit when jieba splits a compound differently in the question and in
    the document (产检假 vs 产前检查).
    """
    ws = words(text)
    chars = [c for w in ws if len(w) > 1 and "\u4e00" <= w[0] <= "\u9fff" for c in w]
    return ws + [f"#{c}" for c in chars if c not in STOPWORDS]
