"""Thumbs under the widget's answers, in a real headless Chromium against real Rasa, action and
console servers: 👎 reaches the bot without showing as her message, the question lands (once) in
the app database as "feedback", and a curator sees it on the unanswered page; 👍 stays local."""
from __future__ import annotations

import sqlite3
import time
from urllib.parse import quote_plus

import pytest

from integration.test_widget import LAUNCHER, bot_count
from staff import PASSWORD

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

pytestmark = pytest.mark.timeout(420)
QUESTION = "产假多少天"


@pytest.fixture(scope="module")
def context(browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 860}, locale="zh-CN")
    yield ctx
    ctx.close()


def feedback_rows(stack) -> list[tuple]:
    with sqlite3.connect(stack.var_dir / "app.db") as db:
        return db.execute("select conversation, question from unanswered_questions "
                          "where reason = 'feedback'").fetchall()


def test_thumbs_down_is_logged_once_and_shown_to_curators(full_stack, context):
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    errors = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    sent = []
    pg.on("websocket", lambda ws: ws.on("framesent", lambda frame: sent.append(str(frame))))
    pg.goto(f"http://127.0.0.1:{full_stack.console_port}/")
    pg.get_by_role("button", name=LAUNCHER).click()
    pg.locator(".wrw-input").fill(QUESTION)
    pg.locator(".wrw-input").press("Enter")
    pg.wait_for_function("document.querySelectorAll('.wrw-log .wrw-bot').length > 0")
    pg.wait_for_timeout(500)

    votes = pg.get_by_role("group", name="这条回答有帮助吗？")
    expect(votes.first).to_be_visible()
    up, down = (votes.first.get_by_role("button", name="有帮助", exact=True),
                votes.first.get_by_role("button", name="没有帮助"))
    expect(up).to_be_enabled()
    before = bot_count(pg)
    down.dblclick()  # a double click still votes once
    pg.wait_for_function(f"document.querySelectorAll('.wrw-log .wrw-bot').length > {before}")
    expect(pg.locator(".wrw-log .wrw-bot .wrw-bubble").last).to_contain_text("抱歉没能帮到你")
    expect(down).to_have_attribute("aria-pressed", "true")
    expect(up).to_be_disabled()
    expect(votes.first).to_contain_text("谢谢反馈")
    user_texts = pg.locator(".wrw-user .wrw-bubble").all_inner_texts()
    assert len(user_texts) == 1 and QUESTION in user_texts[0]  # the payload is not shown as her message
    assert sum("/feedback_negative" in f for f in sent) == 1

    session = pg.evaluate("localStorage.getItem('wrw:session')")
    deadline = time.monotonic() + 20
    while not feedback_rows(full_stack) and time.monotonic() < deadline:
        time.sleep(0.5)
    time.sleep(1)  # a second, wrongly sent vote would have arrived by now
    assert feedback_rows(full_stack) == [(session, QUESTION)]

    apology_votes = pg.locator(".wrw-vote").count()
    assert apology_votes == before  # the apology itself gets no thumbs

    pg.reload()  # the vote is remembered with the history
    pg.get_by_role("button", name=LAUNCHER).click()
    expect(pg.get_by_role("button", name="没有帮助").first).to_be_disabled()
    assert not errors, errors

    admin = context.new_page()
    admin.goto(f"http://127.0.0.1:{full_stack.console_port}/admin/login")
    admin.get_by_label("用户名").fill("cora")
    admin.get_by_label("密码").fill(PASSWORD)
    admin.get_by_role("button", name="登录").click()
    admin.goto(f"http://127.0.0.1:{full_stack.console_port}/admin/unanswered?reason=feedback")
    group = admin.locator("section.group").filter(has_text=QUESTION)
    expect(group).to_have_count(1)
    expect(group).to_contain_text("用户点了 👎 1")
    href = group.get_by_role("link", name="据此新建知识条目").get_attribute("href")
    assert href.startswith(f"/admin/faq/new?question={quote_plus(QUESTION)}&from_unanswered=")


def test_thumbs_up_only_thanks_locally(full_stack, context):
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    sent = []
    pg.on("websocket", lambda ws: ws.on("framesent", lambda frame: sent.append(str(frame))))
    pg.goto(f"http://127.0.0.1:{full_stack.console_port}/")
    pg.get_by_role("button", name=LAUNCHER).click()
    pg.get_by_role("button", name="清除记录").click()
    pg.get_by_role("alertdialog").get_by_role("button", name="清除", exact=True).click()
    pg.locator(".wrw-input").fill("哺乳时间有多久")
    pg.locator(".wrw-input").press("Enter")
    pg.wait_for_function("document.querySelectorAll('.wrw-log .wrw-bot').length > 0")
    rows_before, frames_before = len(feedback_rows(full_stack)), len(sent)
    votes = pg.get_by_role("group", name="这条回答有帮助吗？").first
    votes.get_by_role("button", name="有帮助", exact=True).click()
    expect(votes).to_contain_text("谢谢反馈")
    expect(votes.get_by_role("button", name="没有帮助")).to_be_disabled()
    pg.wait_for_timeout(1500)
    assert len(sent) == frames_before and len(feedback_rows(full_stack)) == rows_before


def test_thumbs_down_on_an_earlier_answer_reaches_curators_as_that_exchange(full_stack, browser):
    """Issue 13, finding 6: 👎 under the first of two answers logs the first question (not the last one,
    never 「/feedback_negative」) with the entry that answer came from."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 860}, locale="zh-CN")  # a conversation of its own
    pg = ctx.new_page()
    pg.set_default_timeout(30_000)
    pg.goto(f"http://127.0.0.1:{full_stack.console_port}/")
    pg.get_by_role("button", name=LAUNCHER).click()
    for question in ("生育津贴怎么领", "哺乳期每天有多少哺乳时间"):
        before = bot_count(pg)
        pg.locator(".wrw-input").fill(question)
        pg.locator(".wrw-input").press("Enter")
        pg.wait_for_function(f"document.querySelectorAll('.wrw-log .wrw-bot').length > {before}")
        pg.wait_for_timeout(800)
    session = pg.evaluate("localStorage.getItem('wrw:session')")
    pg.get_by_role("group", name="这条回答有帮助吗？").first.get_by_role("button", name="没有帮助").click()
    expect(pg.locator(".wrw-log .wrw-bot .wrw-bubble").last).to_contain_text("抱歉没能帮到你")
    deadline, rows = time.monotonic() + 20, []
    while not rows and time.monotonic() < deadline:
        time.sleep(0.5)
        with sqlite3.connect(full_stack.var_dir / "app.db") as db:
            rows = db.execute("select question, top_entry from unanswered_questions where reason = 'feedback' "
                              "and conversation = ?", (session,)).fetchall()
    ctx.close()
    assert len(rows) == 1 and rows[0][0] == "生育津贴怎么领", rows
    assert rows[0][1].startswith("faq:"), "the entry of the rated answer is named for the curators"
