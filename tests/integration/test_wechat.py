"""The WeChat Official Account and WeCom channels, against the real Rasa + action servers.

wechatpy is the independent client: it signs and encrypts requests exactly as WeChat does and
decrypts our replies. A local HTTP server stands in for the WeChat/WeCom API and records what the
bot sends (customer-service and app messages). Two stacks run: one with the normal reply budget,
one with a tiny budget so that every answer goes asynchronously through the message API.
"""
from __future__ import annotations

import subprocess
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import xmltodict
from wechatpy.crypto import WeChatCrypto
from wechatpy.enterprise.crypto import WeChatCrypto as WeComCrypto
from wechatpy.utils import WeChatSigner

from servers import ROOT, start_stack
from wechat_stack import (AES_KEY, AGENT_ID, APPID, CORP_ID, TOKEN, WECOM_AES_KEY, WECOM_TOKEN, FakeWeChatApi,
                          channel_settings)

LIMIT = 2048


@pytest.fixture(scope="module")
def api():
    with FakeWeChatApi() as fake:
        yield fake


@pytest.fixture(scope="module")
def stacks(tmp_path_factory, api):
    env = channel_settings(api)
    with ThreadPoolExecutor(2) as pool:  # start both stacks at once
        normal = pool.submit(start_stack, tmp_path_factory.mktemp("wechat"), **env)
        slow = pool.submit(start_stack, tmp_path_factory.mktemp("wechat_async"), **env, WECHAT_REPLY_BUDGET="0.001")
        started = [normal.result(), slow.result()]
    for s in started:  # the first turn loads the retrieval index: warm up, as a running server is
        s.say("warmup-" + uuid.uuid4().hex[:6], "产假多少天", timeout=120)
    yield started
    for s in started:
        s.stop_all()


@pytest.fixture(scope="module")
def stack(stacks):
    return stacks[0]


@pytest.fixture
def openid():
    return "o" + uuid.uuid4().hex[:27]


# --- requests built as WeChat builds them -------------------------------------------------------------

def _sign(*parts: str) -> str:
    signer = WeChatSigner()
    signer.add_data(*parts)
    return signer.signature


def _message_xml(openid: str, msg_type: str = "text", content: str = "", msg_id: int | None = None,
                 extra: str = "", create_time: int | None = None) -> str:
    fields = (f"<ToUserName><![CDATA[gh_test]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
              f"<CreateTime>{create_time or int(time.time())}</CreateTime><MsgType><![CDATA[{msg_type}]]></MsgType>")
    if msg_type == "text":
        fields += f"<Content><![CDATA[{content}]]></Content>"
    fields += extra
    if msg_type != "event":
        fields += f"<MsgId>{msg_id or int(time.time() * 1e6) + uuid.uuid4().int % 1000}</MsgId>"
    return f"<xml>{fields}</xml>"


def _check(r: httpx.Response) -> httpx.Response:
    assert r.status_code < 500, r.text
    return r


def post_plain(stack, openid: str, xml: str, token: str = TOKEN, timeout: float = 10,
               age: float = 0) -> httpx.Response:
    ts, nonce = str(int(time.time() - age)), uuid.uuid4().hex[:10]
    params = {"signature": _sign(token, ts, nonce), "timestamp": ts, "nonce": nonce, "openid": openid}
    return _check(httpx.post(f"{stack.rasa_url}/webhooks/wechat/webhook", params=params,
                             content=xml.encode(), timeout=timeout))


def post_safe(stack, openid: str, xml: str, appid: str = APPID,
              tamper: bool = False) -> tuple[httpx.Response, str, str]:
    ts, nonce = str(int(time.time())), uuid.uuid4().hex[:10]
    envelope = xmltodict.parse(WeChatCrypto(TOKEN, AES_KEY, appid).encrypt_message(xml, nonce, ts))["xml"]
    body = ("<xml><ToUserName><![CDATA[gh_test]]></ToUserName>"
            f"<Encrypt><![CDATA[{envelope['Encrypt']}]]></Encrypt></xml>")
    params = {"signature": _sign(TOKEN, ts, nonce), "timestamp": ts, "nonce": nonce, "openid": openid,
              "encrypt_type": "aes", "msg_signature": "0" * 40 if tamper else envelope["MsgSignature"]}
    r = _check(httpx.post(f"{stack.rasa_url}/webhooks/wechat/webhook", params=params, content=body.encode(),
                          timeout=10))
    return r, ts, nonce


