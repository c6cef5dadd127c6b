"""Real stacks for the integration tests of a session: a plain one (Rasa server + action server), and
one with the WeChat and WeCom channels configured against a local stand-in for their API and the
console running (the privacy and conversation-id tests share it)."""
import uuid

import pytest

from servers import start_stack
from wechat_stack import FakeWeChatApi, channel_settings


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    s = start_stack(tmp_path_factory.mktemp("stack"))
    yield s
    s.stop_all()


@pytest.fixture(scope="session")
def wechat_api():
    with FakeWeChatApi() as fake:
        yield fake


@pytest.fixture(scope="session")
def channels_stack(tmp_path_factory, wechat_api):
    s = start_stack(tmp_path_factory.mktemp("channels"), **channel_settings(wechat_api))
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
