"""The widget on a phone and for everyone (issue 13, findings 4, 7 and 10), in a real headless Chromium
against the real Rasa, action and console servers of the session's `full_stack` (warmed up by test_widget's `wstack`):

- a phone (360 × 640, touch): starter questions in an empty widget; a long answer keeps its first
  line in view; the input grows and has a 16 px font; hotline numbers are tap-to-call and the emergency
  reply stands out; 👍/👎 are words with finger-sized targets; an officer's message says who speaks; a
  host page without a viewport meta tag still shows the widget at its size;
- when Rasa cannot be reached (a TCP relay in front of the real server is cut, then restored) she is
  told so within seconds with 12351, the emergency numbers stay in view, and what she wrote is sent
  once the connection is back;
- accessibility: the launcher's name is its text, the phone panel is a modal dialog that keeps the
  focus, typing and unread messages are announced, used reply buttons leave the tab order; axe-core
  finds nothing serious with answers, buttons, an emergency reply and an officer's message, on a phone
  and on a desktop.
Screenshots go to build/screenshots/ (the `shots` fixture of test_widget).
"""
from __future__ import annotations

import re
import socket
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from axe import assert_no_serious
from integration import test_widget as tw
from integration.test_widget import LAUNCHER, bot_count, say, wait_reply
from deploy.processes import free_port

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

pytestmark = pytest.mark.timeout(300)
shots, wstack = tw.shots, tw.wstack
PHONE = {"viewport": {"width": 360, "height": 640}, "is_mobile": True, "has_touch": True, "locale": "zh-CN"}
DESKTOP = {"viewport": {"width": 1280, "height": 860}, "locale": "zh-CN"}
EMERGENCY_NUMBERS = ["110", "120", "12338", "12356"]
STORY = ("我在东莞一家电子厂上班三年了，今年三月怀孕，上个月开始孕吐很严重，组长说我老请假影响产线，"
         "HR找我谈话说要么自己辞职要么调去仓库搬货，工资也要降一半，还说不给加班费了。我不想辞职，也搬不动重东西，"
         "想问问公司这样做合法吗，我应该怎么办？")
DANGER = "我老公说要打死我，我现在很害怕"
# An old union site on its own server: no viewport meta tag, a fixed-width layout, the widget added
# with its one script tag from the console.
OLD_SITE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>某市总工会</title></head>
<body><div style="width:960px;margin:auto"><h1>某市总工会</h1><p>欢迎访问。</p></div>
<script src="{console}/widget/widget.js"></script>
<script>WomenRightsWidget.init({{socketUrl: "{rasa}", title: "女职工权益助手"}});</script></body></html>"""


@pytest.fixture(scope="module")
def old_site(tmp_path_factory):
    """Serves the host pages written into its folder (a real origin: Chromium lets a page on the
    loopback reach the loopback, which a page made up by the test is not allowed to)."""
    folder = tmp_path_factory.mktemp("old-site")
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(SimpleHTTPRequestHandler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield folder, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def host_page(old_site, stack, name: str, rasa_url: str) -> str:
    folder, base = old_site
    (folder / name).write_text(OLD_SITE.format(console=f"http://127.0.0.1:{stack.console_port}", rasa=rasa_url),
                               encoding="utf-8")
    return f"{base}/{name}"


def new_page(browser, stack, profile: dict, url: str | None = None):
    """A page of a fresh browser context, at the demo page or `url`."""
    context = browser.new_context(**profile)
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    pg.errors, pg.received = [], []
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    pg.on("websocket", lambda ws: ws.on("framereceived", lambda frame: pg.received.append(str(frame))))
    pg.goto(url or f"http://127.0.0.1:{stack.console_port}/")
    return pg


def open_widget(pg) -> None:
    pg.get_by_role("button", name=re.compile(LAUNCHER)).click()
    expect(pg.get_by_role("dialog", name="女职工权益助手")).to_be_visible()
    pg.wait_for_function("WomenRightsWidget.init().then(w => w.online)")


def push_officer_message(stack, session: str, text: str, name: str | None = None, officer: bool = True) -> None:
    """An officer's message into her conversation, as the console sends it (console/rasa_client.py);
    with officer=False, a message of the bot's."""
    metadata = {"from": "officer", **({"officer_name": name} if name else {})} if officer else {}
    event = {"event": "bot", "text": text, "timestamp": time.time(), "metadata": metadata}
    r = httpx.post(f"{stack.rasa_url}/conversations/{session}/tracker/events", json=[event], timeout=30,
                   params={"token": stack.token, "output_channel": "latest", "execute_side_effects": "true"})
    r.raise_for_status()


