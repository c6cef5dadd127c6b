"""Trust boundaries and hostile input (issue 12, findings 1-3), against the real Rasa + action servers.

1. No one speaks as someone else: the REST and socket.io channels cannot take a WeChat/WeCom
   conversation id (nor another channel's name), REST is for trusted back ends (loopback without a
   token, REST_TOKEN otherwise), and another conversation reaches a booking or case only with its
   code plus the last four digits of the phone number.
2. Messages longer than MAX_MESSAGE_CHARS get a Chinese "too long" reply on every channel and
   nothing of them is stored.
3. A long repeated keyword is answered (the confidence computation overflowed).

The widget's own path (a real browser on the socket.io channel) is tests/integration/test_widget.py;
here a minimal socket.io client speaks the protocol directly, as an attacker's script would.
"""
from __future__ import annotations

import json
import re
import socket
import sqlite3
import subprocess
import time
import uuid

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from conftest import joined
from servers import ROOT, start_stack
from wechat_stack import FakeWeChatApi, channel_settings

TOO_LONG = "消息太长了"
LIMIT = 2000  # MAX_MESSAGE_CHARS default


# --- helpers ------------------------------------------------------------------------------------------

def app_db(stack) -> sqlite3.Connection:
    return sqlite3.connect(stack.var_dir / "app.db")


def run_appdb(stack, code: str) -> str:
    """Run Python against this stack's application database (as the action server would) and return
    what it prints: how a booking or case made on another channel is put in place for a test."""
    out = subprocess.run([str(ROOT / ".venv/bin/python"), "-c", code], cwd=ROOT, env=stack.env, check=True,
                         capture_output=True, text=True)
    return out.stdout.strip().splitlines()[-1]


def seed_booking(stack, sender: str, phone: str = "13912345678") -> str:
    """A confirmed booking of `sender` (e.g. a WeChat user, "wx:" + OpenID) in a free slot; its code."""
    return run_appdb(stack, f"""
from appdb import booking as bk
from appdb.session import session_scope
with session_scope() as s:
    slot_id = bk.free_slots(s, "legal_consultation", limit=20)[-1].id
r = bk.book(slot_id, sender_id={sender!r}, channel="wechat", name="李女士", phone={phone!r}, work_unit="某厂",
            extra={{}}, idempotency_key={sender!r} + ":seed")
print(r.status, r.booking.code)
""").split()[-1]


def seed_case(stack, sender: str, contact: str = "电话 139 1234 5678") -> str:
    return run_appdb(stack, f"""
from appdb import cases
c = cases.create_case(sender_id={sender!r}, channel="wechat", category="dismissal",
                      summary={{"employer": "某电子厂", "what": "怀孕后被要求辞职", "contact": {contact!r}}},
                      consent=True, transcript=[], risk=None, idempotency_key={uuid.uuid4().hex!r})
print(c.code)
""")


def booking_status(stack, code: str) -> str:
    return app_db(stack).execute("select status from bookings where code=?", (code,)).fetchone()[0]


def post_rest(stack, sender, message, base: str | None = None, **kwargs) -> httpx.Response:
    return httpx.post(f"{base or stack.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": message},
                      timeout=kwargs.pop("timeout", 60), **kwargs)


def tracker_user_texts(stack, sender_id: str) -> list[str]:
    r = httpx.get(f"{stack.rasa_url}/conversations/{sender_id}/tracker", params={"token": stack.token}, timeout=30)
    r.raise_for_status()
    return [e.get("text") or "" for e in r.json().get("events") or [] if e.get("event") == "user"]


