"""One real Rasa server + action server for the integration tests of a session."""
import uuid

import pytest

from servers import start_stack


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    s = start_stack(tmp_path_factory.mktemp("stack"))
    yield s
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