def reply_of(r: httpx.Response) -> dict:
    assert r.status_code == 200, r.text
    return xmltodict.parse(r.text)["xml"]


def ask(stack, openid: str, text: str) -> dict:
    return reply_of(post_plain(stack, openid, _message_xml(openid, content=text)))


def user_events(stack, sender_id: str) -> list[dict]:
    r = httpx.get(f"{stack.rasa_url}/conversations/{sender_id}/tracker", params={"token": stack.token},
                  timeout=10)
    r.raise_for_status()
    return [e for e in r.json().get("events") or [] if e.get("event") == "user"]


def utf8(text: str) -> int:
    return len(text.encode("utf-8"))


# --- Official Account ---------------------------------------------------------------------------------

def test_url_verification(stack):
    ts, nonce = str(int(time.time())), "nonce123"
    url = f"{stack.rasa_url}/webhooks/wechat/webhook"
    good = httpx.get(url, params={"signature": _sign(TOKEN, ts, nonce), "timestamp": ts, "nonce": nonce,
                                  "echostr": "echo-42"})
    assert good.status_code == 200 and good.text == "echo-42"
    bad = httpx.get(url, params={"signature": _sign("other", ts, nonce), "timestamp": ts, "nonce": nonce,
                                 "echostr": "echo-42"})
    assert bad.status_code == 403 and "echo-42" not in bad.text


def test_a_replayed_request_with_an_old_timestamp_is_refused(stack, openid):
    """Correctly signed, but captured ten minutes ago (after the MsgId dedupe forgot it)."""
    xml = _message_xml(openid, content="产假多少天")
    assert post_plain(stack, openid, xml, age=600).status_code == 403
    assert post_plain(stack, openid, xml, age=-600).status_code == 403  # nor from the future
    assert user_events(stack, "wx:" + openid) == []
    ts, nonce = str(int(time.time()) - 600), "n-old"
    old = httpx.get(f"{stack.rasa_url}/webhooks/wechat/webhook",
                    params={"signature": _sign(TOKEN, ts, nonce), "timestamp": ts, "nonce": nonce, "echostr": "e"})
    assert old.status_code == 403


def test_a_captured_plain_signature_cannot_carry_another_body(stack, openid):
    """Plain mode signs token/timestamp/nonce only: within the window, one captured signature used to
    inject a message into anyone's conversation (issue 12, finding 5)."""
    ts, nonce = str(int(time.time())), uuid.uuid4().hex[:10]
    params = {"signature": _sign(TOKEN, ts, nonce), "timestamp": ts, "nonce": nonce}
    url = f"{stack.rasa_url}/webhooks/wechat/webhook"
    genuine = _message_xml(openid, content="产假多少天").encode()
    answer = reply_of(_check(httpx.post(url, params=params, content=genuine, timeout=10)))["Content"]
    assert "98天" in answer
    victim = "o" + uuid.uuid4().hex[:27]
    forged = _check(httpx.post(url, params=params, content=_message_xml(victim, content="查询我的预约").encode(),
                               timeout=10))
    assert forged.status_code == 403
    assert user_events(stack, "wx:" + victim) == []
    retry = _check(httpx.post(url, params=params, content=genuine, timeout=10))  # WeChat retrying the same body
    assert reply_of(retry)["Content"] == answer
    assert len(user_events(stack, "wx:" + openid)) == 1


def test_a_request_dated_ahead_is_refused_beyond_clock_skew(stack, openid):
    """A request dated +280 s stayed acceptable after the MsgId dedupe forgot it and was processed again:
    the future side is bounded by clock skew (60 s), and what was seen is remembered window + skew."""
    ahead = _message_xml(openid, content="产假多少天")
    assert post_plain(stack, openid, ahead, age=-280).status_code == 403
    assert user_events(stack, "wx:" + openid) == []
    skewed = reply_of(post_plain(stack, openid, _message_xml(openid, content="产假多少天"), age=-30))
    assert "98天" in skewed["Content"]  # ordinary clock skew is fine


