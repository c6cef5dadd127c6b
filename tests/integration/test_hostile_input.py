"""Hostile input on every channel, and a reply whatever breaks (issue 12), against one real stack.

- The suite: over 1,000 requests generated from a fixed seed across REST, socket.io, WeChat
  (plain and safe mode) and WeCom -- sizes, encodings, repeated words, control characters, lone
  surrogates, replays, foreign sender ids, malformed bodies -- then: no 5xx, no message of hers left
  without a reply (a refused request still says why), no exception in the action server (the answer
  path is fuzzed too, not only the channels), and every conversation still answers.
- Finding 6: when the NLU fails (a lone surrogate) or the action server is gone, she gets
  「系统暂时有问题…12351」 and, for danger wording, the emergency numbers, on every channel.

wechatpy signs and encrypts the WeChat/WeCom requests; a local server stands in for their message
APIs (test_wechat.FakeWeChatApi); a bare socket.io client speaks the widget's protocol
(test_trust_boundaries.SocketIO).
"""
from __future__ import annotations

import json
import random
import signal
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import httpx
import pytest
import xmltodict
from wechatpy.crypto import WeChatCrypto

import test_wechat as wx
from conftest import joined
from servers import start_stack
from wechat_stack import FakeWeChatApi, channel_settings
from test_trust_boundaries import SocketIO, tracker_user_texts

SEED = 20261127
LIMIT = 2000  # MAX_MESSAGE_CHARS default
UNAVAILABLE = "系统暂时有问题"
WORDS = ["产假", "怀孕", "辞退", "哺乳时间", "生育津贴", "性骚扰", "劳动仲裁", "工资", "预约", "转人工", "流产假",
         "广东", "双胞胎", "试用期", "派遣", "外卖骑手", "12351", "13812345678"]
ODD = ["\u202e", "\u200b", "\ufeff", "\u0301", "\u3000", "😀", "👩‍👩‍👧", "ℌ", "ｆｕｌｌ", "產假", "ä½ å¥½", "<script>",
       "'; DROP TABLE bookings;--", "]]>", "&amp;", "{{x}}", "${jndi:x}", "%s%n", "\\u0000", "\u2028", "\u00a0"]
CONTROL = [chr(c) for c in range(0, 32)] + ["\x7f", "\x85"]
SURROGATES = ["\ud800", "\udfff", "\udc00产假"]


# --- generated messages ------------------------------------------------------------------------------

def messages(rng: random.Random, count: int, surrogates: bool = True, xml_safe: bool = False) -> list[str]:
    """`count` hostile messages of every kind, in a seeded order."""
    def question() -> str:
        return "".join(rng.choice(WORDS) for _ in range(rng.randint(1, 4))) + rng.choice(["", "？", "吗", "呢"])

    kinds = [
        lambda: "",
        lambda: rng.choice([" ", "\n", "\u3000" * 3, "？", "1", "0", "99", "/", "/restart_x"]),
        lambda: question(),
        lambda: rng.choice(WORDS) * rng.randint(20, 700),                      # repeated words
        lambda: "产" * rng.choice([LIMIT - 1, LIMIT, LIMIT + 1, 3 * LIMIT]),     # at and over the limit
        lambda: "".join(chr(rng.randint(0x4E00, 0x9FFF)) for _ in range(rng.randint(1, 300))),
        lambda: question() + "".join(rng.choice(ODD) for _ in range(rng.randint(1, 8))),
        lambda: "".join(rng.choice(CONTROL) for _ in range(rng.randint(1, 5))).join(question() for _ in range(2)),
        lambda: "".join(chr(rng.randint(0x20, 0x2FFFF)) for _ in range(rng.randint(1, 80))),
        lambda: rng.choice(["我老公打我", "他说要杀了我", "我不想活了", "领导强行抱我"]) + rng.choice(ODD),
        lambda: json.dumps({"sender": "wx:o1", "message": question()}, ensure_ascii=False),
        lambda: rng.choice(SURROGATES) + question(),
    ]
    out = []
    while len(out) < count:
        text = rng.choice(kinds)()
        if xml_safe:
            text = "".join(c for c in text if c in "\t\n\r" or (ord(c) >= 0x20 and not 0xD800 <= ord(c) <= 0xDFFF
                                                                 and c not in "\ufffe\uffff"))
        elif not surrogates:
            text = "".join(c for c in text if not 0xD800 <= ord(c) <= 0xDFFF)
        out.append(text)
    return out


