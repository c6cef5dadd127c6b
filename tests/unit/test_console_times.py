"""One zone for every time the console shows (issue 13, finding 9): the index build's time came
from the manifest as the machine's wall clock (UTC on the server) and was shown raw beside times
in Asia/Shanghai."""
from __future__ import annotations

import time

import pytest

from console.publisher import manifest_time
from console.templating import local_time


@pytest.fixture
def utc_machine(monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_the_manifests_build_time_is_shown_in_the_unions_zone(utc_machine):
    assert local_time(manifest_time("2026-11-27T20:29:34"), "%m-%d %H:%M:%S") == "11-28 04:29:34"
    assert local_time(manifest_time("2026-11-27T20:29:34+00:00"), "%H:%M") == "04:29"
    assert manifest_time("") is None and local_time(manifest_time("not a time")) == ""


def test_a_conversation_turns_time_is_local_whether_a_number_or_its_stored_text(utc_machine):
    """Rasa's epoch seconds, and the same kept as text in a case's snapshot (appdb.cases stores str())."""
    from console.admin.cases import _when

    assert _when(1764275400.25) == _when("1764275400.25") == "11-28 04:30"  # 20:30 UTC
    assert _when("2026-11-27T20:30:00") == "11-28 04:30" and _when("") == "" and _when(None) == ""