def outside_address() -> str | None:
    """An address of this machine that is not loopback (Rasa listens on all interfaces)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.254", 9))  # no packet is sent: only picks the outgoing interface
            address = s.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") else address


class SocketIO:
    """A bare socket.io (Engine.IO 4, websocket transport) client, as an attacker's script would be."""

    def __init__(self, stack) -> None:
        url = stack.rasa_url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
        self.ws = connect(url, max_size=None, open_timeout=10)
        assert self.ws.recv(timeout=10).startswith("0")  # Engine.IO open packet
        self.ws.send("40")
        assert self._next(10).startswith("40")  # connected to the default namespace

    def _next(self, timeout: float) -> str:
        """The next packet that is not a ping (answered), within `timeout` seconds (TimeoutError)."""
        deadline = time.monotonic() + timeout
        while True:
            packet = self.ws.recv(timeout=max(0.01, deadline - time.monotonic()))
            if packet == "2":  # ping
                self.ws.send("3")
                continue
            return packet

    def emit(self, event: str, data) -> None:
        self.ws.send("42" + json.dumps([event, data], ensure_ascii=False))

    def events(self, name: str, timeout: float = 30, settle: float = 1.5) -> list:
        """The payloads of `name` events: waits for the first, then until none comes for `settle` s."""
        found, deadline = [], time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                packet = self._next(settle if found else max(0.1, deadline - time.monotonic()))
            except TimeoutError:
                break
            if packet.startswith("42"):
                event, *payload = json.loads(packet[2:])
                if event == name:
                    found.append(payload[0] if payload else None)
        return found

    def session(self, session_id) -> str:
        self.emit("session_request", {"session_id": session_id})
        confirmed = self.events("session_confirm", timeout=10, settle=0.2)[0]
        return confirmed["session_id"] if isinstance(confirmed, dict) else confirmed

    def say(self, text: str, session_id) -> str:
        self.emit("user_uttered", {"message": text, "session_id": session_id})
        return "\n".join((m or {}).get("text") or "" for m in self.events("bot_uttered"))

    def close(self) -> None:
        self.ws.close()


def book_over_rest(stack, sender: str) -> str:
    """She books a service in her own conversation; returns the booking code."""
    from test_booking import fill_form

    assert "请确认预约" in joined(fill_form(stack, sender))
    done = joined(stack.say(sender, "/affirm"))
    return re.search(r"预约编号：([A-Z0-9]{8})", done).group(1)


# --- 1. nobody speaks as someone else -----------------------------------------------------------------

@pytest.mark.parametrize("prefix", ["wx:", "wecom:"])
def test_rest_cannot_speak_as_a_wechat_or_wecom_user(stack, prefix):
    victim = prefix + "o" + uuid.uuid4().hex[:27]
    code = seed_booking(stack, victim)
    shown = post_rest(stack, victim, "查询我的预约")
    assert 400 <= shown.status_code < 500, shown.text
    assert code not in shown.text
    cancel = post_rest(stack, victim, f"取消预约 {code}")
    assert 400 <= cancel.status_code < 500
    assert booking_status(stack, code) == "confirmed"


def test_rest_cannot_claim_another_input_channel(stack, sender):
    r = httpx.post(f"{stack.rasa_url}/webhooks/rest/webhook", timeout=60,
                   json={"sender": sender, "message": "产假多少天", "input_channel": "wechat"})
    assert r.status_code == 200 and "98天" in joined(r.json())
    tracker = httpx.get(f"{stack.rasa_url}/conversations/{sender}/tracker", params={"token": stack.token}).json()
    assert tracker["latest_input_channel"] == "rest"


def test_rest_without_a_token_only_serves_loopback_clients(stack, sender):
    assert post_rest(stack, sender, "产假多少天").status_code == 200  # the scorer and these tests
    proxied = post_rest(stack, sender, "产假多少天", headers={"X-Forwarded-For": "203.0.113.9"})
    assert proxied.status_code == 403, "a proxy on this host forwards outsiders: not loopback"
    address = outside_address()
    if address is None:
        pytest.skip("this machine has no non-loopback address")
    outside = post_rest(stack, "outsider-" + uuid.uuid4().hex[:6], "查询我的预约",
                        base=f"http://{address}:{stack.rasa_port}")
    assert outside.status_code == 403 and "REST_TOKEN" in outside.text


def test_socketio_cannot_claim_a_wechat_conversation(stack):
    victim = "wx:o" + uuid.uuid4().hex[:27]
    code = seed_booking(stack, victim)
    client = SocketIO(stack)
    try:
        confirmed = client.session(victim)
        assert confirmed != victim and not confirmed.startswith(("wx:", "wecom:"))
        # Whatever session_id a message names, it speaks in the session the socket was given.
        for session_id in (victim, confirmed):
            assert code not in client.say("查询我的预约", session_id)
            assert "已取消" not in client.say(f"取消预约 {code}", session_id)
        assert booking_status(stack, code) == "confirmed"
        assert tracker_user_texts(stack, victim) == []
    finally:
        client.close()