def cdata(text: str) -> str:
    """Text inside CDATA as WeChat writes it (a literal ]]> split across two sections)."""
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


# --- bookkeeping ---------------------------------------------------------------------------------------

@dataclass
class Tally:
    """What the suite sent and what went wrong (every failure named, so a red run says what broke)."""

    requests: int = 0
    failures: list = field(default_factory=list)
    async_wechat: set = field(default_factory=set)  # openids answered through the message API
    wecom_users: set = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, n: int = 1) -> None:
        with self.lock:
            self.requests += n

    def fail(self, channel: str, what: str, detail) -> None:
        with self.lock:
            self.failures.append((channel, what, repr(detail)[:300]))


def no_server_error(tally: Tally, channel: str, r: httpx.Response, sent) -> bool:
    tally.count()
    if r.status_code >= 500:
        tally.fail(channel, f"server error {r.status_code}", sent)
        return False
    if 400 <= r.status_code < 500 and not r.text.strip():
        tally.fail(channel, f"{r.status_code} without a word", sent)
    return True


# --- one stack for the module ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def api():
    with FakeWeChatApi() as fake:
        yield fake


@pytest.fixture(scope="module")
def stack(tmp_path_factory, api):
    s = start_stack(tmp_path_factory.mktemp("hostile"), **channel_settings(api))
    s.say("warmup-" + uuid.uuid4().hex[:6], "产假多少天", timeout=120)  # loads the index, as a running server has
    yield s
    s.stop_all()


def rest(stack, body: bytes, timeout: float = 60) -> httpx.Response:
    return httpx.post(f"{stack.rasa_url}/webhooks/rest/webhook", content=body, timeout=timeout,
                      headers={"Content-Type": "application/json"})


def rest_json(payload) -> bytes:
    return json.dumps(payload).encode()  # ASCII escapes: lone surrogates travel as \ud800


def wechat_post(stack, xml: str, age: float = 0, safe: bool = False, params: dict | None = None
                ) -> tuple[httpx.Response, dict]:
    ts, nonce = str(int(time.time() - age)), uuid.uuid4().hex[:10]
    params = params or {"signature": wx._sign(wx.TOKEN, ts, nonce), "timestamp": ts, "nonce": nonce}
    body = xml
    if safe:
        envelope = xmltodict.parse(WeChatCrypto(wx.TOKEN, wx.AES_KEY, wx.APPID).encrypt_message(xml, nonce, ts))["xml"]
        body = ("<xml><ToUserName><![CDATA[gh_test]]></ToUserName>"
                f"<Encrypt><![CDATA[{envelope['Encrypt']}]]></Encrypt></xml>")
        params = {**params, "encrypt_type": "aes", "msg_signature": envelope["MsgSignature"]}
    return httpx.post(f"{stack.rasa_url}/webhooks/wechat/webhook", params=params, content=body.encode(),
                      timeout=30), params


def wechat_text(openid: str, content: str, msg_type: str = "text") -> str:
    body = f"<Content>{cdata(content)}</Content>" if msg_type == "text" else "<PicUrl><![CDATA[http://x/y.jpg]]></PicUrl>"
    return (f"<xml><ToUserName><![CDATA[gh_test]]></ToUserName><FromUserName>{cdata(openid)}</FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[{msg_type}]]></MsgType>{body}"
            f"<MsgId>{uuid.uuid4().int % 10**18}</MsgId></xml>")


def wecom_post(stack, plain: str, age: float = 0) -> httpx.Response:
    ts, nonce = str(int(time.time() - age)), uuid.uuid4().hex[:10]
    envelope = wx._wecom_envelope(plain, ts, nonce)
    return httpx.post(f"{stack.rasa_url}/webhooks/wecom/webhook", content=wx._wecom_body(envelope).encode(),
                      params={"msg_signature": envelope["MsgSignature"], "timestamp": ts, "nonce": nonce}, timeout=30)


def wecom_text(user: str, content: str) -> str:
    return wx._wecom_text(user, "").replace("<Content><![CDATA[]]></Content>", f"<Content>{cdata(content)}</Content>")


# --- the channels' scripts ---------------------------------------------------------------------------------

