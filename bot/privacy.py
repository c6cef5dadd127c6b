"""Phone and ID numbers masked in everything the Rasa server writes: its log and the tracker store.

Rasa logs the action server's error body (the whole conversation) when an action fails, and its REST
channel logs the raw message when a turn fails: every log record of the process goes through
knowledge.privacy.mask. The tracker store keeps every event of a conversation for RETENTION_DAYS:
each event is masked as it is inserted (her message, its parse data, the bot's replies, slot values),
except the slots that hold the number she left to be called back, which the booking and handover
forms read on a later turn and store with the booking or case (appdb). Within a turn Rasa and the
action server still see her message as she typed it.
"""
from __future__ import annotations

import json
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from sqlalchemy import event

from knowledge.privacy import install_log_masking, mask_value

CONTACT_SLOTS = frozenset({"bk_phone", "cs_contact"})  # actions/booking.py, actions/cases.py


def masked_event(data: dict[str, Any]) -> dict[str, Any]:
    """A tracker event as stored: every string masked, but for the contact slots."""
    if data.get("event") == "slot" and data.get("name") in CONTACT_SLOTS:
        return data
    return mask_value(data)


def _mask_row(_mapper: Any, _connection: Any, row: SQLTrackerStore.SQLEvent) -> None:
    if row.data:
        row.data = json.dumps(masked_event(json.loads(row.data)))


def install() -> None:
    """Idempotent: called when the `bot` package is imported, before any message is handled."""
    install_log_masking()
    if not event.contains(SQLTrackerStore.SQLEvent, "before_insert", _mask_row):
        event.listen(SQLTrackerStore.SQLEvent, "before_insert", _mask_row)
