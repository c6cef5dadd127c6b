"""A conversation lock shared by every Rasa replica, correct across processes.

Why not Rasa's own RedisLockStore: it keeps a conversation's tickets as one JSON value that each
replica reads, changes in Python and writes back (RasaHQ/rasa#9213). Two replicas doing that at
once overwrite each other's tickets, so two turns of one conversation run together (an answer is
never saved) or a turn finds its ticket gone (LockError, an empty reply). Its tickets also live a
fixed minute, so a replica that dies holding one blocks her conversation for that minute.

Here every step is one Redis script, atomic on the server, and uses Redis's clock only:
- a ticket is a number from a per-conversation counter, queued in a sorted set by that number;
- every ticket has a lease (LOCK_LEASE_SECONDS) in a second sorted set, renewed while its replica
  waits or works; a ticket whose lease has run out is dropped from the queue;
- the lowest live ticket holds the lock. A dead replica stops renewing, so its turn is freed within
  the lease, and the next message of that conversation, on any replica, goes ahead.
"""
from __future__ import annotations

import asyncio
import logging
from contextlib import asynccontextmanager, suppress
from typing import Any, AsyncIterator

import redis
from rasa.core.lock_store import LockStore

logger = logging.getLogger(__name__)

# Every script reads the time from Redis, so replicas on hosts with different clocks agree.
_NOW = """
redis.replicate_commands()
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
"""

# KEYS: counter, queue (ticket -> its number), leases (ticket -> deadline ms); ARGV: lease ms.
_ISSUE = _NOW + """
local ticket = redis.call('INCR', KEYS[1])
redis.call('ZADD', KEYS[2], ticket, ticket)
redis.call('ZADD', KEYS[3], now + ARGV[1], ticket)
for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], 2 * ARGV[1]) end
return ticket
"""

# KEYS as above; ARGV: ticket, lease ms. Drops run-out tickets, renews this one and answers
# 1 (it holds the lock), 0 (a live ticket is ahead of it) or -1 (its own lease had run out).
_POLL = _NOW + """
local expired = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now)
for _, ticket in ipairs(expired) do
  redis.call('ZREM', KEYS[2], ticket)
  redis.call('ZREM', KEYS[3], ticket)
end
if not redis.call('ZSCORE', KEYS[3], ARGV[1]) then return -1 end
redis.call('ZADD', KEYS[3], now + ARGV[2], ARGV[1])
for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], 2 * ARGV[2]) end
if redis.call('ZRANGE', KEYS[2], 0, 0)[1] == ARGV[1] then return 1 end
return 0
"""

HOLDS, WAITS, GONE = 1, 0, -1
FIRST_WAIT, LONGEST_WAIT = 0.02, 0.25  # seconds between polls of a waiting turn, growing


class SharedLockStore(LockStore):
    """Per-conversation FIFO lock in Redis with leases; see the module docstring for why."""

    def __init__(self, url: str, key_prefix: str, lease_seconds: float) -> None:
        self.red = redis.Redis.from_url(url, socket_timeout=10)
        self.key_prefix = f"{key_prefix}lock:"
        self.lease_ms = max(int(lease_seconds * 1000), 100)
        self._issue = self.red.register_script(_ISSUE)
        self._poll = self.red.register_script(_POLL)
        super().__init__()

    def _keys(self, conversation_id: str) -> list[str]:
        base = self.key_prefix + conversation_id
        return [f"{base}:next", f"{base}:queue", f"{base}:leases"]

    def issue(self, conversation_id: str) -> int:
        return int(self._issue(keys=self._keys(conversation_id), args=[self.lease_ms]))

    def poll(self, conversation_id: str, ticket: int) -> int:
        return int(self._poll(keys=self._keys(conversation_id), args=[ticket, self.lease_ms]))

    def release(self, conversation_id: str, ticket: int) -> None:
        _, queue, leases = self._keys(conversation_id)
        self.red.pipeline().zrem(queue, ticket).zrem(leases, ticket).execute()

    @asynccontextmanager
    async def lock(self, conversation_id: str, *_: Any, **__: Any) -> AsyncIterator[int]:
        """Hold the conversation's lock for the `async with` body. Rasa's lock lifetime and wait
        time are not used: the lease and the polling below replace them."""
        ticket = self.issue(conversation_id)
        try:
            wait = FIRST_WAIT
            while (state := self.poll(conversation_id, ticket)) != HOLDS:
                if state == GONE:  # this process stalled past its lease: queue again, never jump ahead
                    logger.warning("lock ticket of %s ran out while waiting; queueing again", conversation_id)
                    ticket = self.issue(conversation_id)
                await asyncio.sleep(wait)
                wait = min(wait * 1.5, LONGEST_WAIT)
            renewal = asyncio.create_task(self._renew(conversation_id, ticket))
            try:
                yield ticket
            finally:
                renewal.cancel()
                with suppress(asyncio.CancelledError):
                    await renewal
        finally:
            self.release(conversation_id, ticket)

    async def _renew(self, conversation_id: str, ticket: int) -> None:
        """Keep the lease of a held lock alive while the turn runs (several times per lease)."""
        while True:
            await asyncio.sleep(self.lease_ms / 4000)
            if self.poll(conversation_id, ticket) == GONE:
                logger.warning("lock of %s ran out while its turn was running (the event loop stalled "
                               "longer than LOCK_LEASE_SECONDS)", conversation_id)
                return