def test_wecom_refuses_a_request_dated_ahead_and_a_signature_with_another_body(stack, api):
    user = "lisi" + uuid.uuid4().hex[:6]
    url = f"{stack.rasa_url}/webhooks/wecom/webhook"
    ts, nonce = str(int(time.time()) + 280), "wn-ahead"
    envelope = _wecom_envelope(_wecom_text(user, "产假多少天"), ts, nonce)
    r = httpx.post(url, params={"msg_signature": envelope["MsgSignature"], "timestamp": ts, "nonce": nonce},
                   content=_wecom_body(envelope).encode(), timeout=10)
    assert _check(r).status_code == 403
    ts, nonce = str(int(time.time())), "wn-other"
    captured = _wecom_envelope(_wecom_text(user, "产假多少天"), ts, nonce)
    other = _wecom_envelope(_wecom_text("wangwu" + uuid.uuid4().hex[:6], "查询我的预约"), ts, nonce)
    forged = httpx.post(url, params={"msg_signature": captured["MsgSignature"], "timestamp": ts, "nonce": nonce},
                        content=_wecom_body(other).encode(), timeout=10)
    assert _check(forged).status_code == 403  # WeCom's msg_signature covers the encrypted body
    assert user_events(stack, "wecom:" + user) == []


def test_a_typed_newline_cannot_forge_a_log_line(stack, openid):
    forged = "2026-01-01 00:00:00 ERROR    forged.by.her  - 伪造的日志行"
    assert "98天" in ask(stack, openid, f"产假多少天\n{forged}\r{forged}")["Content"]
    lines = stack.logs["rasa"].read_text(errors="replace").splitlines()
    assert not [line for line in lines if line.startswith(forged[:19])]


def test_wecom_refuses_a_stale_timestamp(stack):
    ts, nonce = str(int(time.time()) - 600), "wn-old"
    envelope = _wecom_envelope("echo-old", ts, nonce)
    r = httpx.get(f"{stack.rasa_url}/webhooks/wecom/webhook", params={
        "msg_signature": envelope["MsgSignature"], "timestamp": ts, "nonce": nonce, "echostr": envelope["Encrypt"]})
    assert r.status_code == 403


def test_plain_text_gets_a_passive_answer(stack, openid):
    started = time.monotonic()
    reply = ask(stack, openid, "产假多少天")
    assert time.monotonic() - started < 5
    assert reply["MsgType"] == "text" and reply["ToUserName"] == openid and reply["FromUserName"] == "gh_test"
    assert "98天" in reply["Content"]
    assert utf8(reply["Content"]) <= LIMIT
    assert len(user_events(stack, "wx:" + openid)) == 1


def test_safe_mode_reply_is_encrypted(stack, openid):
    r, _, _ = post_safe(stack, openid, _message_xml(openid, content="产假多少天"))
    envelope = reply_of(r)
    assert "Encrypt" in envelope and "Content" not in envelope
    plain = WeChatCrypto(TOKEN, AES_KEY, APPID).decrypt_message(r.text, envelope["MsgSignature"],
                                                                envelope["TimeStamp"], envelope["Nonce"])
    reply = xmltodict.parse(plain)["xml"]
    assert reply["ToUserName"] == openid and "98天" in reply["Content"]


def test_bad_signatures_are_refused_and_nothing_is_processed(stack, openid):
    xml = _message_xml(openid, content="产假多少天")
    assert post_plain(stack, openid, xml, token="not-our-token").status_code == 403
    r, _, _ = post_safe(stack, openid, xml, tamper=True)
    assert r.status_code == 403
    unsigned = httpx.post(f"{stack.rasa_url}/webhooks/wechat/webhook", content=xml.encode(), timeout=10)
    assert unsigned.status_code == 403
    assert user_events(stack, "wx:" + openid) == []


def test_wrong_appid_is_refused(stack, openid):
    r, _, _ = post_safe(stack, openid, _message_xml(openid, content="产假多少天"), appid="wxSOMEONEELSE00000")
    assert r.status_code == 403
    assert user_events(stack, "wx:" + openid) == []