def test_socketio_widget_session_still_works(stack):
    client = SocketIO(stack)
    try:
        confirmed = client.session(uuid.uuid4().hex)  # what the widget generates
        assert "98天" in client.say("产假多少天", confirmed)
        assert "产假多少天" in tracker_user_texts(stack, confirmed)
    finally:
        client.close()
    again = SocketIO(stack)  # a reload: the same session id is confirmed and carries on
    try:
        assert again.session(confirmed) == confirmed
    finally:
        again.close()


def test_another_conversation_needs_the_code_and_the_phone_tail(stack, sender):
    code = book_over_rest(stack, sender)  # phone 13800138000 (test_booking.fill_form)
    assert code in joined(stack.say(sender, "查询我的预约"))  # her own conversation: no proof asked

    other = "other-" + uuid.uuid4().hex[:8]
    asked = joined(stack.say(other, f"查询我的预约 {code}"))
    assert "后四位" in asked and "两癌筛查" not in asked
    wrong = joined(stack.say(other, f"取消预约 {code} 尾号1234"))
    assert "已取消" not in wrong and booking_status(stack, code) == "confirmed"
    shown = joined(stack.say(other, f"查询我的预约 {code} 尾号8000"))
    assert code in shown and "两癌筛查" in shown
    asked = joined(stack.say(other, f"取消预约 {code} 尾号8000"))
    assert "确定要取消" in asked and booking_status(stack, code) == "confirmed"
    done = joined(stack.say(other, f"确认取消预约 {code}"))  # the proof holds for this conversation
    assert "已取消" in done and booking_status(stack, code) == "cancelled"


def test_a_wechat_booking_can_be_cancelled_elsewhere_with_proof(stack, sender):
    code = seed_booking(stack, "wx:o" + uuid.uuid4().hex[:27], phone="13912345678")
    assert "后四位" in joined(stack.say(sender, f"取消预约 {code}"))
    assert booking_status(stack, code) == "confirmed"
    assert "确定要取消" in joined(stack.say(sender, f"取消预约 {code} 手机尾号5678"))
    assert "已取消" in joined(stack.say(sender, f"确认取消预约 {code}"))
    assert booking_status(stack, code) == "cancelled"


def test_guessing_the_phone_tail_locks_the_code(stack):
    code = seed_booking(stack, "wx:o" + uuid.uuid4().hex[:27], phone="13912345678")
    guesser = "guess-" + uuid.uuid4().hex[:8]
    for tail in ("0000", "1111", "2222", "3333", "4444"):
        stack.say(guesser, f"取消预约 {code} 尾号{tail}")
    locked = joined(stack.say(guesser, f"取消预约 {code} 尾号5678"))
    assert "已取消" not in locked and booking_status(stack, code) == "confirmed"
    several = joined(stack.say("many-" + uuid.uuid4().hex[:6], f"取消预约 {code} 5678 0000 1111"))
    assert "已取消" not in several and booking_status(stack, code) == "confirmed"


def test_a_case_from_another_conversation_needs_proof(stack, sender):
    code = seed_case(stack, "wx:o" + uuid.uuid4().hex[:27])
    asked = joined(stack.say(sender, f"我的案件进展 {code}"))
    assert "后四位" in asked and "等待维权专员" not in asked
    assert "等待维权专员" not in joined(stack.say(sender, f"我的案件进展 {code} 尾号0000"))
    assert "等待维权专员" in joined(stack.say(sender, f"我的案件进展 {code} 尾号5678"))


# --- 2. bounded messages ------------------------------------------------------------------------------

