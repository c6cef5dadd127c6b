"""The dashboard against a real console and its SQLite database: the figures match the rows we put
in (by local day, by period), the charts are inline SVG, every role lands on it, it stays fast with
100k answer-log rows, and a question asked through the real bot shows up in it."""
from __future__ import annotations

import re
import secrets
import time
import uuid
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from appdb import session as dbsession
from appdb.models import AnswerLog, AuditLog, Booking, Case, Slot, UnansweredQuestion, utcnow
from staff import PASSWORD, login

ZONE = ZoneInfo("Asia/Shanghai")
_STAT = re.compile(r'data-stat="(\w+)"><b>([^<]*)</b>')
_POINT = re.compile(r'data-label="([^"]+)" data-value="([^"]+)"')


def at_local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZONE).astimezone(timezone.utc)


def stats(html: str) -> dict[str, str]:
    return dict(_STAT.findall(html))


def chart(html: str, title: str, series: str | None = None) -> dict[str, float]:
    """label -> value of one chart (and one series of a line chart), read from the SVG."""
    svg = html[html.index(f">{title}</title>"):]
    svg = svg[:svg.index("</svg>")]
    if series:
        svg = svg[svg.index(f'data-series="{series}"'):]
        svg = svg[:svg.index("</g>")]
    return {label: float(value) for label, value in _POINT.findall(svg)}


def table_count(html: str, attribute: str, key: str) -> int:
    match = re.search(rf'data-{attribute}="{re.escape(key)}"><td>[^<]*</td><td>(\d+)</td>', html)
    return int(match.group(1)) if match else 0


def snapshot(client, days: int = 30) -> dict:
    html = client.get(f"/admin/dashboard?days={days}").text
    return {"html": html, "stats": stats(html)}


def answer(conversation: str, at: datetime, kind: str, topic: str = "") -> dict:
    return {"at": at, "conversation": conversation, "channel": "rest", "kind": kind, "topic": topic,
            "entry_id": "", "confidence": 0.5}


def add_case(db: Session, created: datetime, status: str, sla_due: datetime) -> None:
    db.add(Case(code="AJ" + secrets.token_hex(4).upper(), sender_id=f"s-{uuid.uuid4()}", priority="normal",
                status=status, sla_due_at=sla_due, created_at=created, updated_at=created,
                idempotency_key=str(uuid.uuid4()), closed_at=created if status == "closed" else None))


def add_booking(db: Session, slot: Slot, created: datetime, status: str) -> None:
    db.add(Booking(code=secrets.token_hex(4).upper(), slot_id=slot.id, sender_id=f"s-{uuid.uuid4()}", name="王芳",
                   phone="13800000000", status=status, idempotency_key=str(uuid.uuid4()), created_at=created,
                   updated_at=created))


def test_figures_match_the_rows_in_the_database(as_user, app_db):
    admin = as_user("admin")
    before, before_90 = snapshot(admin), snapshot(admin, 90)
    today = datetime.now(ZONE).date()
    day, next_day = today - timedelta(days=5), today - timedelta(days=4)
    a, b, old = (secrets.token_hex(32) for _ in range(3))
    app_db.execute(insert(AnswerLog), [
        answer(a, at_local(day, 10), "answer", "harassment"),
        answer(a, at_local(day, 10, 5), "calculation", "maternity"),
        answer(a, at_local(day, 10, 9), "abstain"),
        answer(b, at_local(day, 23, 30), "caveat", "harassment"), answer(b, at_local(day, 23, 31), "ack"),
        answer(b, at_local(next_day, 0, 30), "out_of_scope"),  # 16:30 UTC of `day`: a local day later
        answer(old, at_local(today - timedelta(days=40), 12), "answer", "maternity"),  # only in the 90 days
    ])
    now = utcnow()
    add_case(app_db, at_local(day, 9), "new", now - timedelta(hours=1))  # open and overdue
    add_case(app_db, at_local(day, 15), "closed", now - timedelta(hours=1))
    slot = app_db.scalar(select(Slot).order_by(Slot.id).limit(1))
    for status in ("confirmed", "confirmed", "cancelled"):
        add_booking(app_db, slot, at_local(day, 11), status)
    app_db.add(UnansweredQuestion(created_at=now, conversation=a, question="某个问题", reason="abstain"))
    app_db.add(AuditLog(at=now, actor="retention", action="retention.purge", target="older than 180 days",
                    detail={"cases": 3, "answers": 777, "sessions": 2}))
    app_db.commit()

    after, after_90 = snapshot(admin), snapshot(admin, 90)

    def delta(key: str, old_snap=before, new_snap=after) -> int:
        return int(new_snap["stats"][key]) - int(old_snap["stats"][key])

    assert delta("questions") == 5 and delta("conversations") == 2
    assert delta("questions", before_90, after_90) == 6 and delta("conversations", before_90, after_90) == 3
    assert (delta("abstentions"), delta("caveats")) == (2, 1)
    assert (delta("cases"), delta("cases_open"), delta("cases_overdue")) == (2, 1, 1)
    assert (delta("bookings"), delta("unanswered_open")) == (2, 1)
    html_before, html = before["html"], after["html"]
    for series, on_day, on_next in (("对话", 2, 1), ("提问", 4, 1)):
        old_points, new_points = (chart(html_before, "每天的对话数和提问数", series),
                                  chart(html, "每天的对话数和提问数", series))
        assert new_points[f"{day:%m-%d}"] - old_points[f"{day:%m-%d}"] == on_day
        assert new_points[f"{next_day:%m-%d}"] - old_points[f"{next_day:%m-%d}"] == on_next
    assert (chart(html, "每天转人工的案件数")[f"{day:%m-%d}"]
            - chart(html_before, "每天转人工的案件数")[f"{day:%m-%d}"]) == 2
    assert chart(html, "每天新增的预约数")[f"{day:%m-%d}"] - chart(html_before, "每天新增的预约数")[f"{day:%m-%d}"] == 2
    assert table_count(html, "topic", "性骚扰") - table_count(html_before, "topic", "性骚扰") == 2
    assert table_count(html, "topic", "产假") - table_count(html_before, "topic", "产假") == 1
    assert table_count(html, "service", slot.service.name) - table_count(html_before, "service", slot.service.name) == 2
    kinds = {k: table_count(html, "kind", k) for k in ("answer", "calculation")}
    assert after["stats"]["answer_rate"] == f"{round(100 * sum(kinds.values()) / int(after['stats']['questions']))}%"
    assert "回答记录 777 条" in html and "过期登录 2 个" in html
    assert len(chart(html, "每天转人工的案件数")) == 30 and len(chart(after_90["html"], "每天转人工的案件数")) == 90