@pytest.fixture(scope="module")
def phone(browser, wstack):
    """One phone page for the conversation below: the tests run in order on it."""
    pg = new_page(browser, wstack, PHONE)
    yield pg
    pg.context.close()
    assert not pg.errors, pg.errors


def test_an_empty_widget_offers_questions_to_tap(phone, shots):
    open_widget(phone)
    starters = phone.get_by_role("group", name=re.compile("常见问题"))
    expect(starters.get_by_role("button")).to_have_count(4)
    for title in ("怀孕了被辞退怎么办", "哺乳期每天有哺乳时间吗", "预约法律咨询", "转人工"):
        assert starters.get_by_role("button", name=title).bounding_box()["height"] >= 44
    phone.screenshot(path=shots / "10-phone-empty.png")
    starters.get_by_role("button", name="哺乳期每天有哺乳时间吗").click()
    expect(phone.locator(".wrw-user .wrw-bubble").first).to_contain_text("哺乳期每天有哺乳时间吗")
    assert "哺乳" in wait_reply(phone, 0)
    expect(starters).to_have_count(0)


def test_a_long_answer_keeps_its_first_line_in_view(phone, shots):
    before = bot_count(phone)
    say(phone, STORY)
    phone.wait_for_timeout(1500)  # every part of the answer has arrived
    first = phone.locator(tw.REPLIES).nth(before)
    log = phone.locator(".wrw-log").bounding_box()
    top = first.bounding_box()["y"]
    answer_height = phone.evaluate(
        "n => { const rows = [...document.querySelectorAll('.wrw-log > *')].slice(n);"
        " return rows[rows.length - 1].getBoundingClientRect().bottom - rows[0].getBoundingClientRect().top; }",
        phone.evaluate(f"[...document.querySelectorAll('.wrw-log > *')].indexOf("
                       f"document.querySelectorAll({tw.REPLIES!r})[{before}])"))
    assert answer_height > log["height"], "the answer fits the screen: this test would prove nothing"
    assert log["y"] - 1 <= top <= log["y"] + 40, (top, log)  # its first line at the top of the log
    phone.screenshot(path=shots / "11-phone-long-answer.png")


def test_the_input_grows_and_is_never_zoomed(phone):
    box = phone.locator(".wrw-input")
    assert float(box.evaluate("e => getComputedStyle(e).fontSize")[:-2]) >= 16  # iOS zooms below 16 px
    box.fill("一行")
    one = box.bounding_box()["height"]
    box.fill("\n".join(["第一行", "第二行", "第三行"]))
    three = box.bounding_box()["height"]
    box.fill("\n".join(f"第{n}行" for n in range(12)))
    many = box.bounding_box()["height"]
    line = float(box.evaluate("e => getComputedStyle(e).lineHeight")[:-2])
    assert three >= one + 1.8 * line
    assert 4.5 * line <= many <= 5 * line + 24  # up to five lines, then it scrolls
    box.fill("")
    assert box.bounding_box()["height"] == one  # back to one line once sent or emptied