FOREIGN = ["wx:o" + "1" * 27, "wecom:zhangsan", "web:" + "a" * 32, "ＷＸ:o123", " wx:o123", "WX:o1", "Web:abc",
           "wecom：lisi", "\u3000wx:o9"]
MALFORMED_REST = [
    b"", b"not json", b"[1, 2]", b'"text"', b"{", b'{"sender": "x"}', b'{"message": "hi"}', b"\x00\x01\x02",
    b'{"sender": "x", "message": 5}', b'{"sender": "x", "message": ["a"]}', b'{"sender": "x", "message": null}',
    b'{"sender": ["x"], "message": "hi"}', b'{"sender": "", "message": "hi"}',
    b'{"sender": "a\\u0000b", "message": "hi"}', b'{"sender": "' + b"s" * 300 + b'", "message": "hi"}',
    b'{"sender": "x", "message": "\xff\xfe\xfd"}', b'{"sender": "x", "message": "' + "产".encode() * 5000 + b'"}']


def rest_script(stack, tally: Tally, rng: random.Random, sender: str, count: int) -> None:
    for text in messages(rng, count):
        r = rest(stack, rest_json({"sender": sender, "message": text}))
        if no_server_error(tally, "rest", r, text) and (r.status_code != 200 or not joined(r.json()).strip()):
            tally.fail("rest", f"no reply ({r.status_code})", text)
    for foreign in FOREIGN:
        r = rest(stack, rest_json({"sender": foreign, "message": "查询我的预约"}))
        if no_server_error(tally, "rest", r, foreign) and r.status_code != 403:
            tally.fail("rest", f"foreign sender accepted ({r.status_code})", foreign)
    for body in MALFORMED_REST:
        r = rest(stack, body)
        if no_server_error(tally, "rest", r, body[:80]) and r.status_code == 200 and not joined(r.json()).strip():
            tally.fail("rest", "malformed body: empty reply", body[:80])


def say_escaped(client: SocketIO, data, settle: float = 0.3) -> str:
    """One user_uttered frame in ASCII-escaped JSON (a lone surrogate travels as \\ud800), and the reply."""
    client.ws.send("42" + json.dumps(["user_uttered", data]))
    return "\n".join((m or {}).get("text") or "" for m in client.events("bot_uttered", timeout=60, settle=settle))


def socketio_script(stack, tally: Tally, rng: random.Random, count: int) -> None:
    client = SocketIO(stack)
    try:
        claimed = rng.choice(FOREIGN + [None, 12, "x" * 500, uuid.uuid4().hex])
        session_id = client.session(claimed)
        tally.count()
        if not session_id.startswith("web:"):
            tally.fail("socketio", "session not the widget's own", (claimed, session_id))
        frames: list = messages(rng, count)
        frames[::25] = [rng.choice([5, None, ["产假"], {"x": 1}])] * len(frames[::25])  # not text at all
        for frame in frames:
            if isinstance(frame, str):
                data = {"message": frame, "session_id": rng.choice([session_id] + FOREIGN)}
            else:
                data = frame if isinstance(frame, list) else {"message": frame}
            tally.count()
            if not say_escaped(client, data).strip():
                tally.fail("socketio", "no reply", frame)
    finally:
        client.close()


