"""What the WeChat and WeCom channels remember between requests, kept where every replica sees it.

One Rasa process keeps it in memory (`TTLCache`). Several replicas (LOCK_STORE=redis) keep it in
Redis, because WeChat retries a message, and a user answers "1" to numbered options, on whichever
replica the load balancer picks: a MsgId first seen on one replica must be a retry on the other, the
options shown by one must be understood by the other, and the access token fetched by one must be
used by all (each replica fetching its own retires the others', and every push then gets 40001).
"""
from __future__ import annotations

import json
import time
from functools import lru_cache
from typing import Any, Callable, Optional

import redis

from bot.channels.textsplit import TTLCache
from settings import get_settings


class RedisTTLCache:
    """TTLCache's interface (get, set, setdefault, pop) on Redis; values are stored as JSON."""

    def __init__(self, client: redis.Redis, prefix: str, ttl: float) -> None:
        self.red = client
        self.prefix = prefix
        self.ttl = ttl

    def _ms(self, ttl: Optional[float]) -> int:
        return max(int((self.ttl if ttl is None else ttl) * 1000), 1)

    def get(self, key: str, default: Any = None) -> Any:
        raw = self.red.get(self.prefix + key)
        return default if raw is None else json.loads(raw)

    def set(self, key: str, value: Any, ttl: Optional[float] = None) -> None:
        self.red.set(self.prefix + key, json.dumps(value, ensure_ascii=False), px=self._ms(ttl))

    def setdefault(self, key: str, value: Any) -> tuple[Any, bool]:
        """(value now stored, True if it was newly stored) in one step, across all replicas."""
        while True:
            if self.red.set(self.prefix + key, json.dumps(value, ensure_ascii=False), px=self._ms(None), nx=True):
                return value, True
            raw = self.red.get(self.prefix + key)
            if raw is not None:  # else it expired just now: try again
                return json.loads(raw), False

    def pop(self, key: str) -> Any:
        raw = self.red.getdel(self.prefix + key)
        return None if raw is None else json.loads(raw)


@lru_cache(maxsize=1)
def _client() -> Optional[redis.Redis]:
    s = get_settings()
    return redis.Redis.from_url(s.redis_url, socket_timeout=5) if s.LOCK_STORE == "redis" else None


def memory(name: str, ttl: float) -> TTLCache | RedisTTLCache:
    """A store of what one channel has seen (`name` keeps the channels and their uses apart)."""
    client = _client()
    if client is None:
        return TTLCache(ttl)
    return RedisTTLCache(client, f"{get_settings().REDIS_KEY_PREFIX}{name}:", ttl)


def token_storage(name: str) -> Any:
    """wechatpy's session storage for a platform's access token: one token for every replica."""
    from wechatpy.session.memorystorage import MemoryStorage
    from wechatpy.session.redisstorage import RedisStorage

    client = _client()
    if client is None:
        return MemoryStorage()
    return RedisStorage(client, prefix=f"{get_settings().REDIS_KEY_PREFIX}{name}")


def fetch_token_once(client: Any, name: str, fetch: Callable[[], dict]) -> dict:
    """Fetch a platform's access token for `client` (a wechatpy client on token_storage(name)), one
    replica at a time.

    Every fetch retires the token fetched before it. Replicas that start together (no token stored
    yet), or that meet the same 40001, would each fetch and all but the last would push with a dead
    token. Under a Redis lock (SET NX PX, freed by its lifetime if the holder dies) the first fetches
    and stores; the others wait for the lock, find a token other than the one they had, and use it.
    """
    red = _client()
    if red is None:
        return fetch()
    key = client.access_token_key
    had = client.session.get(key)
    with red.lock(f"{get_settings().REDIS_KEY_PREFIX}{name}:token-lock", timeout=30, blocking_timeout=40):
        stored = client.session.get(key)
        if not stored or stored == had:
            return fetch()
    expires_in = red.ttl(client.session.key_name(key))  # refreshed here as by the replica that fetched it
    client.expires_at = int(time.time()) + expires_in if expires_in > 0 else None  # None: until refused
    return {"access_token": stored, "expires_in": expires_in}