def test_hotlines_are_tap_to_call_and_the_emergency_reply_stands_out(phone, shots):
    before = bot_count(phone)
    say(phone, DANGER)
    alert = phone.locator(".wrw-emergency").last
    expect(alert).to_contain_text("紧急求助")
    assert phone.locator(tw.REPLIES).nth(before).evaluate("e => e.classList.contains('wrw-emergency')")
    for number in ("110", "12338", "12356"):
        expect(alert.locator(f'a[href="tel:{number}"]')).to_have_text(number)
    colors = phone.evaluate("""() => [...document.querySelectorAll('.wrw-log .wrw-bot')].map(
        r => getComputedStyle(r.querySelector('.wrw-bubble')).backgroundColor)""")
    emergency_bg = alert.locator(".wrw-bubble").evaluate("e => getComputedStyle(e).backgroundColor")
    assert any(c != emergency_bg for c in colors)
    # The channel sends the widget the mark, and none of the message's other metadata (action names).
    assert any('"alert":"emergency"' in f.replace(" ", "") for f in phone.received)
    assert not any("utter_action" in f for f in phone.received)
    # Numbers that are not hotlines, or hotline digits followed by a unit, are not links.
    assert not phone.locator('.wrw-log a[href="tel:98"], .wrw-log a[href^="tel:2026"]').count()
    phone.screenshot(path=shots / "12-phone-emergency.png")


def test_only_whole_hotline_numbers_become_links(phone, wstack):
    before = bot_count(phone)
    text = "产假共120天，津贴12.5元，3.110不是电话，电话：12348. 或拨打12333、010-12351（职工热线）"
    push_officer_message(wstack, phone.evaluate("localStorage.getItem('wrw:session')"), text, officer=False)
    wait_reply(phone, before)
    links = phone.locator(tw.REPLIES).last.locator("a")
    assert links.evaluate_all("as => as.map(a => a.getAttribute('href'))") == \
        ["tel:12348", "tel:12333", "tel:12351"]
    expect(phone.locator(tw.REPLIES).last.locator(".wrw-bubble")).to_contain_text(text)  # nothing lost


def test_the_emergency_numbers_are_always_at_the_foot_of_the_panel(phone):
    bar = phone.locator(".wrw-hotlines")
    expect(bar).to_be_visible()
    assert bar.locator("a").evaluate_all("as => as.map(a => a.getAttribute('href'))") == \
        [f"tel:{n}" for n in EMERGENCY_NUMBERS]
    panel = phone.get_by_role("dialog").bounding_box()
    assert bar.bounding_box()["y"] + bar.bounding_box()["height"] <= panel["y"] + panel["height"]
    for link in bar.locator("a").all():
        assert link.bounding_box()["height"] >= 24


def test_votes_are_words_with_finger_sized_targets(phone):
    votes = phone.get_by_role("group", name="这条回答有帮助吗？").last
    for name in ("有帮助", "没有帮助"):
        button = votes.get_by_role("button", name=name, exact=True)
        expect(button).to_have_text(name)  # a word, not an emoji that shows as an empty box
        b = button.bounding_box()
        assert b["width"] >= 44 and b["height"] >= 44, (name, b)


def test_an_officers_message_says_who_speaks(phone, wstack, shots):
    session = phone.evaluate("localStorage.getItem('wrw:session')")
    before = bot_count(phone)
    votes = phone.locator(".wrw-vote").count()
    push_officer_message(wstack, session, "您好，我是维权专员王老师，您的情况我看到了。", name="王老师")
    assert "我是维权专员王老师" in wait_reply(phone, before)
    officer = phone.locator(".wrw-officer").last
    expect(officer.locator(".wrw-who")).to_have_text("维权专员 王老师")
    log, top = phone.locator(".wrw-log").bounding_box(), officer.bounding_box()["y"]
    assert log["y"] <= top < log["y"] + log["height"] - 20  # a message after the answer is shown, not left below
    assert phone.locator(".wrw-vote").count() == votes  # no 👍/👎 under a person's message
    bot_bg = phone.locator(".wrw-bot:not(.wrw-emergency) .wrw-bubble").first.evaluate(
        "e => getComputedStyle(e).backgroundColor")
    assert officer.locator(".wrw-bubble").evaluate("e => getComputedStyle(e).backgroundColor") != bot_bg
    phone.screenshot(path=shots / "13-phone-officer.png")
    push_officer_message(wstack, session, "这是没有署名的消息。")
    wait_reply(phone, before + 1)
    expect(phone.locator(".wrw-officer .wrw-who").last).to_have_text("维权专员")