def test_duplicate_delivery_is_processed_once(stack, openid):
    xml = _message_xml(openid, content="怀孕了公司能不能把我辞退", msg_id=int(time.time() * 1000))
    with ThreadPoolExecutor(2) as pool:  # a retry arriving while the first is still running
        first, second = pool.map(lambda _: post_plain(stack, openid, xml), range(2))
    third = post_plain(stack, openid, xml)  # a late retry
    answers = [reply_of(r)["Content"] for r in (first, second, third)]
    assert answers[0] == answers[1] == answers[2] and answers[0]
    assert len(user_events(stack, "wx:" + openid)) == 1


def test_slow_turn_answers_success_then_sends_by_api(stacks, api, openid):
    slow = stacks[1]
    r = post_plain(slow, openid, _message_xml(openid, content="产假多少天"))
    assert r.status_code == 200 and r.text == "success"
    sent = api.wait_sent("/cgi-bin/message/custom/send", openid)
    assert sent[0]["msgtype"] == "text" and "98天" in "".join(m["text"]["content"] for m in sent)
    assert all(utf8(m["text"]["content"]) <= LIMIT for m in sent)


def test_retry_of_an_async_turn_gets_success(stacks, api, openid):
    slow = stacks[1]
    xml = _message_xml(openid, content="哺乳时间有多久")
    assert post_plain(slow, openid, xml).text == "success"
    assert post_plain(slow, openid, xml).text == "success"
    sent = api.wait_sent("/cgi-bin/message/custom/send", openid)
    time.sleep(1)
    assert len(api.sent("/cgi-bin/message/custom/send", openid)) == len(sent)
    assert len(user_events(slow, "wx:" + openid)) == 1


def test_long_answer_is_split_into_messages_under_2048_bytes(stack, api, openid):
    """No answer of the current knowledge base exceeds 2048 bytes, so a long officer reply stands in."""
    assert utf8(ask(stack, openid, "产假多少天")["Content"]) <= LIMIT
    long_text = "".join(f"第{i}点：根据《女职工劳动保护特别规定》，用人单位不得因怀孕、生育、哺乳降低工资。"
                        for i in range(1, 80))
    assert utf8(long_text) > 3 * LIMIT
    r = httpx.post(f"{stack.rasa_url}/conversations/wx:{openid}/tracker/events",
                   params={"token": stack.token, "output_channel": "latest", "execute_side_effects": "true"},
                   json=[{"event": "bot", "text": long_text, "timestamp": time.time()}], timeout=10)
    assert r.status_code == 200
    sent = api.wait_sent("/cgi-bin/message/custom/send", openid, count=4)
    parts = [m["text"]["content"] for m in sent]
    assert len(parts) >= 4 and all(utf8(p) <= LIMIT for p in parts)
    assert all(p.endswith("。") for p in parts) and "".join(parts) == long_text


def test_split_helper_cuts_at_sentence_ends(stack):
    """The channels' own helper, run in the Rasa environment where the channels run."""
    check = """
from bot.channels.textsplit import pack, split_text
size = lambda t: len(t.encode("utf-8"))
text = "".join(f"第{i}条：女职工生育享受98天产假，其中产前可以休假15天。" for i in range(200))
pieces = split_text(text)
assert len(pieces) > 1 and all(size(p) <= 2048 for p in pieces), [size(p) for p in pieces]
assert all(p.endswith("。") for p in pieces) and "".join(pieces) == text
assert all(size(p) <= 2048 for p in pack([text, "好的"] * 3))
assert all(size(p) <= 2048 for p in split_text("无标点" * 2000))
print("ok")
"""
    r = subprocess.run([str(ROOT / ".venv-rasa/bin/python"), "-c", check], cwd=ROOT, env=stack.env,
                       capture_output=True, text=True, timeout=120)
    assert r.stdout.strip().endswith("ok"), r.stderr[-2000:]


