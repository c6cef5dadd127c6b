"""A conversation id with control characters (a NUL, DEL, U+0080, an escape) is refused on every channel
(issue 12, finding 7), against the real Rasa server: REST says so with 400; WeChat and WeCom answer
「会话编号含有控制字符…」 and store nothing (their XML cannot even carry a NUL: 400); the widget's socket
never gets such an id (it is given one of its own)."""
from __future__ import annotations

import re
import sqlite3
import time
import uuid

import httpx
import pytest
import xmltodict

from test_wechat import CORP_ID, WECOM_AES_KEY, WECOM_TOKEN, WeComCrypto, _message_xml, post_plain, reply_of

BAD_SENDER = "会话编号含有控制字符"


def stored_senders(stack) -> set[str]:
    with sqlite3.connect(stack.var_dir / "tracker.db") as conn:
        return {r[0] for r in conn.execute("select distinct sender_id from events")}


def post_wecom(stack, user: str, content: str) -> httpx.Response:
    """A text message from WeCom user `user`, encrypted and signed as WeCom sends it."""
    xml = (f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName><FromUserName><![CDATA[{user}]]></FromUserName>"
           f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
           f"<Content><![CDATA[{content}]]></Content><MsgId>{uuid.uuid4().int % 10**15}</MsgId>"
           f"<AgentID>1000002</AgentID></xml>")
    ts, nonce = str(int(time.time())), uuid.uuid4().hex[:10]
    envelope = xmltodict.parse(WeComCrypto(WECOM_TOKEN, WECOM_AES_KEY, CORP_ID).encrypt_message(xml, nonce, ts))["xml"]
    body = (f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName>"
            f"<Encrypt><![CDATA[{envelope['Encrypt']}]]></Encrypt></xml>")
    return httpx.post(f"{stack.rasa_url}/webhooks/wecom/webhook", content=body.encode(), timeout=60,
                      params={"msg_signature": envelope["MsgSignature"], "timestamp": ts, "nonce": nonce})


@pytest.mark.parametrize("bad", ["abc\x00def", "abc\x85", "\x1b[31mred"])
def test_rest_refuses_a_sender_with_control_characters(channels_stack, bad):
    r = httpx.post(f"{channels_stack.rasa_url}/webhooks/rest/webhook", json={"sender": bad, "message": "产假多少天"},
                   timeout=30)
    assert r.status_code == 400 and "控制字符" in r.json()["message"]
    assert bad not in stored_senders(channels_stack)


def test_wechat_refuses_a_sender_with_control_characters(channels_stack):
    openid = "o" + uuid.uuid4().hex[:13] + "\x7f" + uuid.uuid4().hex[:13]  # DEL: XML 1.0 carries it
    reply = reply_of(post_plain(channels_stack, openid, _message_xml(openid, content="产假多少天"), timeout=30))
    assert BAD_SENDER in reply["Content"]
    assert "wx:" + openid not in stored_senders(channels_stack)
    nul = "o" + uuid.uuid4().hex[:26] + "\x00"
    assert post_plain(channels_stack, nul, _message_xml(nul, content="产假多少天")).status_code == 400


def test_wecom_refuses_a_sender_with_control_characters(channels_stack, wechat_api):
    user = "zhang\x80" + uuid.uuid4().hex[:6]
    assert post_wecom(channels_stack, user, "产假多少天").status_code == 200
    sent = wechat_api.wait_sent("/cgi-bin/message/send", user)
    assert any(BAD_SENDER in (m.get("text") or {}).get("content", "") for m in sent)
    assert "wecom:" + user not in stored_senders(channels_stack)


def test_the_widget_never_takes_a_requested_id_with_control_characters(channels_stack):
    from test_trust_boundaries import SocketIO

    client = SocketIO(channels_stack)
    try:
        confirmed = client.session("web:" + uuid.uuid4().hex + "\x00")
        assert re.fullmatch(r"web:[0-9a-f]{32}", confirmed)
        assert "98天" in client.say("产假多少天", confirmed)
    finally:
        client.close()
