"""Every console page in headless Chromium, with real data on it (issue 13, findings 9 and 10 and the
axe bar): a FAQ entry with versions and a diff, an edited shipped entry, a published upload with
its leave figures, a service with a booking, a case with a transcript, unanswered questions, a hit
test with a result, the audit log and the accounts. Each page must have 0 serious or critical axe
violations and no English or internal words (scores to four decimals, BM25, case.view, socketio,
/affirm, raw JSON or YAML keys, 第 0 版, an entry id as the page's title); publishing shows its
progress live, without a reload.

The console (test_leave_figures' `site`) runs without Rasa (a case page falls back to the conversation
stored with the case) on its own copy of the index, so publishing here never touches build/index."""
from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from axe import assert_no_serious
from staff import PASSWORD, login
from test_faq import create_entry, entry_form
from test_leave_figures import REGULATION, base, form_values, site, upload  # noqa: F401 (site, base: fixtures)
from test_services import a_slot, book, new_service

expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = pytest.mark.timeout(900)
SCREENSHOTS = Path(__file__).resolve().parents[2] / "build/screenshots"

# What a Chinese-speaking member of staff must never meet on a page.
FORBIDDEN = ("BM25", "answer", "calculation", "caveat", "abstain", "clarify", "out_of_scope", "socketio",
             "case.view", "/affirm", "/deny", "/feedback", "第 0 版", '{"', "topic:", "questions:", "basis:",
             "review_by", "region:", "python -m", "create-user", "None", "null")
INTERNAL = re.compile(r"\b[a-z]+[._][a-z_]+\b|\b\d\.\d{4}\b|\b(?:utc|UTC)\b")  # faq.publish, out_of_scope, 0.8123
ENTRY_ID = re.compile(r"\b[a-z_]+-\d{3}\b")
IDENTIFIER = re.compile(r"[a-z][\w:\-]*")
# As appdb.cases stores a snapshot: Rasa's epoch seconds kept as text (1764232800 is 11-27 16:40 in Shanghai).
TRANSCRIPT = [{"who": "worker", "text": "我怀孕了，公司要把我调岗降薪", "at": "1764232800.0"},
              {"who": "bot", "text": "是否要转给维权专员？", "at": "1764232805.0"},
              {"who": "worker", "text": "/affirm", "at": "1764232809.0"},
              {"who": "worker", "text": '/choose_slot{"slot_id":"3"}', "at": "1764232812.0"},
              {"who": "bot", "text": "我先帮你登记", "at": "1764232815.0"}]


@pytest.fixture(scope="module")
def data(site, base):
    """Real data on every page, put in as staff would (the forms) or as the bot would (appdb)."""
    from appdb import cases
    from appdb.session import reset_engine
    from appdb.unanswered import log_unanswered

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("APP_DB_URL", site.env["APP_DB_URL"])
        reset_engine()
        cora, carl, olga = login(base, "cora"), login(base, "carl"), login(base, "olga")
        entry = create_entry(cora)
        carl.form(f"/admin/faq/{entry}/review", {"version": "1"})  # so the edit below is version 2: a diff
        changed = entry_form(answer="会员卡丢了可以补办：先到单位工会挂失，再申请补办新卡。", region="上海",
                             note="补充挂失")
        cora.form(f"/admin/faq/{entry}/edit", changed)
        shipped = "breastfeeding-001"
        cora.form(f"/admin/faq/{shipped}/edit", {**entry_form(topic="breastfeeding"), "note": "改写"})
        doc = upload(cora, REGULATION, title="河南省人口与计划生育条例（测试）", region="河南", effective="2024-01-01",
                     level="地方性法规")
        cora.form(f"/admin/documents/{doc}/publish")
        proposal = cora.form(f"/admin/documents/{doc}/leave-figures",
                             form_values(cora.get(f"/admin/documents/{doc}/leave-figures").text))
        key = new_service(cora)
        book(a_slot(key))
        code = cases.create_case(sender_id="w-" + uuid.uuid4().hex[:8], channel="socketio", category="dismissal",
                                 consent=True, risk=None, summary={"employer": "某电子厂", "what": "怀孕后被调岗降薪"},
                                 transcript=TRANSCRIPT, idempotency_key=uuid.uuid4().hex).code
        olga.form(f"/admin/cases/{code}/take")
        olga.form(f"/admin/cases/{code}/note", {"text": "先电话联系"})
        log_unanswered("test-conv", "怀孕被辞退怎么办", "abstain", 0.2, "faq:dismissal-001")
        log_unanswered("test-conv", "公司因为我怀孕开除我", "feedback", 0.0, "")
        for client in (cora, carl, olga):
            client.close()
        reset_engine()
    yield {"entry": entry, "shipped": shipped, "doc": doc, "proposal": proposal.headers["location"].split("?")[0],
           "service": key, "case": code}