def wechat_script(stack, tally: Tally, rng: random.Random, openid: str, count: int) -> None:
    for i, text in enumerate(messages(rng, count, xml_safe=True)):
        xml = wechat_text(openid, text)
        r, params = wechat_post(stack, xml, safe=i % 3 == 0)
        if not no_server_error(tally, "wechat", r, text):
            continue
        if r.status_code != 200:
            tally.fail("wechat", f"message refused ({r.status_code})", text)
        elif r.text == "success":
            tally.async_wechat.add(openid)
        elif not (r.text.startswith("<xml>") and ("<Encrypt>" in r.text or wx.reply_of(r)["Content"].strip())):
            tally.fail("wechat", "empty passive reply", text)
        if i % 10 == 0:  # replays: the same request again (answered once), the captured signature with
            if params.get("encrypt_type"):  # another body, an old and a future timestamp (refused)
                continue
            again = httpx.post(f"{stack.rasa_url}/webhooks/wechat/webhook", params=params, content=xml.encode(),
                               timeout=30)
            if no_server_error(tally, "wechat", again, "replay") and again.status_code != 200:
                tally.fail("wechat", f"identical retry refused ({again.status_code})", text)
            victim = "o" + uuid.uuid4().hex[:27]
            forged = httpx.post(f"{stack.rasa_url}/webhooks/wechat/webhook", params=params, timeout=30,
                                content=wechat_text(victim, "查询我的预约").encode())
            if no_server_error(tally, "wechat", forged, "forged") and forged.status_code != 403:
                tally.fail("wechat", f"captured signature with another body accepted ({forged.status_code})", victim)
            for age in (600, -280):
                old, _ = wechat_post(stack, wechat_text(openid, "产假多少天"), age=age)
                if no_server_error(tally, "wechat", old, age) and old.status_code != 403:
                    tally.fail("wechat", f"timestamp {-age:+} s accepted", old.status_code)
    bad_xml = ["", "<xml>", "not xml", "<xml><MsgType>text</MsgType></xml>", wechat_text(openid, "产假\x01多少天"),
               wechat_text(openid, "", "image"), "<!DOCTYPE x [<!ENTITY a 'aaaa'>]><xml>&a;</xml>"]
    for xml in bad_xml:
        r, _ = wechat_post(stack, xml)
        no_server_error(tally, "wechat", r, xml[:60])


def wecom_script(stack, tally: Tally, rng: random.Random, count: int) -> None:
    for i, text in enumerate(messages(rng, count, xml_safe=True)):
        user = f"hostile{i}-" + uuid.uuid4().hex[:6]
        plain = wecom_text(user, text)
        r = wecom_post(stack, plain)
        if not no_server_error(tally, "wecom", r, text):
            continue
        if r.status_code != 200:
            tally.fail("wecom", f"message refused ({r.status_code})", text)
        else:
            tally.wecom_users.add(user)
        if i % 10 == 0:
            for age in (600, -280):
                old = wecom_post(stack, wecom_text(user, "产假多少天"), age=age)
                if no_server_error(tally, "wecom", old, age) and old.status_code != 403:
                    tally.fail("wecom", f"timestamp {-age:+} s accepted", old.status_code)


# --- the suite ------------------------------------------------------------------------------------------

def test_a_thousand_hostile_requests_get_no_server_error_and_no_silence(stack, api):
    rng = random.Random(SEED)
    tally = Tally()
    rest_sender, openid = "hostile-" + uuid.uuid4().hex[:8], "o" + uuid.uuid4().hex[:27]
    seeds = [rng.randrange(2**32) for _ in range(8)]
    started = time.monotonic()
    with ThreadPoolExecutor(6) as pool:
        jobs = [pool.submit(rest_script, stack, tally, random.Random(seeds[0]), rest_sender, 200),
                pool.submit(rest_script, stack, tally, random.Random(seeds[1]), "hostile-" + uuid.uuid4().hex, 200),
                pool.submit(socketio_script, stack, tally, random.Random(seeds[2]), 90),
                pool.submit(socketio_script, stack, tally, random.Random(seeds[3]), 90),
                pool.submit(wechat_script, stack, tally, random.Random(seeds[4]), openid, 120),
                pool.submit(wechat_script, stack, tally, random.Random(seeds[5]), "o" + uuid.uuid4().hex[:27], 80),
                pool.submit(wecom_script, stack, tally, random.Random(seeds[6]), 110)]
        for job in jobs:
            job.result()
    for user in tally.async_wechat:
        if not api.sent("/cgi-bin/message/custom/send", user):
            api.wait_sent("/cgi-bin/message/custom/send", user)
    unanswered = [u for u in tally.wecom_users if not any(
        (m.get("text") or {}).get("content", "").strip() for m in api.sent("/cgi-bin/message/send", u))]
    deadline = time.monotonic() + 60
    while unanswered and time.monotonic() < deadline:
        time.sleep(1)
        unanswered = [u for u in unanswered if not api.sent("/cgi-bin/message/send", u)]
    elapsed = time.monotonic() - started
    print(f"hostile suite: {tally.requests} requests in {elapsed:.0f} s")
    assert tally.requests >= 1000
    assert not tally.failures, tally.failures[:20]
    assert not unanswered, f"{len(unanswered)} WeCom messages never answered"
    actions_log = stack.logs["actions"].read_text(errors="replace")
    assert "Traceback" not in actions_log, actions_log[actions_log.index("Traceback"):][:3000]
    assert "custom action" not in stack.logs["rasa"].read_text(errors="replace")  # no fallback needed

    # The conversations still answer afterwards, on every channel.
    assert "98天" in joined(stack.say(rest_sender, "产假多少天"))
    assert "98天" in wx.reply_of(wechat_post(stack, wechat_text(openid, "产假多少天"))[0])["Content"]
    client = SocketIO(stack)
    try:
        assert "98天" in client.say("产假多少天", client.session(uuid.uuid4().hex))
    finally:
        client.close()
    user = "after-" + uuid.uuid4().hex[:6]
    assert wecom_post(stack, wecom_text(user, "产假多少天")).status_code == 200
    assert "98天" in api.wait_sent("/cgi-bin/message/send", user)[0]["text"]["content"]


