"""The Rasa server's own store fixes (bot/stores.py, bot/patches.py), run in the Rasa environment:
a SQLite tracker store keeps its connection between turns and still writes through WAL, and events read
back through the cached type lookup are the same classes Rasa's own lookup gives."""
import os
import subprocess

from servers import ROOT

RASA_PY = str(ROOT / ".venv-rasa/bin/python")

TRACKER_ROUND_TRIPS = """
import asyncio
from sqlalchemy import event
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from bot.stores import ConfiguredTrackerStore

store = ConfiguredTrackerStore()
connects = []
event.listen(store.engine, "connect", lambda *_: connects.append(1))
events = [UserUttered("怀孕了被辞退怎么办", timestamp=1.0), ActionExecuted("action_answer", timestamp=2.0),
          SlotSet("province", "广东", timestamp=3.0)]

async def turns():
    tracker = DialogueStateTracker.from_events("w1", events[:1])
    for n in range(1, len(events) + 1):
        tracker = DialogueStateTracker.from_events("w1", events[:n])
        await store.save(tracker)
        back = await store.retrieve("w1")
        assert [e.as_dict() for e in back.events] == [e.as_dict() for e in events[:n]], back.events
    with store.engine.connect() as conn:
        print(conn.exec_driver_sql("PRAGMA journal_mode").scalar())

asyncio.run(turns())
print(len(connects))
"""

EVENT_TYPES = """
from rasa.shared.core.events import Event
from rasa.shared.utils.common import all_subclasses
import bot.patches as p

names = {cls.type_name for cls in all_subclasses(Event)}
assert all(Event.resolve_by_type(n) is p._resolve_by_type(n) for n in names)
assert Event.resolve_by_type("topic") is None
try:
    Event.resolve_by_type("no_such_event")
except ValueError:
    print("unknown refused", len(names))
"""


def _run(script: str, tmp_path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "VAR_DIR": str(tmp_path), "TRACKER_DIALECT": "sqlite",
           "TRACKER_DB": str(tmp_path / "tracker.db")}
    return subprocess.run([RASA_PY, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_the_sqlite_tracker_store_keeps_one_connection_across_turns(tmp_path):
    done = _run(TRACKER_ROUND_TRIPS, tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    journal, connects = done.stdout.split()
    assert journal == "wal"  # the pragmas still reach the pooled connection
    assert connects == "1"  # six reads and writes, one connection (NullPool opened six)


def test_event_types_read_back_are_the_ones_rasa_would_pick(tmp_path):
    done = _run(EVENT_TYPES, tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.startswith("unknown refused")
