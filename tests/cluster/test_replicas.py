"""Two real Rasa replicas on one PostgreSQL tracker store and one Redis (lock store, socket.io
manager), with one action server and a PostgreSQL application database: a conversation moves between
replicas, simultaneous messages of one sender are all kept and answered, and an officer's reply sent
through one replica reaches the widget connected to the other."""
import concurrent.futures
import json
import subprocess
import threading
import time
import uuid

import httpx
import pytest

from servers import ROOT, make_stack, prepare_database

pytestmark = pytest.mark.timeout(600)


@pytest.fixture(scope="module")
def replicas(postgres, redis_server, tmp_path_factory):
    postgres.create_database("rasa_replicas")
    shared = {"TRACKER_DIALECT": "postgresql", "TRACKER_HOST": "127.0.0.1", "TRACKER_PORT": str(postgres.port),
              "TRACKER_USER": postgres.user, "TRACKER_PASSWORD": postgres.password, "TRACKER_DB": "rasa_replicas",
              "APP_DB_URL": postgres.create_database("app_replicas").render_as_string(hide_password=False),
              "LOCK_STORE": "redis", "REDIS_HOST": "127.0.0.1", "REDIS_PORT": str(redis_server.port),
              "REDIS_PASSWORD": redis_server.password, "REDIS_KEY_PREFIX": "replicas:"}
    a, b = (make_stack(tmp_path_factory.mktemp(name), **shared) for name in ("replica-a", "replica-b"))
    b.env["ACTION_ENDPOINT"] = a.env["ACTION_ENDPOINT"]  # one action server for both
    started = []
    try:
        prepare_database(a)
        a.start_actions()
        started.append(a)
        threads = [threading.Thread(target=stack.start_rasa) for stack in (a, b)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        started.append(b)
        for stack in (a, b):
            assert "rasa" in stack.procs and stack.procs["rasa"].poll() is None, stack.logs["rasa"].read_text()[-2000:]
        yield a, b
    finally:
        for stack in (a, b):
            stack.stop_all()


def _tracker(stack, sender: str) -> list[dict]:
    r = httpx.get(f"{stack.rasa_url}/conversations/{sender}/tracker", params={"token": stack.token}, timeout=30)
    r.raise_for_status()
    return r.json()["events"]


def test_a_conversation_keeps_its_context_across_replicas(replicas):
    a, b = replicas
    sender = "alt-" + uuid.uuid4().hex[:8]
    first = " ".join(m.get("text", "") for m in a.say(sender, "生孩子能休多少天产假"))
    follow = " ".join(m.get("text", "") for m in b.say(sender, "那广东呢"))
    assert "98" in first and "广东" in follow, (first, follow)
    texts = [e.get("text") for e in _tracker(a, sender) if e["event"] == "user"]
    assert texts == ["生孩子能休多少天产假", "那广东呢"]


def test_simultaneous_messages_of_one_sender_on_both_replicas_are_all_kept_and_answered(replicas):
    a, b = replicas
    sender = "burst-" + uuid.uuid4().hex[:8]
    messages = [f"哺乳时间有多久 {i}" for i in range(40)]
    with concurrent.futures.ThreadPoolExecutor(20) as pool:
        replies = list(pool.map(lambda i: (a, b)[i % 2].say(sender, messages[i], timeout=300), range(40)))
    assert all(reply and any(m.get("text") for m in reply) for reply in replies), "an empty reply"
    events = _tracker(b, sender)
    assert sorted(e["text"] for e in events if e["event"] == "user") == sorted(messages)
    # every turn ran whole: after each message the bot answered and went back to listening
    turns = [e for e in events if e["event"] in ("user", "bot")]
    assert all(turns[i + 1]["event"] == "bot" for i, e in enumerate(turns) if e["event"] == "user")
    listens = [e for e in events if e["event"] == "action" and e.get("name") == "action_listen"]
    assert len(listens) >= 40


def test_an_officers_reply_through_one_replica_reaches_the_widget_on_the_other(replicas):
    a, b = replicas
    session = uuid.uuid4().hex
    client = subprocess.Popen([str(ROOT / ".venv-rasa/bin/python"), str(ROOT / "tests/cluster/widget_client.py"),
                               a.rasa_url, session], cwd=ROOT, env=a.env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    try:
        assert client.stdout.readline().strip() == "ready", client.stderr.read()[-2000:]
        sent = time.time()
        r = httpx.post(f"{b.rasa_url}/conversations/web:{session}/tracker/events", timeout=30,
                       params={"token": b.token, "output_channel": "latest", "execute_side_effects": "true"},
                       json=[{"event": "bot", "text": "您好，我是维权专员小王", "timestamp": sent}])
        assert r.status_code == 200, r.text
        pushed = json.loads(client.stdout.readline())
        assert pushed["text"] == "您好，我是维权专员小王"
    finally:
        client.kill()
        client.wait()
