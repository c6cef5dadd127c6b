"""Text helpers shared by the WeChat and WeCom channels: no Rasa, no network, no knowledge.

- `split_text` cuts a long answer at sentence ends (。！？ and newlines) into pieces that each fit
  one WeChat message (2048 bytes of UTF-8 by default);
- `pack` joins a turn's bot messages into as few such pieces as possible;
- `number_buttons` turns Rasa buttons into numbered lines ("回复 1 …") and returns their payloads;
- `OptionMemory` remembers those payloads per user, so that a reply of "1" selects option 1;
- `fresh` bounds a signed request's timestamp on both sides (replays);
- `TTLCache` is a small in-memory cache with expiry (duplicate deliveries, signatures seen);
- `mask` hides phone and ID numbers before text is logged (knowledge.privacy).
"""
from __future__ import annotations

import re
import threading
import time
from typing import Any, Iterable, Optional

from knowledge.privacy import mask  # noqa: F401  (re-exported: standard library, importable in both venvs)

MAX_BYTES = 2048  # one passive reply / one customer-service text message
_SENTENCE_END = re.compile(r"(?<=[。！？!?\n])")


def utf8_len(text: str) -> int:
    return len(text.encode("utf-8"))


def _hard_cut(text: str, limit: int) -> list[str]:
    """Cut a sentence longer than the limit at character boundaries (never inside a character)."""
    pieces, current, size = [], [], 0
    for ch in text:
        n = utf8_len(ch)
        if size + n > limit and current:
            pieces.append("".join(current))
            current, size = [], 0
        current.append(ch)
        size += n
    if current:
        pieces.append("".join(current))
    return pieces


def split_text(text: str, limit: int = MAX_BYTES) -> list[str]:
    """Pieces of at most `limit` UTF-8 bytes, cut after 。！？ or a newline where possible."""
    text = text.strip()
    if not text:
        return []
    if utf8_len(text) <= limit:
        return [text]
    pieces: list[str] = []
    current = ""
    for sentence in (s for s in _SENTENCE_END.split(text) if s):
        if utf8_len(current + sentence) <= limit:
            current += sentence
            continue
        if current.strip():
            pieces.append(current.strip())
        current = ""
        if utf8_len(sentence) > limit:
            *full, current = _hard_cut(sentence, limit)
            pieces += [p.strip() for p in full if p.strip()]
        else:
            current = sentence
    if current.strip():
        pieces.append(current.strip())
    return pieces


def pack(texts: Iterable[str], limit: int = MAX_BYTES, joiner: str = "\n\n") -> list[str]:
    """Join the texts of one turn into as few pieces of at most `limit` bytes as possible."""
    pieces: list[str] = []
    for text in texts:
        for part in split_text(text, limit):
            if pieces and utf8_len(pieces[-1] + joiner + part) <= limit:
                pieces[-1] += joiner + part
            else:
                pieces.append(part)
    return pieces


def number_buttons(text: str, buttons: Optional[list[dict[str, Any]]], start: int = 1) -> tuple[str, list[str]]:
    """Text followed by "回复 1 …" lines, and the payloads in that order (title when no payload)."""
    text = text or ""
    buttons = [b for b in buttons or [] if isinstance(b, dict) and (b.get("title") or b.get("payload"))]
    if not buttons:
        return text, []
    lines, payloads = [], []
    for i, button in enumerate(buttons, start):
        title = str(button.get("title") or button.get("payload"))
        lines.append(f"回复 {i}：{title}")
        payloads.append(str(button.get("payload") or title))
    return (text.rstrip() + "\n" if text.strip() else "") + "\n".join(lines), payloads


def render_messages(messages: Iterable[dict[str, Any]]) -> tuple[list[str], list[str]]:
    """Texts of a turn's bot messages with all their buttons numbered in one sequence, and the payloads."""
    texts: list[str] = []
    payloads: list[str] = []
    for m in messages:
        text = m.get("text") or ""
        if m.get("image"):
            text = (text + "\n" if text else "") + str(m["image"])
        text, new = number_buttons(text, m.get("buttons") or m.get("quick_replies"), len(payloads) + 1)
        payloads += new
        if text.strip():
            texts.append(text)
    return texts, payloads


MAX_AHEAD = 60.0  # seconds a signed request may be dated ahead of our clock (skew between WeChat and us)


def fresh(timestamp: str, window: float, now: float | None = None, ahead: float = MAX_AHEAD) -> bool:
    """Whether a signed request's timestamp lies between `window` seconds ago and `ahead` seconds from now.

    The signature covers the timestamp, so a captured request replayed later is refused here; while
    it is still acceptable, the channel's memory of what it has seen (kept `window + ahead` seconds,
    `TextChannel`) refuses it instead. Bounding the future side is what makes that memory long enough:
    a request dated far ahead would stay acceptable after its memory expired."""
    try:
        sent = float(timestamp)
    except (TypeError, ValueError):
        return False
    age = (time.time() if now is None else now) - sent
    return -ahead <= age <= window


OPTIONS_TTL = 24 * 3600.0


class TTLCache:
    """A dict whose entries expire `ttl` seconds after they were set (thread-safe, in memory)."""

    def __init__(self, ttl: float, max_items: int = 10000) -> None:
        self.ttl = ttl
        self.max_items = max_items
        self._items: dict[Any, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def _purge(self, now: float) -> None:
        for key in [k for k, (t, _) in self._items.items() if t <= now]:
            del self._items[key]
        while len(self._items) > self.max_items:  # oldest first (dicts keep insertion order)
            del self._items[next(iter(self._items))]

    def get(self, key: Any, default: Any = None) -> Any:
        now = time.monotonic()
        with self._lock:
            item = self._items.get(key)
            if item is None or item[0] <= now:
                return default
            return item[1]

    def set(self, key: Any, value: Any, ttl: Optional[float] = None) -> None:
        now = time.monotonic()
        with self._lock:
            self._purge(now)
            self._items.pop(key, None)
            self._items[key] = (now + (self.ttl if ttl is None else ttl), value)

    def setdefault(self, key: Any, value: Any) -> tuple[Any, bool]:
        """(value now stored, True if it was newly stored) in one step."""
        now = time.monotonic()
        with self._lock:
            item = self._items.get(key)
            if item is not None and item[0] > now:
                return item[1], False
            self._purge(now)
            self._items[key] = (now + self.ttl, value)
            return value, True

    def pop(self, key: Any) -> Any:
        with self._lock:
            item = self._items.pop(key, None)
        return item[1] if item else None


class OptionMemory:
    """The numbered options last shown to each user; "1" … "N" select one (for a day, OPTIONS_TTL).

    `cache` is where they are kept: this process's TTLCache, or one every replica shares
    (bot/channels/shared.py)."""

    def __init__(self, cache: Any = None) -> None:
        self._cache = TTLCache(OPTIONS_TTL) if cache is None else cache

    def remember(self, user: str, payloads: list[str]) -> None:
        if payloads:
            self._cache.set(user, list(payloads))
        else:
            self._cache.pop(user)

    def resolve(self, user: str, text: str) -> Optional[str]:
        """The payload chosen by a bare number (half- or full-width), else None."""
        choice = (text or "").strip().translate(str.maketrans("０１２３４５６７８９", "0123456789"))
        if not choice.isdigit():
            return None
        options = self._cache.get(user) or []
        index = int(choice) - 1
        return options[index] if 0 <= index < len(options) else None