def test_buttons_become_numbered_options(stack, openid):
    greeting = ask(stack, openid, "你好")["Content"]
    assert "女职工权益助手" in greeting
    assert "回复 1" in greeting and "回复 3：转人工" in greeting
    assert utf8(greeting) <= LIMIT
    chosen = ask(stack, openid, "1")["Content"]  # payload of option 1: "产假有多少天"
    assert "98天" in chosen
    assert user_events(stack, "wx:" + openid)[-1]["text"] == "产假有多少天"


def test_subscribe_event_gets_the_welcome_menu(stack, openid):
    xml = _message_xml(openid, "event", extra="<Event><![CDATA[subscribe]]></Event><EventKey><![CDATA[]]></EventKey>")
    welcome = reply_of(post_plain(stack, openid, xml))["Content"]
    assert "欢迎" in welcome and "回复 1" in welcome and "回复 5" in welcome
    assert "98天" in ask(stack, openid, "1")["Content"]  # the menu numbers work too


def test_image_gets_only_text_reply(stack, openid):
    xml = _message_xml(openid, "image", extra="<PicUrl><![CDATA[http://x/y.jpg]]></PicUrl><MediaId><![CDATA[m1]]></MediaId>")
    content = reply_of(post_plain(stack, openid, xml))["Content"]
    assert "文字" in content and "图片" in content
    assert user_events(stack, "wx:" + openid) == []


@pytest.mark.parametrize("body", ["<xml><ToUserName>broken", "", "not xml at all", "<xml></xml>",
                                  "<xml><MsgType>text</MsgType></xml>"])
def test_malformed_xml_is_400(stack, openid, body):
    assert post_plain(stack, openid, body).status_code == 400


def test_malformed_encrypted_body_is_400_not_5xx(stack, openid):
    ts, nonce = str(int(time.time())), "n1"
    garbage = "bm90IGVuY3J5cHRlZA=="
    params = {"timestamp": ts, "nonce": nonce, "encrypt_type": "aes", "msg_signature": _sign(TOKEN, ts, nonce, garbage)}
    r = httpx.post(f"{stack.rasa_url}/webhooks/wechat/webhook", params=params, timeout=10,
                   content=f"<xml><Encrypt><![CDATA[{garbage}]]></Encrypt></xml>".encode())
    assert r.status_code == 400


def test_officer_push_reaches_wechat_and_token_is_refreshed(stack, api, openid):
    ask(stack, openid, "产假多少天")  # her latest channel is WeChat
    api.fail_next.append(40001)  # the cached access token is refused once
    r = httpx.post(f"{stack.rasa_url}/conversations/wx:{openid}/tracker/events",
                   params={"token": stack.token, "output_channel": "latest", "execute_side_effects": "true"},
                   json=[{"event": "bot", "text": "您好，我是维权专员，电话13812345678。", "timestamp": time.time()}],
                   timeout=10)
    assert r.status_code == 200
    sent = api.wait_sent("/cgi-bin/message/custom/send", openid, count=2)
    assert [m["text"]["content"] for m in sent] == ["您好，我是维权专员，电话13812345678。"] * 2  # refused, then sent
    with api.lock:
        paths = [p for p, _, b in api.calls if p == "/cgi-bin/token" or b.get("touser") == openid]
    assert paths[-3:] == ["/cgi-bin/message/custom/send", "/cgi-bin/token", "/cgi-bin/message/custom/send"]
    rasa_log = stack.logs["rasa"].read_text(errors="replace")
    assert "13812345678" not in rasa_log


def test_an_officers_push_names_her_in_the_text(stack, api, openid):
    """WeChat shows text only: an officer's reply says who wrote it (the widget reads the metadata)."""
    ask(stack, openid, "产假多少天")
    event = {"event": "bot", "text": "您好，请先别签字。", "timestamp": time.time(),
             "metadata": {"from": "officer", "officer_name": "王老师"}}
    r = httpx.post(f"{stack.rasa_url}/conversations/wx:{openid}/tracker/events",
                   params={"token": stack.token, "output_channel": "latest", "execute_side_effects": "true"},
                   json=[event], timeout=10)
    assert r.status_code == 200
    sent = api.wait_sent("/cgi-bin/message/custom/send", openid)
    assert sent[-1]["text"]["content"] == "维权专员 王老师：您好，请先别签字。"


