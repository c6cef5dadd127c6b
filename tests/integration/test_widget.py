"""The web chat widget in a real headless Chromium (Debian's /usr/bin/chromium, driven by playwright),
against real Rasa, action and console servers: the demo page at /, Rasa's socket.io channel, the
officer API pushing a reply into the open widget. Screenshots go to the test's tmp dir and the last
ones to build/screenshots/ (`make browser` installs Chromium and a CJK font)."""
from __future__ import annotations

import re
import shutil
import subprocess
import uuid

import httpx
import pytest

from servers import ROOT

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

OFFICER = ("officer_wang", "widget test officer password")
PUBLISHED = ROOT / "build" / "screenshots"

pytestmark = pytest.mark.timeout(300)


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    folder = tmp_path_factory.mktemp("screenshots")
    yield folder
    PUBLISHED.mkdir(parents=True, exist_ok=True)
    for png in folder.glob("*.png"):
        shutil.copy(png, PUBLISHED / png.name)


@pytest.fixture(scope="module")
def wstack(full_stack):
    """The session's stack, warmed up: the first turn loads the index and the models, which on a busy
    machine takes longer than a test waits for an answer."""
    full_stack.say("warmup-" + uuid.uuid4().hex[:6], "产假多少天", timeout=180)
    return full_stack


@pytest.fixture(scope="module")
def page(browser, wstack):
    """One desktop page for the whole conversation: the tests below run in order on it."""
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="zh-CN")
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    errors = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.goto(f"http://127.0.0.1:{wstack.console_port}/")
    yield pg
    context.close()
    assert not errors, errors


LAUNCHER = "咨询女职工权益助手"  # its visible text, which is its accessible name
REPLIES = ".wrw-log .wrw-bot, .wrw-log .wrw-officer"  # what she is told, by the bot or an officer


def bot_count(pg) -> int:
    return pg.locator(REPLIES).count()


def wait_reply(pg, before: int, settle_ms: int = 400) -> str:
    """Wait for the next message(s) to her after `before` of them; return the text of the new ones."""
    pg.wait_for_function(f"document.querySelectorAll({REPLIES!r}).length > {before}", timeout=30_000)
    pg.wait_for_timeout(settle_ms)  # a turn may come as several messages, sent back to back
    return "\n".join(pg.locator(REPLIES).locator(".wrw-bubble").all_inner_texts()[before:])


def say(pg, text: str) -> str:
    before = bot_count(pg)
    pg.locator(".wrw-input").fill(text)
    pg.locator(".wrw-input").press("Enter")
    return wait_reply(pg, before)


def click_reply(pg, title: str) -> str:
    before = bot_count(pg)
    pg.locator(".wrw-replies").last.get_by_role("button", name=title, exact=True).click()
    expect(pg.locator(".wrw-user .wrw-bubble").last).to_contain_text(title)  # shown as her message
    return wait_reply(pg, before)


def session_id(pg) -> str:
    return pg.evaluate("localStorage.getItem('wrw:session')")


def test_demo_page_embeds_the_widget_with_one_script_tag(wstack):
    html = httpx.get(f"http://127.0.0.1:{wstack.console_port}/").text
    assert '<script src="/widget/widget.js"></script>' in html
    assert f'socketUrl: "{wstack.rasa_url}"' in html and "女职工权益" in html
    for name in ("widget.js", "widget.css", "socket.io.min.js"):
        assert httpx.get(f"http://127.0.0.1:{wstack.console_port}/widget/{name}").status_code == 200