def test_phone_panel_is_a_modal_dialog_that_keeps_the_focus(phone):
    dialog = phone.get_by_role("dialog", name="女职工权益助手")
    expect(dialog).to_have_attribute("aria-modal", "true")
    phone.locator(".wrw-input").focus()
    for _ in range(40):  # round and round: the focus never reaches the page behind
        phone.keyboard.press("Tab")
        assert phone.evaluate("document.querySelector('.wrw-panel').contains(document.activeElement)")
    for _ in range(5):
        phone.keyboard.press("Shift+Tab")
        assert phone.evaluate("document.querySelector('.wrw-panel').contains(document.activeElement)")
    phone.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(phone.get_by_role("button", name=re.compile(LAUNCHER))).to_be_focused()


def test_unread_messages_are_announced(phone, wstack):
    launcher = phone.get_by_role("button", name=re.compile(LAUNCHER))
    expect(launcher).to_have_text(re.compile(LAUNCHER))  # its name is what it shows
    session = phone.evaluate("localStorage.getItem('wrw:session')")
    push_officer_message(wstack, session, "请问您方便接电话吗？", name="王老师")
    expect(phone.locator(".wrw-live")).to_have_text(re.compile("1条新消息"))
    expect(launcher).to_have_accessible_name(re.compile(LAUNCHER + r".*1\s*条未读消息"))
    launcher.click()
    expect(phone.locator(".wrw-badge")).to_be_hidden()


def test_axe_on_the_phone_with_answers_buttons_emergency_and_officer(phone, shots):
    assert phone.locator(".wrw-emergency").count() and phone.locator(".wrw-officer").count()
    assert phone.locator(".wrw-replies button").count()
    phone.screenshot(path=shots / "14-phone-conversation.png")
    assert_no_serious(phone)


def test_a_host_page_without_viewport_meta_still_shows_the_widget_at_its_size(browser, wstack, old_site, shots):
    pg = new_page(browser, wstack, PHONE, host_page(old_site, wstack, "old.html", wstack.rasa_url))
    try:
        launcher = pg.get_by_role("button", name=re.compile(LAUNCHER))
        expect(launcher).to_be_visible()
        pg.screenshot(path=shots / "15-old-site-launcher.png")
        launcher.click()
        panel = pg.get_by_role("dialog").bounding_box()
        # The layout is as wide as the phone (not 980 px shrunk to a third), so a CSS pixel is a screen pixel.
        assert pg.evaluate("window.innerWidth") == 360
        assert pg.evaluate("window.visualViewport.scale") == pytest.approx(1, abs=0.05)
        assert panel["width"] == 360
        assert float(pg.locator(".wrw-input").evaluate("e => getComputedStyle(e).fontSize")[:-2]) >= 16
        pg.screenshot(path=shots / "16-old-site-panel.png")
        assert not pg.errors, pg.errors
    finally:
        pg.context.close()