def test_an_overlong_rest_message_gets_a_chinese_reply_and_is_not_stored(stack, sender):
    assert TOO_LONG not in joined(stack.say(sender, "产" * LIMIT))  # at the limit: a normal turn
    long_text = "我想问产假" * (LIMIT // 5) + "。"
    reply = stack.say(sender, long_text)
    assert TOO_LONG in joined(reply) and str(LIMIT) in joined(reply)
    assert long_text not in tracker_user_texts(stack, sender)
    assert "98天" in joined(stack.say(sender, "产假多少天"))


def test_a_huge_rest_body_is_refused_and_the_conversation_goes_on(stack, sender):
    huge = post_rest(stack, sender, "产假" * 8_000_000, timeout=180)  # about 50 MB of JSON
    assert huge.status_code == 413 and TOO_LONG in json.dumps(huge.json(), ensure_ascii=False)
    assert "98天" in joined(stack.say(sender, "产假多少天"))
    assert all(len(t) <= LIMIT for t in tracker_user_texts(stack, sender))


def test_an_overlong_socketio_message_gets_a_chinese_reply_and_is_not_stored(stack):
    client = SocketIO(stack)
    try:
        session_id = client.session(uuid.uuid4().hex)
        assert TOO_LONG in client.say("产假" * LIMIT, session_id)
        assert tracker_user_texts(stack, session_id) == []
        assert "98天" in client.say("产假多少天", session_id)
    finally:
        client.close()
    flood = SocketIO(stack)  # a frame far beyond any allowed message: the connection is closed
    try:
        flood_id = flood.session(uuid.uuid4().hex)
        with pytest.raises((ConnectionClosed, OSError)):  # while sending, or right after
            flood.emit("user_uttered", {"message": "产假" * 1_000_000, "session_id": flood_id})
            flood.events("bot_uttered", timeout=20)
    finally:
        flood.close()
    assert tracker_user_texts(stack, flood_id) == []


# --- 3. repeated keywords -----------------------------------------------------------------------------

# 「产假？」 × 350 overflowed math.exp in the answer action here (Nov 2026): an empty reply.
@pytest.mark.parametrize("message",
                         ["产假" * 350, "产假？" * 350, "产假?" * 600, "哺乳期" * 600 + "？", "😀产假" * 600])
def test_a_repeated_keyword_gets_a_reply(stack, sender, message):
    reply = stack.say(sender, message, timeout=60)
    assert joined(reply).strip(), "empty reply"
    assert "98天" in joined(stack.say(sender, "产假多少天"))


# --- a stack with a REST token and the WeChat/WeCom channels configured ---------------------------------

REST_TOKEN = "rest-test-" + uuid.uuid4().hex


@pytest.fixture(scope="module")
def wx_api():
    with FakeWeChatApi() as fake:
        yield fake


@pytest.fixture(scope="module")
def secured(tmp_path_factory, wx_api):
    s = start_stack(tmp_path_factory.mktemp("secured"), **channel_settings(wx_api, REST_TOKEN=REST_TOKEN))
    yield s
    s.stop_all()


def test_rest_token_is_required_when_set(secured):
    sender = "backend-" + uuid.uuid4().hex[:6]
    assert post_rest(secured, sender, "产假多少天").status_code == 401  # loopback is not enough then
    wrong = post_rest(secured, sender, "产假多少天", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    ok = post_rest(secured, sender, "产假多少天", headers={"Authorization": f"Bearer {REST_TOKEN}"})
    assert ok.status_code == 200 and "98天" in joined(ok.json())
    assert tracker_user_texts(secured, sender) == ["产假多少天"]
    foreign = post_rest(secured, "wx:o" + uuid.uuid4().hex[:27], "查询我的预约",
                        headers={"Authorization": f"Bearer {REST_TOKEN}"})
    assert foreign.status_code == 403  # even a trusted back end does not speak for a WeChat user


def test_an_overlong_wechat_message_gets_the_reply_and_is_not_stored(secured):
    from test_wechat import _message_xml, post_plain, reply_of

    openid = "o" + uuid.uuid4().hex[:27]
    reply = reply_of(post_plain(secured, openid, _message_xml(openid, content="产假" * LIMIT)))
    assert TOO_LONG in reply["Content"]
    assert tracker_user_texts(secured, "wx:" + openid) == []


def test_an_overlong_wecom_message_gets_the_reply_and_is_not_stored(secured, wx_api):
    from test_sender_ids import post_wecom

    user = "zhangsan" + uuid.uuid4().hex[:6]
    r = post_wecom(secured, user, "产假" * LIMIT)
    assert r.status_code == 200
    sent = wx_api.wait_sent("/cgi-bin/message/send", user)
    assert any(TOO_LONG in (m.get("text") or {}).get("content", "") for m in sent)
    assert tracker_user_texts(secured, "wecom:" + user) == []