def test_open_ask_and_get_an_answer(page, shots):
    launcher = page.get_by_role("button", name=re.compile(LAUNCHER))
    expect(launcher).to_be_visible()
    page.screenshot(path=shots / "01-page.png")
    launcher.click()
    panel = page.get_by_role("dialog", name="女职工权益助手")
    expect(panel).to_be_visible()
    expect(page.locator(".wrw-input")).to_be_focused()  # focus moves into the panel
    expect(page.get_by_role("log")).to_have_attribute("aria-live", "polite")
    expect(page.get_by_role("button", name="发送消息")).to_be_visible()

    page.locator(".wrw-input").fill("产假多少天")
    page.locator(".wrw-input").press("Enter")
    expect(page.locator(".wrw-typing")).to_be_visible()  # typing indicator while waiting
    answer = wait_reply(page, 0)
    assert "98天" in answer
    expect(page.locator(".wrw-typing")).to_have_count(0)
    notice = page.locator(".wrw-notice")
    expect(notice).to_contain_text("本对话可能涉及个人信息")
    expect(notice).to_contain_text("仅用于解答和转交工会维权专员")
    expect(page.locator(".wrw-user .wrw-bubble").first).to_contain_text("产假多少天")
    page.screenshot(path=shots / "02-answer.png")


def test_a_button_in_the_answer_works(page, shots):
    reply = click_reply(page, "广东")
    assert "178天" in reply
    page.screenshot(path=shots / "03-button.png")


def test_reload_keeps_the_history_and_the_session(page, wstack):
    sid = session_id(page)
    shown = page.locator(".wrw-log .wrw-bubble").all_inner_texts()
    page.reload()
    page.get_by_role("button", name=re.compile(LAUNCHER)).click()
    expect(page.locator(".wrw-log .wrw-bot").first).to_be_visible()
    assert page.locator(".wrw-log .wrw-bubble").all_inner_texts() == shown
    assert session_id(page) == sid
    # The server holds the same conversation (SQL tracker store) under the widget's session id.
    tracker = httpx.get(f"{wstack.rasa_url}/conversations/{sid}/tracker", params={"token": wstack.token}).json()
    said = [e.get("text") for e in tracker["events"] if e.get("event") == "user"]
    assert "产假多少天" in said and "我在广东" in said
    assert tracker["latest_input_channel"] == "socketio"
    # Esc closes the panel and gives focus back to the launcher.
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_be_hidden()
    expect(page.get_by_role("button", name=re.compile(LAUNCHER))).to_be_focused()
    page.get_by_role("button", name=re.compile(LAUNCHER)).click()


def test_reconnects_after_a_network_drop(page):
    page.evaluate("WomenRightsWidget.init().then(w => w.socket.io.engine.close())")  # the connection drops
    expect(page.locator(".wrw-status")).to_have_text("正在重新连接…")
    expect(page.locator(".wrw-status")).to_be_hidden(timeout=15_000)
    assert "98天" in say(page, "产假多少天")  # and the conversation goes on


def escalate_in_widget(pg) -> str:
    """She asks for a human and answers the short summary; returns the case code she is given."""
    assert "同意" in say(pg, "转人工")
    assert "哪一类" in click_reply(pg, "同意")
    click_reply(pg, "孕期/产期/哺乳期被辞退或降薪")
    say(pg, "深圳，某电子厂")
    click_reply(pg, "跳过")
    say(pg, "希望能继续上班")
    done = click_reply(pg, "就在这里联系")
    return re.search(r"案件编号：(AJ[A-Z0-9]{8})", done).group(1)


def test_an_officers_reply_is_pushed_into_the_open_widget(page, wstack, shots):
    code = escalate_in_widget(page)

    subprocess.run([str(ROOT / ".venv/bin/python"), "-m", "appdb", "create-user", OFFICER[0], "--role", "officer",
                    "--password-stdin"], input=OFFICER[1] + "\n", text=True, env=wstack.env, cwd=ROOT,
                   check=True, capture_output=True)
    with httpx.Client(base_url=f"http://127.0.0.1:{wstack.console_port}", auth=OFFICER, timeout=30) as api:
        case = api.get(f"/api/cases/{code}").json()
        assert case["channel"] == "socketio" and case["status"] == "new"
        assert any(line["text"] == "希望能继续上班" for line in case["conversation"])  # this widget's session
        before = bot_count(page)
        assert api.post(f"/api/cases/{code}/take").status_code == 200
        assert "维权专员已接手" in wait_reply(page, before)  # pushed too
        before = bot_count(page)
        assert api.post(f"/api/cases/{code}/reply",
                        json={"text": "您好，我是维权专员小王，请先别签任何文件。"}).status_code == 200
        # Nothing is sent from the page: the reply arrives by itself.
        assert "我是维权专员小王" in wait_reply(page, before)
        page.screenshot(path=shots / "04-officer-reply.png")
        assert api.post(f"/api/cases/{code}/close", json={"outcome": "已联系"}).status_code == 200