def pages(data: dict) -> dict[str, str]:
    """Every page of the console (the routes of console/admin/*), by a short name."""
    entry, shipped = data["entry"], data["shipped"]
    return {
        "dashboard": "/admin/dashboard", "faq": "/admin/faq", "faq_new": "/admin/faq/new",
        "faq_view": f"/admin/faq/{entry}", "faq_edit": f"/admin/faq/{entry}/edit",
        "faq_history": f"/admin/faq/{entry}/history", "faq_shipped": f"/admin/faq/{shipped}",
        "faq_shipped_history": f"/admin/faq/{shipped}/history?v=1",
        "documents": "/admin/documents", "document": f"/admin/documents/{data['doc']}",
        "leave_extract": f"/admin/documents/{data['doc']}/leave-figures", "leave_figures": "/admin/leave-figures",
        "leave_proposal": data["proposal"], "hit_test": "/admin/hit-test",
        "hit_test_result": "/admin/hit-test?q=怀孕了公司要辞退我怎么办",
        "hit_test_calc": "/admin/hit-test?q=上海产假多少天", "unanswered": "/admin/unanswered",
        "services": "/admin/services", "bookings": "/admin/services/bookings",
        "service": f"/admin/services/{data['service']}", "cases": "/admin/cases",
        "case": f"/admin/cases/{data['case']}",
        "audit": "/admin/audit", "users": "/admin/users", "not_found": "/admin/faq/no-such-entry",
    }


def open_as(browser, base: str, username: str | None):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(120_000)  # the first documents page reads every official text (15 s idle)
    if username:
        page.goto(f"{base}/admin/login")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        expect(page).to_have_url(re.compile(r"/admin/dashboard"))
    return context, page


def wording_problems(page) -> list[str]:
    """English and internal words a member of staff would read on the page (visible text and title)."""
    ids = page.locator(".id").all_inner_texts()  # an id kept as small secondary text, never more
    assert all(IDENTIFIER.fullmatch(i.strip()) for i in ids), ids
    text = page.title() + "\n" + page.evaluate(
        "() => { const ids = [...document.querySelectorAll('.id')]; ids.forEach(e => e.hidden = true);"
        " const text = document.body.innerText; ids.forEach(e => e.hidden = false); return text; }")
    found = [token for token in FORBIDDEN if token in text]
    found += sorted(set(INTERNAL.findall(text)))
    heading = page.title() + " " + page.locator("h1").first.inner_text()
    found += [f"entry id in the heading: {m}" for m in ENTRY_ID.findall(heading)]
    return found


def problems_on(page) -> list[str]:
    """Wording problems and serious axe violations of the page as it is now."""
    problems = wording_problems(page)
    try:
        assert_no_serious(page)
    except AssertionError as exc:
        problems.append(str(exc))
    return problems


def test_every_page_is_chinese_and_clean_under_axe(browser, base, data):
    failures = {}
    every = pages(data)
    as_curator = {k: every[k] for k in ("dashboard", "faq", "faq_view", "hit_test_result", "unanswered", "services")}
    as_officer = {k: every[k] for k in ("dashboard", "cases", "case")}
    for username, visited in (("admin", every), ("cora", as_curator), ("olga", as_officer),
                              (None, {"login": "/admin/login"})):
        context, page = open_as(browser, base, username)
        try:
            for name, path in visited.items():
                page.goto(base + path)
                if problems := problems_on(page):
                    failures[f"{name} ({username or 'logged out'})"] = problems
        finally:
            context.close()
    assert not failures, "\n".join(f"{name}: {problems}" for name, problems in failures.items())


def test_the_case_page_as_its_officer_with_a_screenshot(browser, base, data):
    context, page = open_as(browser, base, "olga")
    try:
        page.goto(f"{base}/admin/cases/{data['case']}")
        assert wording_problems(page) == []
        conversation = page.locator(".conversation")
        expect(conversation).to_contain_text("点了：是")  # her tapped /affirm, in words
        expect(conversation).to_contain_text("11-27 16:40")  # the snapshot's epoch text as local time
        assert_no_serious(page)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "console_case.png"), full_page=True)
    finally:
        context.close()


def test_keyboard_focus_is_visible(browser, base, data):
    """Tabbing to a link or a button draws a clear ring (finding 10): a solid outline of 2 px or more,
    not Chromium's default 1 px ring, which is hardly seen on the dark red menu."""
    context, page = open_as(browser, base, "cora")
    try:
        page.goto(f"{base}/admin/faq")
        for _ in range(4):
            page.keyboard.press("Tab")
            style, width = page.evaluate("() => { const s = getComputedStyle(document.activeElement);"
                                         " return [s.outlineStyle, parseFloat(s.outlineWidth)]; }")
            assert style == "solid" and width >= 2, (style, width)
    finally:
        context.close()


def test_publishing_shows_its_progress_live(browser, base, data):
    """After 发布 the status goes from 正在更新 to 已是最新 on the open page, without a reload."""
    entry = data["entry"]
    context, page = open_as(browser, base, "carl")
    page.on("dialog", lambda dialog: dialog.accept())
    try:
        page.goto(f"{base}/admin/faq/{entry}")
        page.get_by_role("button", name="审核通过").click()
        page.get_by_role("button", name="发布").click()
        status = page.locator("#build-status")
        expect(status).to_contain_text("正在更新")
        expect(status).to_have_attribute("aria-live", "polite")  # announced by screen readers when it changes
        loaded = page.evaluate("performance.timeOrigin")
        expect(status).to_contain_text("已是最新", timeout=180_000)
        assert page.evaluate("performance.timeOrigin") == loaded, "the page was reloaded"
        finished = status.inner_text()
        assert "用时" in finished, finished
        now = datetime.now(ZoneInfo("Asia/Shanghai"))
        shown = re.search(r"(\d{2}-\d{2} \d{2}:\d{2}:\d{2}) 完成", finished).group(1)
        finished_at = datetime.strptime(f"{now.year}-{shown}", "%Y-%m-%d %H:%M:%S").replace(tzinfo=now.tzinfo)
        assert abs(now - finished_at) < timedelta(minutes=5), (shown, now)
    finally:
        context.close()
