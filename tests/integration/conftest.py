"""Real stacks for the integration tests of a session: a plain one (Rasa server + action server), and
one with the WeChat and WeCom channels configured against a local stand-in for their API and the
console running (the privacy and conversation-id tests share it)."""
import uuid

import pytest

from servers import start_stack


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    s = start_stack(tmp_path_factory.mktemp("stack"))
    yield s
    s.stop_all()


@pytest.fixture(scope="session")
def wechat_api():
    from test_wechat import FakeWeChatApi

    fake = FakeWeChatApi()
    yield fake
    fake.server.shutdown()


@pytest.fixture(scope="session")
def channels_stack(tmp_path_factory, wechat_api):
    import test_wechat as wx

    api = f"http://127.0.0.1:{wechat_api.port}/"
    s = start_stack(tmp_path_factory.mktemp("channels"), WECHAT_TOKEN=wx.TOKEN, WECHAT_AES_KEY=wx.AES_KEY,
                    WECHAT_APPID=wx.APPID, WECHAT_SECRET="wx-secret", WECHAT_API_BASE=api, WECOM_CORP_ID=wx.CORP_ID,
                    WECOM_SECRET="wecom-secret", WECOM_AGENT_ID=wx.AGENT_ID, WECOM_TOKEN=wx.WECOM_TOKEN,
                    WECOM_AES_KEY=wx.WECOM_AES_KEY, WECOM_API_BASE=api)
    try:
        s.start_console()
        s.say("warmup-" + uuid.uuid4().hex[:6], "产假多少天", timeout=120)  # loads the index, as a running server has
        yield s
    finally:
        s.stop_all()


@pytest.fixture
def sender():
    return "test-" + uuid.uuid4().hex[:10]


def joined(messages: list[dict]) -> str:
    """All text of a turn, button titles included (as the eval scorer reads it)."""
    parts = []
    for m in messages:
        parts.append(m.get("text") or "")
        parts += [b.get("title", "") for b in m.get("buttons") or []]
    return "\n".join(parts)