def test_clear_asks_first_and_keeps_her_case_reachable(page, wstack, shots):
    """清除记录 (issue 13, finding 2) asks before it clears, and clears only what this device shows: an
    officer's reply written after it still arrives, and 「我的案件进展」 still finds her case."""
    code = escalate_in_widget(page)
    old = session_id(page)
    shown = page.locator(".wrw-log .wrw-bubble").all_inner_texts()
    page.get_by_role("button", name="清除记录").click()
    ask = page.get_by_role("alertdialog", name="清除记录")
    expect(ask).to_be_visible()
    expect(ask).to_contain_text("维权专员的回复仍会发到这里")
    page.screenshot(path=shots / "05-clear-asks.png")
    ask.get_by_role("button", name="不清除").click()
    expect(ask).to_be_hidden()
    assert page.locator(".wrw-log .wrw-bubble").all_inner_texts() == shown  # nothing lost

    page.get_by_role("button", name="清除记录").click()
    ask.get_by_role("button", name="清除", exact=True).click()
    expect(page.locator(".wrw-log .wrw-msg")).to_have_count(0)
    assert page.evaluate("localStorage.getItem('wrw:history')") == "[]"
    assert session_id(page) == old  # the same conversation: her case is still hers

    with httpx.Client(base_url=f"http://127.0.0.1:{wstack.console_port}", auth=OFFICER, timeout=30) as api:
        assert api.post(f"/api/cases/{code}/take").status_code == 200
        before = bot_count(page)
        reply = {"text": "清除以后也能收到：我是维权专员小王。"}
        assert api.post(f"/api/cases/{code}/reply", json=reply).status_code == 200
        assert "清除以后也能收到" in wait_reply(page, before)
        page.screenshot(path=shots / "05-cleared-then-reply.png")
        before = bot_count(page)
        assert api.post(f"/api/cases/{code}/close", json={"outcome": "已联系"}).status_code == 200
        assert "已办结" in wait_reply(page, before)
    status = say(page, "我的案件进展")
    assert code in status and "没有查到" not in status
    page.reload()  # cleared stays cleared: what came after the clear is all there is
    page.get_by_role("button", name=re.compile(LAUNCHER)).click()
    expect(page.locator(".wrw-log .wrw-bubble").first).to_contain_text("维权专员已接手")


def test_phone_screen_gets_a_full_screen_panel(browser, wstack, shots):
    context = browser.new_context(viewport={"width": 375, "height": 667}, is_mobile=True, has_touch=True,
                                  locale="zh-CN")
    try:
        pg = context.new_page()
        pg.goto(f"http://127.0.0.1:{wstack.console_port}/")
        pg.get_by_role("button", name=re.compile(LAUNCHER)).click()
        panel = pg.get_by_role("dialog")
        expect(panel).to_be_visible()
        box = panel.bounding_box()
        assert (box["x"], box["y"], box["width"], box["height"]) == (0, 0, 375, 667)
        for part in (".wrw-input", ".wrw-send", ".wrw-clear"):
            b = pg.locator(part).bounding_box()
            assert 0 <= b["x"] and b["x"] + b["width"] <= 375 and 0 <= b["y"] and b["y"] + b["height"] <= 667, part
        assert "98天" in say(pg, "产假多少天")
        pg.screenshot(path=shots / "06-phone.png")
    finally:
        context.close()
