"""Retention: personal data older than the configured period is purged, and the purge is logged."""
import sqlite3
import time
from datetime import timedelta

import pytest

from appdb import cases, retention
from appdb import session as dbsession
from appdb.models import AuditLog, Case, UnansweredQuestion, utcnow
from appdb.unanswered import log_unanswered


@pytest.fixture
def dbs(tmp_path, monkeypatch):
    monkeypatch.setenv("APP_DB_URL", f"sqlite:///{tmp_path / 'app.db'}")
    monkeypatch.setenv("TRACKER_DB", str(tmp_path / "tracker.db"))
    monkeypatch.setenv("VAR_DIR", str(tmp_path))  # the answer log's key file goes here, not in var/
    dbsession.reset_engine()
    dbsession.upgrade()
    tracker = sqlite3.connect(tmp_path / "tracker.db")
    tracker.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, type_name TEXT, "
                    "timestamp REAL, data TEXT)")
    yield tracker
    dbsession.reset_engine()


def _case(key: str, days_ago: int, close: bool) -> str:
    case = cases.create_case(sender_id=f"s-{key}", channel="rest", category="dismissal", summary={"what": "x"},
                             consent=True, transcript=[], risk=None, idempotency_key=key,
                             now=utcnow() - timedelta(days=days_ago))
    if close:
        cases.take(case.code, "li")
        cases.close(case.code, "li", "done")
        with dbsession.session_scope() as s:
            s.get(Case, case.id).closed_at = utcnow() - timedelta(days=days_ago)
    return case.code


def test_purge_removes_old_personal_data_and_keeps_the_rest(dbs):
    old_closed, old_open, recent = _case("a", 400, True), _case("b", 400, False), _case("c", 3, True)
    log_unanswered("old", "13812345678 的问题", "abstain")
    with dbsession.session_scope() as s:
        for q in s.query(UnansweredQuestion):
            q.created_at = utcnow() - timedelta(days=400)
    log_unanswered("new", "新问题", "abstain")
    now = time.time()
    dbs.executemany("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (?, 'user', ?, '{}')",
                    [("idle", now - 400 * 86400), ("idle", now - 390 * 86400), ("live", now - 400 * 86400),
                     ("live", now - 60)])
    dbs.commit()

    report = retention.purge(days=180)

    assert (report.cases, report.unanswered, report.conversations, report.events) == (1, 1, 1, 2)
    assert cases.by_code(old_closed) is None
    assert cases.by_code(old_open) is not None and cases.by_code(recent) is not None
    assert [r[0] for r in dbs.execute("SELECT DISTINCT sender_id FROM events")] == ["live"]
    with dbsession.session_scope() as s:
        assert s.query(UnansweredQuestion).count() == 1
        assert s.query(AuditLog).filter(AuditLog.action == "retention.purge").count() == 1


def test_purge_removes_old_answer_log_rows_and_expired_logins(dbs):
    from appdb.answer_log import flush, record_answer
    from appdb.models import AnswerLog, StaffSession
    from appdb.users import create_user

    record_answer("old", "rest", "answer", "maternity")
    flush()
    with dbsession.session_scope() as s:
        s.query(AnswerLog).update({AnswerLog.at: utcnow() - timedelta(days=200)})
    record_answer("new", "rest", "abstain")
    flush()
    user = create_user("li", "a long enough password", "officer")
    now = utcnow()
    with dbsession.session_scope() as s:
        s.add_all([StaffSession(token_hash="a" * 64, user_id=user.id, csrf_token="x",
                                created_at=now - timedelta(days=2),
                                last_seen_at=now - timedelta(days=2), expires_at=now - timedelta(days=1)),
                   StaffSession(token_hash="b" * 64, user_id=user.id, csrf_token="y", created_at=now,
                                last_seen_at=now, expires_at=now + timedelta(hours=8))])

    report = retention.purge(days=180)

    assert (report.answers, report.sessions) == (1, 1)
    with dbsession.session_scope() as s:
        assert [r.kind for r in s.query(AnswerLog)] == ["abstain"]
        assert [r.token_hash[0] for r in s.query(StaffSession)] == ["b"]
        logged = s.query(AuditLog).filter(AuditLog.action == "retention.purge").one()
        assert (logged.detail["answers"], logged.detail["sessions"]) == (1, 1)


def test_purged_rows_leave_no_copy_on_disk_not_even_in_the_wal(dbs, tmp_path):
    """SQLite keeps a deleted row in the write-ahead log until a checkpoint, and in freed pages after it."""
    dbs.execute("PRAGMA journal_mode=WAL")  # as Rasa runs the tracker store (bot/stores.py)
    question, story = "蜂巢眠芙的旧问题", "蜂巢眠芙的旧对话"
    log_unanswered("old", question, "abstain")
    with dbsession.session_scope() as s:
        s.query(UnansweredQuestion).update({UnansweredQuestion.created_at: utcnow() - timedelta(days=400)})
    dbs.execute("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES ('idle', 'user', ?, ?)",
                (time.time() - 400 * 86400, '{"text": "%s"}' % story))
    dbs.commit()
    files = [tmp_path / name for name in ("app.db", "app.db-wal", "tracker.db", "tracker.db-wal")]

    def on_disk(word: str) -> list[str]:
        return [p.name for p in files if p.exists() and word.encode() in p.read_bytes()]

    assert on_disk(question) and on_disk(story)  # written, as a server would have written them

    report = retention.purge(days=180)

    assert (report.unanswered, report.events) == (1, 1)
    assert on_disk(question) == [] and on_disk(story) == []
    assert all(p.stat().st_size == 0 for p in files if p.name.endswith("-wal") and p.exists())