# --- finding 6: a reply whatever breaks -------------------------------------------------------------------

def test_a_message_the_nlu_cannot_read_gets_the_fallback(stack):
    """A lone surrogate made the NLU pipeline raise: REST answered [] and the widget nothing."""
    sender = "surrogate-" + uuid.uuid4().hex[:6]
    plain = joined(rest(stack, rest_json({"sender": sender, "message": "\ud800产假多少天"})).json())
    assert UNAVAILABLE in plain and "12351" in plain
    danger = joined(rest(stack, rest_json({"sender": sender, "message": "我老公打我\udc00"})).json())
    assert all(n in danger for n in ("110", "12338", "12351"))
    assert "98天" in joined(stack.say(sender, "产假多少天"))
    client = SocketIO(stack)
    try:
        session_id = client.session(uuid.uuid4().hex)
        assert UNAVAILABLE in say_escaped(client, {"message": "\ud800", "session_id": session_id}, settle=1)
        assert "98天" in client.say("产假多少天", session_id)
    finally:
        client.close()


def restart_actions(stack) -> None:
    """Start the killed action server again; once more if Sanic gave up waiting for its worker (a busy
    machine), so the tests after this one find it running."""
    try:
        stack.start_actions()
    except RuntimeError:
        stack.stop("actions")
        stack.start_actions()


@pytest.fixture
def actions_down(stack):
    """The action server killed (SIGKILL) for one test, then started again."""
    stack.stop("actions", signal.SIGKILL)
    try:
        yield stack
    finally:
        restart_actions(stack)


def test_with_the_action_server_gone_every_channel_still_answers(actions_down, api):
    stack = actions_down
    sender = "down-" + uuid.uuid4().hex[:6]
    said = joined(stack.say(sender, "产假多少天"))
    assert UNAVAILABLE in said and "12351" in said
    self_harm = joined(stack.say(sender, "我不想活了"))
    assert all(n in self_harm for n in ("120", "110", "12356", "12351"))
    client = SocketIO(stack)
    try:
        widget = client.say("他说要杀了我", client.session(uuid.uuid4().hex))
        assert all(n in widget for n in ("110", "12338", "12351"))
    finally:
        client.close()
    openid = "o" + uuid.uuid4().hex[:27]
    passive = wx.reply_of(wechat_post(stack, wechat_text(openid, "产假多少天"))[0])["Content"]
    assert UNAVAILABLE in passive
    user = "down-" + uuid.uuid4().hex[:6]
    assert wecom_post(stack, wecom_text(user, "我老公打我")).status_code == 200
    sent = api.wait_sent("/cgi-bin/message/send", user)[0]["text"]["content"]
    assert all(n in sent for n in ("110", "12338", "12351"))
    assert "产假多少天" in tracker_user_texts(stack, sender)  # her message is kept


def test_turns_in_flight_when_the_action_server_dies_all_get_a_reply(stack):
    senders = [f"flight{i}-" + uuid.uuid4().hex[:6] for i in range(36)]
    with ThreadPoolExecutor(12) as pool:
        replies = [pool.submit(stack.say, s, "怀孕了公司要辞退我，我该怎么办", 120) for s in senders]
        time.sleep(0.3)
        stack.stop("actions", signal.SIGKILL)
        try:
            texts = [joined(r.result()) for r in replies]
        finally:
            restart_actions(stack)
    assert all(t.strip() for t in texts), sum(not t.strip() for t in texts)
    assert "98天" in joined(stack.say(senders[0], "产假多少天"))
