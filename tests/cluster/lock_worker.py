"""Turns of one conversation through the configured lock store (bot/stores.py), run by the lock-store
tests in Rasa's environment as separate processes, like replicas.

    lock_worker.py CONVERSATION TURNS HOLD_SECONDS

Each turn holds the lock for HOLD_SECONDS and counts in Redis (db 15, probe:*) how many turns are
inside at once, so two processes in the lock together show as an overlap. HOLD_SECONDS < 0 holds one
turn until the process is killed (a replica that dies mid-turn). Prints "held" when it first holds.
"""
import asyncio
import os
import sys

import redis

from bot.stores import ConfiguredLockStore
from settings import get_settings


async def turn(store, probe: redis.Redis, conversation: str, hold: float) -> None:
    try:
        async with store.lock(conversation):
            if probe.incr("probe:inside") != 1:
                probe.incr("probe:overlaps")
            print("held", flush=True)
            await asyncio.sleep(hold if hold >= 0 else 3600)
            probe.decr("probe:inside")
            probe.incr("probe:done")
    except Exception as error:  # a turn that never ran: Rasa answers it with nothing
        probe.rpush("probe:errors", f"{os.getpid()}: {error!r}")


async def main(conversation: str, turns: int, hold: float) -> None:
    store = ConfiguredLockStore()
    probe = redis.Redis.from_url(get_settings().redis_url.rsplit("/", 1)[0] + "/15")
    await asyncio.gather(*(turn(store, probe, conversation, hold) for _ in range(turns)))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), float(sys.argv[3])))
