"""The application database: migrations, catalogue, booking rules under concurrency, cases, users."""
from __future__ import annotations

import io
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import create_engine, func, inspect, select

from appdb import audit, booking, cases, session as dbsession, users
from appdb.catalogue import find_service, get_service, load_catalogue, local_today, seed
from appdb.models import CODE_ALPHABET, AuditLog, Base, Booking, Case, Service, Slot, UnansweredQuestion, local_tz

TABLES = {"services", "slots", "bookings", "cases", "case_notes", "users", "audit_log", "unanswered_questions",
          "staff_sessions", "faq_versions", "documents", "answer_log", "region_proposals", "case_views"}
TOMORROW = local_today() + timedelta(days=1)
FAR = TOMORROW + timedelta(days=100)  # beyond the seeded window: hand-made slots never collide


@pytest.fixture
def db(tmp_path, monkeypatch):
    """A fresh, migrated SQLite database per test."""
    monkeypatch.setenv("APP_DB_URL", f"sqlite:///{tmp_path / 'app.db'}")
    dbsession.reset_engine()
    dbsession.upgrade()
    yield tmp_path / "app.db"
    dbsession.reset_engine()


@pytest.fixture
def seeded(db):
    with dbsession.session_scope() as s:
        seed(s, TOMORROW)
    return db


def make_slot(service_key="legal_consultation", day=None, period="晚上", capacity=10, start="19:00",
              end="21:00", status="open") -> int:
    with dbsession.session_scope() as s:
        service = get_service(s, service_key)
        slot = Slot(service_id=service.id, day=day or FAR, period=period, start_time=start, end_time=end,
                    capacity=capacity, booked=0, status=status)
        s.add(slot)
        s.flush()
        return slot.id


def slot_booked(slot_id: int) -> int:
    with dbsession.session_scope() as s:
        return s.get(Slot, slot_id).booked


def book(slot_id, sender="u1", key=None, **kw):
    args = dict(sender_id=sender, channel="rest", name="李梅", phone="138 1234 5678", work_unit="某电子厂",
                extra=None, idempotency_key=key or f"{sender}-{slot_id}")
    args.update(kw)
    return booking.book(slot_id, **args)


# --- schema -----------------------------------------------------------------------------------

def test_migrations_create_all_tables(db):
    engine = dbsession.get_engine()
    assert TABLES <= set(inspect(engine).get_table_names())
    with engine.connect() as c:
        assert c.exec_driver_sql("select version_num from alembic_version").scalar() == "0004"
        assert c.exec_driver_sql("pragma journal_mode").scalar() == "wal"
        assert c.exec_driver_sql("pragma foreign_keys").scalar() == 1
    dbsession.upgrade()  # idempotent