def test_user_outside_48h_window_is_logged_not_crashing(stack, api, openid):
    ask(stack, openid, "产假多少天")
    api.fail_next.append(45015)
    r = httpx.post(f"{stack.rasa_url}/conversations/wx:{openid}/tracker/events",
                   params={"token": stack.token, "output_channel": "latest", "execute_side_effects": "true"},
                   json=[{"event": "bot", "text": "您好，这是专员的回复。", "timestamp": time.time()}], timeout=10)
    assert r.status_code == 200
    api.wait_sent("/cgi-bin/message/custom/send", openid)
    deadline = time.monotonic() + 10
    while "45015" not in stack.logs["rasa"].read_text(errors="replace") and time.monotonic() < deadline:
        time.sleep(0.2)
    assert "45015" in stack.logs["rasa"].read_text(errors="replace")
    assert "98天" in ask(stack, openid, "产假多少天")["Content"]  # the channel still works


# --- WeCom --------------------------------------------------------------------------------------------

def _wecom_envelope(plain: str, ts: str, nonce: str) -> dict:
    return xmltodict.parse(WeComCrypto(WECOM_TOKEN, WECOM_AES_KEY, CORP_ID).encrypt_message(plain, nonce, ts))["xml"]


def _wecom_text(user: str, content: str, msg_id: int | None = None) -> str:
    return (f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName><FromUserName><![CDATA[{user}]]></FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id or uuid.uuid4().int % 10**15}</MsgId>"
            f"<AgentID>{AGENT_ID}</AgentID></xml>")


def _wecom_body(envelope: dict) -> str:
    return (f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName><AgentID><![CDATA[{AGENT_ID}]]></AgentID>"
            f"<Encrypt><![CDATA[{envelope['Encrypt']}]]></Encrypt></xml>")


def test_wecom_url_check(stack):
    ts, nonce = str(int(time.time())), "wn1"
    envelope = _wecom_envelope("echo-wecom-7", ts, nonce)
    url = f"{stack.rasa_url}/webhooks/wecom/webhook"
    started = time.monotonic()
    good = httpx.get(url, params={"msg_signature": envelope["MsgSignature"], "timestamp": ts, "nonce": nonce,
                                  "echostr": envelope["Encrypt"]})
    assert time.monotonic() - started < 1
    assert good.status_code == 200 and good.text == "echo-wecom-7"
    bad = httpx.get(url, params={"msg_signature": "0" * 40, "timestamp": ts, "nonce": nonce,
                                 "echostr": envelope["Encrypt"]})
    assert bad.status_code == 403


def test_wecom_message_is_answered_through_the_message_api(stack, api):
    user = "zhangsan" + uuid.uuid4().hex[:6]
    ts, nonce = str(int(time.time())), "wn2"
    plain = (f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName><FromUserName><![CDATA[{user}]]></FromUserName>"
             f"<CreateTime>{ts}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[产假多少天]]></Content>"
             f"<MsgId>{int(time.time() * 1000)}</MsgId><AgentID>{AGENT_ID}</AgentID></xml>")
    envelope = _wecom_envelope(plain, ts, nonce)
    body = (f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName><AgentID><![CDATA[{AGENT_ID}]]></AgentID>"
            f"<Encrypt><![CDATA[{envelope['Encrypt']}]]></Encrypt></xml>")
    params = {"msg_signature": envelope["MsgSignature"], "timestamp": ts, "nonce": nonce}
    url = f"{stack.rasa_url}/webhooks/wecom/webhook"
    started = time.monotonic()
    r = _check(httpx.post(url, params=params, content=body.encode(), timeout=10))
    assert r.status_code == 200 and time.monotonic() - started < 1
    assert _check(httpx.post(url, params=params, content=body.encode(), timeout=10)).status_code == 200  # retry
    sent = api.wait_sent("/cgi-bin/message/send", user)
    assert str(sent[0]["agentid"]) == AGENT_ID and sent[0]["msgtype"] == "text"
    assert "98天" in sent[0]["text"]["content"]
    assert len(user_events(stack, "wecom:" + user)) == 1
    tampered = _check(httpx.post(url, params={**params, "msg_signature": "1" * 40}, content=body.encode()))
    assert tampered.status_code == 403
