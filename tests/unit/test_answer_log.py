"""The answer log: one row per answer turn, no question text, conversations as keyed hashes."""
import hashlib
import logging

import pytest
from sqlalchemy import inspect, select

from appdb import answer_log
from appdb import session as dbsession
from appdb.models import AnswerLog


@pytest.fixture
def db(tmp_path, monkeypatch):
    monkeypatch.setenv("VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("APP_DB_URL", f"sqlite:///{tmp_path / 'app.db'}")
    dbsession.reset_engine()
    yield tmp_path
    dbsession.reset_engine()


def rows() -> list[AnswerLog]:
    with dbsession.session_scope() as s:
        return list(s.scalars(select(AnswerLog)))


def test_conversation_key_is_a_keyed_stable_pseudonym(db, tmp_path, monkeypatch):
    first = answer_log.conversation_key("wx-openid-123")
    assert first == answer_log.conversation_key("wx-openid-123")
    assert first != answer_log.conversation_key("wx-openid-124")
    assert len(first) == 64 and int(first, 16) >= 0
    assert first != hashlib.sha256(b"wx-openid-123").hexdigest()  # not guessable without the key
    key_file = db / "var" / "secrets" / answer_log.KEY_FILE
    assert key_file.stat().st_mode & 0o777 == 0o600
    monkeypatch.setenv("VAR_DIR", str(tmp_path / "other"))
    dbsession.reset_engine()
    assert answer_log.conversation_key("wx-openid-123") != first  # another installation, another key


def test_a_turn_is_logged_without_text_or_identity(db):
    answer_log.record_answer("13812345678", "rest", "answer", "maternity", "faq:maternity-001", 0.87654)
    answer_log.record_answer("13812345678", "socketio", "abstain", "x" * 500, "", 0.1)
    answer_log.flush()  # written by the background writer, in order
    first, second = rows()
    assert (first.channel, first.kind, first.topic, first.entry_id, first.confidence) == (
        "rest", "answer", "maternity", "faq:maternity-001", 0.8765)
    assert first.conversation == second.conversation == answer_log.conversation_key("13812345678")
    assert len(second.topic) == 64  # cut to the column, not refused
    columns = {c["name"] for c in inspect(dbsession.get_engine()).get_columns("answer_log")}
    assert columns == {"id", "at", "conversation", "channel", "kind", "topic", "entry_id", "confidence"}
    stored = " ".join(str(getattr(first, c)) for c in columns)
    assert "1381234" not in stored


def test_a_broken_database_never_breaks_the_answer(db, tmp_path, monkeypatch, caplog):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("APP_DB_URL", f"sqlite:///{blocker / 'app.db'}")
    dbsession.reset_engine()
    with caplog.at_level(logging.WARNING, logger="appdb.answer_log"):
        answer_log.record_answer("s1", "rest", "answer", "maternity")  # must not raise
        answer_log.flush()
    assert "answer log: 1 rows not written" in caplog.text


def test_many_turns_are_written_in_batches_and_none_is_lost(db):
    for i in range(1200):
        answer_log.record_answer(f"s{i % 40}", "rest", "answer", "maternity")
    answer_log.flush()
    assert len(rows()) == 1200
    answer_log.record_answer("after-flush", "rest", "answer")  # a new writer starts by itself
    answer_log.flush()
    assert len(rows()) == 1201