def test_migration_matches_models(db, tmp_path):
    """What Alembic builds is what the models declare (columns, indexes, constraints)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with dbsession.get_engine().connect() as c:
        assert compare_metadata(MigrationContext.configure(c), Base.metadata) == []
    reference = create_engine(f"sqlite:///{tmp_path / 'reference.db'}")
    Base.metadata.create_all(reference)

    def shape(engine):
        i = inspect(engine)
        out = {}
        for t in sorted(TABLES):
            out[t] = (
                sorted((c["name"], str(c["type"]), c["nullable"]) for c in i.get_columns(t)),
                sorted((x["name"], tuple(x["column_names"]), bool(x["unique"])) for x in i.get_indexes(t)),
                sorted((x["name"], tuple(x["column_names"])) for x in i.get_unique_constraints(t)),
                sorted((x["name"], x["sqltext"].replace(" ", "")) for x in i.get_check_constraints(t)),
                sorted((x["name"], tuple(x["constrained_columns"]), x["referred_table"], x["options"].get("ondelete"))
                       for x in i.get_foreign_keys(t)),
            )
        return out

    assert shape(dbsession.get_engine()) == shape(reference)
    with dbsession.get_engine().connect() as c:
        sql = c.exec_driver_sql(
            "select sql from sqlite_master where name = 'uq_bookings_slot_sender_confirmed'").scalar()
    assert "WHERE status = 'confirmed'" in sql


def test_legacy_unanswered_table_is_kept(tmp_path, monkeypatch):
    path = tmp_path / "old.db"
    raw = sqlite3.connect(path)
    raw.execute("CREATE TABLE unanswered_questions (id INTEGER PRIMARY KEY, created_at DATETIME, "
                "conversation VARCHAR(64), "
                "question TEXT, reason VARCHAR(32), confidence FLOAT, top_entry VARCHAR(200))")
    raw.execute("INSERT INTO unanswered_questions VALUES (1, '2024-01-01 00:00:00', 'c', 'q', 'abstain', 0.1, '')")
    raw.commit()
    raw.close()
    monkeypatch.setenv("APP_DB_URL", f"sqlite:///{path}")
    dbsession.reset_engine()
    try:
        dbsession.upgrade()
        with dbsession.session_scope() as s:
            row = s.scalar(select(UnansweredQuestion))
            assert row.question == "q" and row.created_at.tzinfo is not None
            assert s.scalar(select(func.count()).select_from(Service)) == 0
    finally:
        dbsession.reset_engine()


def test_first_use_from_many_threads_migrates_once(tmp_path, monkeypatch):
    """The action server's first answers on a fresh database arrive together; each thread's
    ensure_schema must wait for the one upgrade, not run alembic beside it (KeyError: 'script')."""
    monkeypatch.setenv("APP_DB_URL", f"sqlite:///{tmp_path / 'fresh.db'}")
    dbsession.reset_engine()
    start = threading.Barrier(8)

    def first_use(_):
        start.wait()
        dbsession.ensure_schema()
        return set(inspect(dbsession.get_engine()).get_table_names())

    try:
        with ThreadPoolExecutor(8) as pool:
            seen = list(pool.map(first_use, range(8)))
        assert all(TABLES <= tables for tables in seen)
    finally:
        dbsession.reset_engine()


def test_timestamps_are_aware_utc(db):
    audit_entry_at = None
    with dbsession.session_scope() as s:
        audit.record(s, "wang", "case.view", "AJX")
    with dbsession.session_scope() as s:
        audit_entry_at = s.scalar(select(AuditLog.at))
    assert audit_entry_at.tzinfo is not None and audit_entry_at.utcoffset() == timedelta(0)
    with pytest.raises(Exception):
        with dbsession.session_scope() as s:
            s.add(AuditLog(at=datetime(2025, 1, 1), actor="x", action="y", target="", detail={}))


# --- catalogue ----------------------------------------------------------------------------------

def test_catalogue_file_has_the_seven_services():
    specs = {s.key: s for s in load_catalogue().services}
    assert {s.name for s in specs.values()} == {"托育服务", "爱心托管", "女职工休息哺乳室", "两癌筛查", "心理疏导",
                                                 "法律咨询", "婚恋交友活动"}
    assert specs["childcare"].extra_fields == ("child_age",)
    assert specs["care_class"].extra_fields == ("child_age",)
    assert all(s.periods and s.weekdays and s.location for s in specs.values())


def test_seed_is_idempotent_and_never_touches_booked_counts(db):
    with dbsession.session_scope() as s:
        first = seed(s, TOMORROW)
    assert len(first.services_added) == 7 and first.slots_added > 50
    with dbsession.session_scope() as s:
        slot_id = booking.free_slots(s, "legal_consultation", today=TOMORROW)[0].id
    assert book(slot_id).status == "booked"
    with dbsession.session_scope() as s:
        again = seed(s, TOMORROW)
        assert (again.services_added, again.slots_added) == ([], 0)
        assert s.scalar(select(func.count()).select_from(Service)) == 7
    assert slot_booked(slot_id) == 1
    with dbsession.session_scope() as s:  # a day later: only the new days are added
        later = seed(s, TOMORROW + timedelta(days=3))  # 3 new days: at least one weekday
    assert 0 < later.slots_added < first.slots_added


def test_seed_never_undoes_a_staff_edit(db):
    with dbsession.session_scope() as s:
        seed(s, TOMORROW)
        service = s.scalar(select(Service).where(Service.key == "legal_consultation"))
        service.location, service.active = "工人文化宫三楼", False
        slots = s.scalar(select(func.count()).select_from(Slot).where(Slot.service_id == service.id))
    with dbsession.session_scope() as s:
        report = seed(s, TOMORROW + timedelta(days=7))
        service = s.scalar(select(Service).where(Service.key == "legal_consultation"))
        assert (service.location, service.active) == ("工人文化宫三楼", False)
        after = s.scalar(select(func.count()).select_from(Slot).where(Slot.service_id == service.id))
    assert report.services_added == [] and report.slots_added > 0 and after == slots  # inactive: no new days


def test_seed_only_opens_configured_weekdays(db):
    with dbsession.session_scope() as s:
        seed(s, TOMORROW)
        days = s.scalars(select(Slot.day).join(Slot.service).where(Service.key == "matchmaking")).all()
    assert days and all(d.isoweekday() == 6 for d in days)


@pytest.mark.parametrize("text,key", [
    ("我想约个宫颈癌筛查", "two_cancer_screening"), ("乳腺癌筛查怎么报名", "two_cancer_screening"),
    ("妇科检查", "two_cancer_screening"), ("暑假托管班还有名额吗", "care_class"), ("寒假托管", "care_class"),
    ("爱心托管", "care_class"), ("托儿所", "childcare"), ("托育班怎么报", "childcare"),
    ("心理咨询", "counselling"), ("想找人心理辅导一下", "counselling"), ("我要律师咨询", "legal_consultation"),
    ("申请法律援助", "legal_consultation"), ("工会有相亲活动吗", "matchmaking"), ("联谊", "matchmaking"),
    ("单位哺乳室在哪", "nursing_room"), ("母婴室", "nursing_room"), ("爱心妈咪小屋", "nursing_room"),
    ("预约 两癌 筛查", "two_cancer_screening"), ("ＣＨＩＬＤＣＡＲＥ", "childcare"),
])
def test_find_service(seeded, text, key):
    assert find_service(text).key == key


def test_find_service_none(seeded):
    assert find_service("产假有多少天") is None
    assert find_service("") is None


# --- booking --------------------------------------------------------------------------------------

def test_booking_happy_path(seeded):
    with dbsession.session_scope() as s:
        slots = booking.free_slots(s, "two_cancer_screening", today=TOMORROW)
        assert slots and slots == sorted(slots, key=lambda x: (x.day, x.start_time))
        assert len(slots) <= 6
        slot_id, capacity = slots[0].id, slots[0].capacity
    result = book(slot_id, phone="+86 138-1234-5678")
    assert result.status == "booked" and result.ok
    b = result.booking
    assert len(b.code) == 8 and set(b.code) <= set(CODE_ALPHABET)
    assert b.phone == "13812345678" and b.status == "confirmed"
    assert b.slot.service.name == "两癌筛查" and b.slot.booked == 1  # usable after the transaction
    assert b.created_at.tzinfo is not None
    assert slot_booked(slot_id) == 1
    assert booking.by_code(b.code.lower()).id == b.id
    assert [x.code for x in booking.bookings_of("u1")] == [b.code]
    assert booking.bookings_of("someone-else") == []
    with dbsession.session_scope() as s:
        assert s.get(Slot, slot_id).free == capacity - 1
        assert s.scalar(select(AuditLog.action).where(AuditLog.target == b.code)) == "booking.create"


def test_booking_requires_the_service_extra_fields(seeded):
    slot_id = make_slot("childcare", period="晚上")
    with pytest.raises(ValueError):
        book(slot_id)
    assert slot_booked(slot_id) == 0
    assert book(slot_id, extra={"child_age": "2岁"}).booking.extra == {"child_age": "2岁"}


def test_booking_rejects_a_bad_phone(seeded):
    slot_id = make_slot()
    with pytest.raises(ValueError):
        book(slot_id, phone="12345")


def test_capacity_holds_under_50_concurrent_bookings(seeded):
    slot_id = make_slot(capacity=10)
    barrier = threading.Barrier(50)

    def attempt(i: int):
        barrier.wait()
        return book(slot_id, sender=f"worker-{i}")

    with ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(attempt, range(50)))
    statuses = [r.status for r in results]
    assert statuses.count("booked") == 10 and statuses.count("full") == 40
    assert all(r.alternatives and all(a.id != slot_id for a in r.alternatives)
               for r in results if r.status == "full")
    assert all(a.service.key == "legal_consultation" for r in results for a in r.alternatives)
    assert slot_booked(slot_id) == 10
    with dbsession.session_scope() as s:
        assert s.scalar(select(func.count()).select_from(Booking).where(Booking.slot_id == slot_id)) == 10
    assert len({r.booking.code for r in results if r.booking}) == 10


def test_same_idempotency_key_gives_one_booking(seeded):
    slot_id = make_slot(capacity=5)
    first = book(slot_id, key="confirm-abc")
    second = book(slot_id, key="confirm-abc")
    assert (first.status, second.status) == ("booked", "duplicate")
    assert second.booking.code == first.booking.code
    assert slot_booked(slot_id) == 1


@pytest.mark.parametrize("capacity", [1, 5])
def test_same_idempotency_key_from_concurrent_threads(seeded, capacity):
    slot_id = make_slot(capacity=capacity)
    barrier = threading.Barrier(8)

    def attempt(_):
        barrier.wait()
        return book(slot_id, key="double-click")

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(attempt, range(8)))
    assert sorted(r.status for r in results) == ["booked"] + ["duplicate"] * 7
    assert len({r.booking.code for r in results}) == 1
    assert slot_booked(slot_id) == 1


def test_same_sender_same_slot_is_already_booked(seeded):
    slot_id = make_slot()
    first = book(slot_id, key="k1")
    again = book(slot_id, key="k2")
    assert again.status == "already_booked" and again.booking.code == first.booking.code
    assert slot_booked(slot_id) == 1


def test_closed_and_unknown_slots(seeded):
    slot_id = make_slot(status="closed")
    result = book(slot_id)
    assert result.status == "closed" and result.alternatives
    assert book(999_999).status == "closed"


def test_past_slot_is_refused(seeded):
    yesterday = make_slot(day=local_today() - timedelta(days=1))
    result = book(yesterday)
    assert result.status == "past" and slot_booked(yesterday) == 0
    morning = make_slot(day=FAR, period="上午", start="09:00", end="11:30", capacity=3)
    during = datetime.combine(FAR, datetime.min.time(), local_tz()).replace(hour=9, minute=30)
    assert book(morning, now=during).status == "past"
    assert book(morning, now=during - timedelta(hours=1)).status == "booked"
    with dbsession.session_scope() as s:
        assert yesterday not in [x.id for x in booking.free_slots(s, "legal_consultation", limit=100)]
        later = booking.free_slots(s, "legal_consultation", day=FAR, now=during, limit=100)
        assert morning not in [x.id for x in later]


def test_full_slot_not_offered(seeded):
    slot_id = make_slot(capacity=1)
    book(slot_id, sender="a")
    with dbsession.session_scope() as s:
        assert slot_id not in [x.id for x in booking.free_slots(s, "legal_consultation", period="晚上", limit=100)]


def test_cancel_frees_the_place(seeded):
    slot_id = make_slot(capacity=1)
    code = book(slot_id, sender="a").booking.code
    assert book(slot_id, sender="b").status == "full"
    assert booking.cancel(code, sender_id="b").status == "not_found"  # not hers
    result = booking.cancel(code, sender_id="a")
    assert result.status == "cancelled" and result.booking.status == "cancelled"
    assert slot_booked(slot_id) == 0
    assert booking.cancel(code).status == "already_cancelled"
    assert slot_booked(slot_id) == 0
    assert book(slot_id, sender="b").status == "booked"
    assert booking.bookings_of("a") == [] and len(booking.bookings_of("a", include_cancelled=True)) == 1
    assert booking.cancel("NOPE2345").status == "not_found"


def test_concurrent_cancellations_free_one_place(seeded):
    slot_id = make_slot(capacity=3)
    code = book(slot_id, sender="a").booking.code
    book(slot_id, sender="b")
    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = list(pool.map(lambda _: booking.cancel(code).status, range(6)))
    assert statuses.count("cancelled") == 1
    assert slot_booked(slot_id) == 1


def test_change_moves_atomically(seeded):
    old = make_slot(period="晚上", capacity=2)
    new = make_slot(day=FAR + timedelta(days=1), period="晚上", capacity=2)
    code = book(old).booking.code
    result = booking.change(code, new, sender_id="u1")
    assert result.status == "changed" and result.booking.slot_id == new and result.booking.slot.id == new
    assert (slot_booked(old), slot_booked(new)) == (0, 1)
    assert booking.by_code(code).slot_id == new
    assert booking.change(code, new).status == "same_slot"


def test_change_to_a_full_slot_changes_nothing(seeded):
    old = make_slot(period="晚上", capacity=2)
    full = make_slot(day=FAR + timedelta(days=1), period="晚上", capacity=1)
    book(full, sender="other")
    code = book(old).booking.code
    result = booking.change(code, full, sender_id="u1")
    assert result.status == "full" and result.alternatives
    assert (slot_booked(old), slot_booked(full)) == (1, 1)
    assert booking.by_code(code).slot_id == old


def test_change_refusals(seeded):
    old = make_slot(period="晚上")
    code = book(old).booking.code
    other_service = make_slot("counselling", period="晚上")
    with pytest.raises(ValueError):
        booking.change(code, other_service)
    past = make_slot(day=local_today() - timedelta(days=2))
    assert booking.change(code, past).status == "past"
    assert booking.change(code, old + 10_000).status == "closed"
    assert booking.change(code, make_slot(day=FAR + timedelta(days=3)), sender_id="not-her").status == "not_found"
    assert slot_booked(old) == 1


@pytest.mark.parametrize("text,expected", [
    ("13812345678", "13812345678"), ("138 1234 5678", "13812345678"), ("138-1234-5678", "13812345678"),
    ("+86 138 1234 5678", "13812345678"), ("+8613812345678", "13812345678"), ("008613812345678", "13812345678"),
    ("８６１３８１２３４５６７８", "13812345678"), (" 19912345678 ", "19912345678"),
    ("12812345678", None), ("1381234567", None), ("138123456789", None), ("010-12345678", None),
    ("abc", None), ("", None), ("手机13812345678", None),
])
def test_validate_phone(text, expected):
    assert booking.validate_phone(text) == expected


# --- cases ----------------------------------------------------------------------------------------

def new_case(key, category="other", summary=None, risk=None, sender="w1", now=None):
    return cases.create_case(sender_id=sender, channel="rest", category=category, summary=summary or {},
                             consent=True, transcript=[{"who": "worker", "text": "你好", "at": "2025-01-01T00:00:00Z"}],
                             risk=risk, idempotency_key=key, now=now)


def test_case_priorities_and_sla(db):
    now = datetime(2025, 3, 3, 8, 0, tzinfo=timezone.utc)
    expect = {
        "violence-risk": (dict(risk="violence"), "urgent", 2),
        "self-harm": (dict(risk="self_harm"), "urgent", 2),
        "violence-category": (dict(category="violence"), "urgent", 2),
        "imminent": (dict(category="dismissal", summary={"what": "老板说明天就辞退我", "employer": "某厂"}),
                     "urgent", 2),
        "imminent-when": (dict(category="dismissal", summary={"what": "公司要解除劳动合同", "when": "今天下午"}),
                          "urgent", 2),
        "dismissal": (dict(category="dismissal", summary={"what": "上个月被辞退了"}), "high", 24),
        "harassment": (dict(category="harassment"), "high", 24),
        "wages": (dict(category="wages", summary={"what": "明天发工资吗"}), "normal", 72),
    }
    for key, (kw, priority, hours) in expect.items():
        case = new_case(key, now=now, **kw)
        assert case.priority == priority, key
        assert case.sla_due_at == now + timedelta(hours=hours), key
        assert case.code.startswith("AJ") and len(case.code) == 10 and case.status == "new"
    queue = cases.find_cases(status="new")
    ranks = [("urgent", "high", "normal").index(c.priority) for c in queue]
    assert ranks == sorted(ranks)
    assert all(c.overdue for c in queue)  # 2025 deadlines are long past


def test_case_idempotency(db):
    first = new_case("handoff-1")
    assert new_case("handoff-1").code == first.code
    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = set(pool.map(lambda _: new_case("handoff-2").code, range(8)))
    assert len(codes) == 1
    with dbsession.session_scope() as s:
        assert s.scalar(select(func.count()).select_from(Case)) == 2


def test_case_workflow(db):
    case = new_case("k", category="dismissal", summary={"what": "被辞退", "contact": "13812345678"})
    assert cases.open_case_of("w1").code == case.code
    assert cases.take(case.code, "wang").assigned_to == "wang"
    assert cases.take(case.code, "wang").status == "assigned"  # same officer again: fine
    with pytest.raises(cases.CaseConflict):
        cases.take(case.code, "li")
    with pytest.raises(cases.CaseConflict):
        cases.hand_back(case.code, "li")
    assert cases.take(case.code, "li", force=True).assigned_to == "li"
    back = cases.hand_back(case.code, "li")
    assert (back.status, back.assigned_to) == ("new", None)
    cases.take(case.code, "wang")
    note = cases.add_note(case.code, "wang", "已电话联系，约周三面谈")
    assert note.id and cases.by_code(case.code).notes[0].text.startswith("已电话")
    with pytest.raises(cases.CaseConflict):
        cases.close(case.code, "li", "x")
    closed = cases.close(case.code, "wang", "已调解，公司撤回辞退")
    assert closed.status == "closed" and closed.closed_at is not None and closed.outcome.startswith("已调解")
    assert cases.close(case.code, "wang", "again").outcome.startswith("已调解")  # double click
    with pytest.raises(cases.CaseConflict):
        cases.take(case.code, "li", force=True)
    assert cases.open_case_of("w1") is None and [c.code for c in cases.cases_of("w1")] == [case.code]
    with pytest.raises(cases.CaseNotFound):
        cases.take("AJNOPE", "wang")
    assert cases.find_cases(assigned_to="wang", status="closed")[0].code == case.code
    cases.by_code(case.code, viewer="wang")
    with dbsession.session_scope() as s:
        actions = s.scalars(select(AuditLog.action).where(AuditLog.target == case.code).order_by(AuditLog.id)).all()
    assert actions[0] == "case.create" and "case.close" in actions and actions[-1] == "case.view"


def test_two_officers_taking_at_once(db):
    case = new_case("race")
    barrier = threading.Barrier(2)

    def attempt(officer):
        barrier.wait()
        try:
            return cases.take(case.code, officer).assigned_to
        except cases.CaseConflict:
            return None

    with ThreadPoolExecutor(max_workers=2) as pool:
        winners = [w for w in pool.map(attempt, ["wang", "li"]) if w]
    assert len(winners) == 1 and cases.by_code(case.code).assigned_to == winners[0]


# --- users, audit, unanswered ------------------------------------------------------------------

def test_user_passwords_are_hashed(db):
    user = users.create_user("Wang", "correct horse battery", "officer")
    assert user.username == "wang"
    assert user.password_hash != "correct horse battery" and user.password_hash.startswith("$argon2id$")
    assert "correct horse" not in repr(user)
    assert users.authenticate("wang", "correct horse battery").role == "officer"
    assert users.authenticate(" WANG ", "correct horse battery") is not None
    assert users.authenticate("wang", "wrong password!!") is None
    assert users.authenticate("nobody", "correct horse battery") is None
    with pytest.raises(ValueError):
        users.create_user("wang", "another password", "officer")
    with pytest.raises(ValueError):
        users.create_user("li", "short", "officer")
    with pytest.raises(ValueError):
        users.create_user("li", "long enough password", "superuser")
    users.set_active("wang", False)
    assert users.authenticate("wang", "correct horse battery") is None
    with dbsession.session_scope() as s:
        details = s.scalars(select(AuditLog.detail)).all()
    assert all("correct horse" not in str(d) for d in details)


def test_cli_create_user_reads_the_password_from_stdin(db, monkeypatch, capsys):
    from appdb.__main__ import main

    monkeypatch.setattr("sys.stdin", io.StringIO("a long secret phrase\n"))
    assert main(["create-user", "admin1", "--role", "admin", "--password-stdin"]) == 0
    assert "a long secret" not in capsys.readouterr().out
    assert users.authenticate("admin1", "a long secret phrase").role == "admin"
    assert main(["stats"]) == 0


def test_audit_record(db):
    with dbsession.session_scope() as s:
        entry = audit.record(s, "wang", "case.view", "AJ12345678", reason="跟进", phone="13812345678")
    with dbsession.session_scope() as s:
        [found] = audit.entries(s, actor="wang")
        assert (found.action, found.target) == ("case.view", "AJ12345678")
        assert found.detail == {"reason": "跟进", "phone": "138****5678"}
        assert found.id == entry.id and found.at.tzinfo is not None
    with pytest.raises(RuntimeError):  # an entry rolls back with the change it describes
        with dbsession.session_scope() as s:
            audit.record(s, "li", "case.close", "AJ1")
            raise RuntimeError
    with dbsession.session_scope() as s:
        assert audit.entries(s, actor="li") == []


def test_log_unanswered_masks_numbers(db):
    from appdb import unanswered as actions_db

    actions_db.log_unanswered("conv-1", "电话13812345678，身份证110101199003071234", "abstain", 0.123456, "faq-1")
    with dbsession.session_scope() as s:
        row = s.scalar(select(UnansweredQuestion))
    assert "13812345678" not in row.question and "138****5678" in row.question
    assert "199003071234" not in row.question
    assert (row.reason, row.confidence, row.top_entry) == ("abstain", 0.1235, "faq-1")


def test_log_unanswered_creates_the_schema_on_a_fresh_database(tmp_path, monkeypatch):
    monkeypatch.setenv("APP_DB_URL", f"sqlite:///{tmp_path / 'fresh' / 'app.db'}")
    dbsession.reset_engine()
    try:
        from appdb.unanswered import log_unanswered

        log_unanswered("c", "问题", "feedback")
        with dbsession.session_scope() as s:
            assert s.scalar(select(UnansweredQuestion.reason)) == "feedback"
    finally:
        dbsession.reset_engine()


@pytest.mark.parametrize("text,expected", [
    ("12", 12), (" 7 ", 7), ("0", None), ("-3", None), ("²", None), ("１２", None), ("9" * 30, None),
    (str(2**63 - 1), 2**63 - 1), (str(2**63), None), ("", None), ("1e3", None),
])
def test_parse_row_id_accepts_only_ids_a_row_can_have(text, expected):
    from appdb.models import parse_row_id

    assert parse_row_id(text) == expected