def test_desktop_reply_buttons_leave_the_tab_order_and_axe_finds_nothing(browser, wstack, shots):
    pg = new_page(browser, wstack, DESKTOP)
    try:
        open_widget(pg)
        expect(pg.get_by_role("dialog")).not_to_have_attribute("aria-modal", "true")  # the page stays usable
        pg.get_by_role("button", name=re.compile(LAUNCHER)).focus()
        assert pg.get_by_role("button", name=re.compile(LAUNCHER)).evaluate("e => e.innerText").strip() == LAUNCHER
        pg.evaluate("""() => { const live = document.querySelector('.wrw-live'); window.announced = [];
            new MutationObserver(() => announced.push(live.textContent))
                .observe(live, {childList: true, characterData: true, subtree: true}); }""")
        pg.locator(".wrw-input").fill("产假多少天")
        pg.locator(".wrw-input").press("Enter")
        wait_reply(pg, 0)
        assert any("正在回答" in said for said in pg.evaluate("announced"))  # the typing is announced
        group = pg.locator(".wrw-replies").last
        first_titles = group.get_by_role("button").all_inner_texts()
        assert first_titles
        before = bot_count(pg)
        group.get_by_role("button", name="广东").click()
        expect(pg.locator(".wrw-input")).to_be_focused()  # not left on a spent button
        for button in group.get_by_role("button").all():
            expect(button).to_be_disabled()  # out of the tab order: no pile-up of stops
        wait_reply(pg, before)
        say(pg, DANGER)
        session = pg.evaluate("localStorage.getItem('wrw:session')")
        before = bot_count(pg)
        push_officer_message(wstack, session, "您好，我是维权专员王老师。", name="王老师")
        wait_reply(pg, before)
        enabled_reply_buttons = pg.locator(".wrw-replies button:enabled").count()
        assert enabled_reply_buttons == pg.locator(".wrw-replies").last.locator("button").count()
        pg.screenshot(path=shots / "17-desktop-conversation.png")
        assert_no_serious(pg)
        assert not pg.errors, pg.errors
    finally:
        pg.context.close()


class Relay:
    """A TCP relay in front of the real Rasa server: cutting it is the server (or the network)
    going away for the widget; starting it again on the same port brings the server back."""

    def __init__(self, upstream: int) -> None:
        self.upstream = upstream
        self.port = free_port()
        self.conns: list[socket.socket] = []
        self.listener: socket.socket | None = None

    def start(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", self.port))  # SO_REUSEADDR: the same port again
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def cut(self) -> None:
        self.listener.close()
        for c in self.conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            c.close()
        self.conns.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self.upstream))
            self.conns += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


def test_when_rasa_is_unreachable_she_is_told_within_seconds_and_loses_nothing(browser, wstack, old_site,
                                                                               shots):
    relay = Relay(wstack.rasa_port)
    relay.start()
    pg = new_page(browser, wstack, PHONE,
                  host_page(old_site, wstack, "relay.html", f"http://127.0.0.1:{relay.port}"))
    try:
        open_widget(pg)
        status = pg.locator(".wrw-status")
        relay.cut()
        cut_at = time.monotonic()
        expect(status).to_contain_text("暂时连不上", timeout=5_000)
        assert time.monotonic() - cut_at < 6
        expect(status.locator('a[href="tel:12351"]')).to_have_text("12351")
        expect(pg.locator(".wrw-hotlines a")).to_have_count(len(EMERGENCY_NUMBERS))
        pg.locator(".wrw-input").fill("产假多少天")
        pg.locator(".wrw-input").press("Enter")
        mine = pg.locator(".wrw-user").last
        expect(mine).to_contain_text("产假多少天")
        expect(mine).to_contain_text("未发出")  # kept, and she is told so
        pg.screenshot(path=shots / "18-phone-offline.png")
        assert_no_serious(pg)
        pg.reload()  # kept across a reload too
        pg.get_by_role("button", name=re.compile(LAUNCHER)).click()
        expect(pg.locator(".wrw-user").last).to_contain_text("未发出")
        expect(status).to_contain_text("暂时连不上", timeout=5_000)

        relay.start()  # the server is back
        expect(status).to_be_hidden(timeout=20_000)
        expect(pg.locator(".wrw-queued")).to_have_count(0)
        assert "98天" in wait_reply(pg, 0)  # the kept message was sent and answered
        assert not pg.errors, pg.errors
    finally:
        pg.context.close()
        relay.cut()