def test_charts_are_inline_svg_with_accessible_names(as_user):
    html = as_user("cora").get("/admin/dashboard?days=7").text
    assert html.count('<svg class="chart"') == 3 and html.count('role="img"') == 3
    assert "<desc id=" in html and "<script src=\"http" not in html and "cdn" not in html.lower()


@pytest.mark.parametrize("user", ["olga", "cora", "admin"])
def test_every_role_lands_on_the_dashboard(as_user, user):
    client = as_user(user)
    home = client.get("/admin", follow_redirects=False)
    assert home.status_code == 303 and home.headers["location"] == "/admin/dashboard"
    assert client.get("/admin/dashboard").status_code == 200


@pytest.mark.parametrize("days", ["abc", "365", "", "😀", "7" * 5000])
def test_an_odd_period_shows_30_days_and_says_so(as_user, days):
    r = as_user("olga").get("/admin/dashboard", params={"days": days})
    assert r.status_code == 200 and "时间段只能选 7、30 或 90 天" in r.text
    assert len(chart(r.text, "每天新增的预约数")) == 30


def test_dashboard_stays_fast_with_100k_answer_rows(tmp_path, monkeypatch):
    from console.admin.dashboard import gather

    monkeypatch.setenv("APP_DB_URL", f"sqlite:///{tmp_path / 'big.db'}")
    monkeypatch.setenv("VAR_DIR", str(tmp_path))
    dbsession.reset_engine()
    try:
        dbsession.upgrade()
        now, kinds = utcnow(), ("answer", "calculation", "caveat", "abstain", "clarify")
        rows = [answer(f"c{i % 7000}", now - timedelta(minutes=i * 1.2), kinds[i % 5], f"t{i % 12}")
                for i in range(100_000)]  # about 83 days
        with dbsession.session_scope() as s:
            s.execute(insert(AnswerLog), rows)
        started = time.perf_counter()
        insight = gather(90)
        elapsed = time.perf_counter() - started
    finally:
        dbsession.reset_engine()
    assert insight.questions == 100_000 and insight.conversations == 7000
    assert abs(insight.answer_rate - 0.4) < 1e-9 and len(insight.topics) == 10
    assert elapsed < 2.0, f"dashboard figures took {elapsed:.2f} s"


@pytest.mark.timeout(600)
def test_a_question_to_the_real_bot_is_logged_and_counted(full_stack):
    import hashlib
    import hmac

    bot = full_stack  # shared with other tests: compare before and after
    client = login(f"http://127.0.0.1:{bot.console_port}", "olga")
    before = stats(client.get("/admin/dashboard?days=7").text)
    sender = f"dash-{uuid.uuid4()}"
    question = "生孩子能休多少天产假"
    key = (bot.var_dir / "secrets" / "answer_log_key")
    assert bot.say(sender, question)
    conversation = hmac.new(key.read_bytes().strip(), sender.encode(), hashlib.sha256).hexdigest()
    engine = dbsession.make_engine(bot.env["APP_DB_URL"])
    deadline, rows = time.monotonic() + 15, []
    try:
        while not rows and time.monotonic() < deadline:  # the action server writes in the background
            time.sleep(0.2)
            with Session(engine) as s:
                rows = list(s.scalars(select(AnswerLog).where(AnswerLog.conversation == conversation)))
    finally:
        engine.dispose()
    assert len(rows) == 1
    row = rows[0]
    assert (row.channel, row.topic) == ("rest", "maternity") and row.kind in ("answer", "calculation", "clarify")
    assert not any(question in str(v) or sender in str(v) for v in vars(row).values())
    try:
        after = stats(client.get("/admin/dashboard?days=7").text)
    finally:
        client.close()
    assert int(after["questions"]) == int(before["questions"]) + 1
    assert int(after["conversations"]) == int(before["conversations"]) + 1


def test_in_the_browser_an_officer_lands_on_the_dashboard_with_its_charts(browser, console_url, tmp_path):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{console_url}/admin/login")
        page.fill("input[name=username]", "olga")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/admin/dashboard")
        page.click("text=最近 7 天")
        page.wait_for_url("**/admin/dashboard?days=7")
        charts = page.locator("svg.chart")
        assert charts.count() == 3 and charts.first.bounding_box()["width"] > 300
        assert page.get_by_role("img", name="每天的对话数和提问数").count() == 1
        page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
    finally:
        context.close()
