"""The scaled deployment as `make cluster` starts it (deploy/cluster.py): two real Rasa replicas on one
PostgreSQL tracker store and application database and one Redis (lock store, socket.io manager), one
action server, nginx in front. A conversation moves between replicas, simultaneous messages of one
sender are all kept and answered, an officer's reply sent through one replica reaches the widget
connected to the other, and a replica killed in the middle of a turn leaves her conversation to the
other within seconds."""
import collections
import concurrent.futures
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx
import pytest
import redis
from sqlalchemy import create_engine, text

from deploy.cluster import Cluster
from integration import test_widget as widget
from integration.test_wechat import _message_xml, post_plain, reply_of, user_events
from servers import ROOT
from wechat_stack import FakeWeChatApi, channel_settings

pytestmark = pytest.mark.timeout(900)


@pytest.fixture(scope="module")
def wechat_api():
    with FakeWeChatApi() as fake:
        yield fake


@pytest.fixture(scope="module")
def cluster(wechat_api):
    folder = Path(tempfile.mkdtemp(prefix="wra-cluster-"))  # pytest's own tmp is closed to the postgres user
    # passive replies even on a busy machine: the tests read them
    started = Cluster(folder, replicas=2, settings=channel_settings(wechat_api, WECHAT_REPLY_BUDGET="30"))
    try:
        started.start()
        for stack in started.stacks:  # the first turns load the index and models: warm up, as a running server is
            say(started, "warmup-" + uuid.uuid4().hex[:6], "产假多少天", stack.rasa_url)
        yield started
    finally:
        started.stop()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def replicas(cluster):
    return cluster.stacks


def say(cluster, sender: str, message: str, to: str = "", timeout: float = 300) -> list[dict]:
    """One REST turn through nginx, or straight to the replica at `to`."""
    r = httpx.post(f"{to or cluster.url}/webhooks/rest/webhook", json={"sender": sender, "message": message},
                   headers={"Authorization": f"Bearer {cluster.rest_token}"}, timeout=timeout)
    r.raise_for_status()
    return r.json()


def _tracker(stack, sender: str) -> list[dict]:
    r = httpx.get(f"{stack.rasa_url}/conversations/{sender}/tracker", params={"token": stack.token}, timeout=30)
    r.raise_for_status()
    return r.json()["events"]


def test_a_conversation_keeps_its_context_across_replicas(cluster, replicas):
    a, b = replicas
    sender = "alt-" + uuid.uuid4().hex[:8]
    first = " ".join(m.get("text", "") for m in say(cluster, sender, "生孩子能休多少天产假", a.rasa_url))
    follow = " ".join(m.get("text", "") for m in say(cluster, sender, "那广东呢", b.rasa_url))
    assert "98" in first and "广东" in follow, (first, follow)
    texts = [e.get("text") for e in _tracker(a, sender) if e["event"] == "user"]
    assert texts == ["生孩子能休多少天产假", "那广东呢"]


@pytest.mark.parametrize("through_nginx", [False, True], ids=["widget-on-replica-1", "widget-through-nginx"])
def test_an_officers_reply_through_either_replica_reaches_the_open_widget(cluster, replicas, through_nginx):
    """Through nginx the widget lands on whichever replica ip_hash picks; a reply through each replica
    must reach it, so one of the two always crosses over."""
    session = uuid.uuid4().hex
    client = subprocess.Popen([str(ROOT / ".venv-rasa/bin/python"), str(ROOT / "tests/cluster/widget_client.py"),
                               cluster.url if through_nginx else replicas[0].rasa_url, session], cwd=ROOT,
                              env=replicas[0].env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert client.stdout.readline().strip() == "ready", client.stderr.read()[-2000:]
        for i, stack in reversed(list(enumerate(replicas))):  # replica 2 first: not the direct widget's
            r = httpx.post(f"{stack.rasa_url}/conversations/web:{session}/tracker/events", timeout=30,
                           params={"token": stack.token, "output_channel": "latest", "execute_side_effects": "true"},
                           json=[{"event": "bot", "text": f"维权专员经副本{i + 1}回复", "timestamp": time.time()}])
            assert r.status_code == 200, r.text
            assert json.loads(client.stdout.readline())["text"] == f"维权专员经副本{i + 1}回复"
    finally:
        client.kill()
        client.wait()


def _socketio_log(cluster) -> dict[str, set[tuple[str, str]]]:
    """From nginx's access log: each client address's socket.io requests as (replica, status)."""
    requests = collections.defaultdict(set)
    for line in cluster.nginx.access_log.read_text().splitlines():
        _, client, upstream, status, _, path = re.fullmatch(r"(\S+) (\S+) (.+) (\d{3}) (\S+) (\S+)", line).groups()
        if path.startswith("/socket.io/"):
            requests[client].add((upstream, status))
    return requests


def _replicas_of(cluster, client: str) -> set[str]:
    return {upstream for upstream, _ in _socketio_log(cluster)[client]}


def _polling_widget(url: str, source: str) -> None:
    """A widget's socket.io session over long-polling from the address `source`, as raw engine.io
    requests: the handshake, joining the namespace, asking for a conversation. Each request after the
    handshake names the session, which only the replica that made it knows."""
    with httpx.Client(base_url=url, transport=httpx.HTTPTransport(local_address=source), timeout=60) as http:
        handshake = http.get("/socket.io/", params={"EIO": "4", "transport": "polling"})
        handshake.raise_for_status()
        params = {"EIO": "4", "transport": "polling", "sid": json.loads(handshake.text[1:])["sid"]}
        session = uuid.uuid4().hex
        for packet, answer in (("40", "40"), (f'42["session_request",{{"session_id":"{session}"}}]',
                                              f'42["session_confirm","web:{session}"]')):
            assert http.post("/socket.io/", params=params, content=packet).text == "OK"
            assert http.get("/socket.io/", params=params).text.startswith(answer)


def test_each_widget_stays_on_one_replica_and_widgets_spread_over_both(cluster):
    """nginx's ip_hash keys on the first three octets of an IPv4 address: every client of one /24 (here
    all of 127.0.0.x) went to one replica. Linux routes all of 127/8 to loopback, so 16 clients from
    127.0.0.2-17 are 16 addresses: each must keep its replica (else its session is unknown: 400), and
    they must not all share one."""
    sources = [f"127.0.0.{i}" for i in range(2, 18)]
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda source: _polling_widget(cluster.url, source), sources))
    log = _socketio_log(cluster)
    assert {status for s in sources for _, status in log[s]} == {"200"}, log
    served = {source: {upstream for upstream, _ in log[source]} for source in sources}
    assert all(len(replicas) == 1 for replicas in served.values()), served
    assert set().union(*served.values()) == {f"127.0.0.1:{s.rasa_port}" for s in cluster.stacks}


def test_the_widget_in_chromium_through_nginx_talks_over_websocket_and_gets_the_other_replicas_push(
        cluster, replicas, browser):
    """The real widget on the console's demo page (its socket.io URL is nginx): the transport must be
    upgraded to a WebSocket through nginx (nginx's log shows the 101; without the Upgrade headers in
    deploy/nginx.conf there is none), and an officer's reply sent through the replica that does not
    hold her socket reaches it (python-socketio's Redis manager)."""
    context = browser.new_context(locale="zh-CN")
    try:
        page = context.new_page()
        page.set_default_timeout(60_000)
        page.goto(f"http://127.0.0.1:{replicas[0].console_port}/")
        page.locator(".wrw-launcher").click()
        assert "98天" in widget.say(page, "产假多少天")
        page.wait_for_function("WomenRightsWidget.init().then(w => w.socket.io.engine.transport.name === 'websocket')",
                               timeout=10_000)
        assert "广东" in widget.say(page, "那广东呢")  # the conversation goes on over the WebSocket
        holder = _replicas_of(cluster, "127.0.0.1")
        other = [s for s in replicas if f"127.0.0.1:{s.rasa_port}" not in holder]
        assert len(holder) == 1 and len(other) == 1, holder
        before = widget.bot_count(page)
        r = httpx.post(f"{other[0].rasa_url}/conversations/{widget.session_id(page)}/tracker/events",
                       params={"token": other[0].token, "output_channel": "latest", "execute_side_effects": "true"},
                       json=[{"event": "bot", "text": "维权专员经另一副本回复", "timestamp": time.time()}], timeout=30)
        assert r.status_code == 200, r.text
        assert "维权专员经另一副本回复" in widget.wait_reply(page, before)
    finally:
        context.close()
    deadline = time.monotonic() + 10  # nginx logs a WebSocket when it closes
    while "101" not in {status for _, status in _socketio_log(cluster)["127.0.0.1"]}:
        assert time.monotonic() < deadline, "no WebSocket through nginx"
        time.sleep(0.2)
    assert _replicas_of(cluster, "127.0.0.1") == holder


def test_a_wechat_retry_on_the_other_replica_is_processed_once(replicas):
    a, b = replicas
    openid = "o" + uuid.uuid4().hex[:27]
    xml = _message_xml(openid, content="怀孕了公司能不能把我辞退", msg_id=int(time.time() * 1000))
    with concurrent.futures.ThreadPoolExecutor(2) as pool:  # the retry arrives while the first still runs
        first, second = pool.map(lambda stack: post_plain(stack, openid, xml), (a, b))
    late = post_plain(b, openid, xml)
    answers = [reply_of(r)["Content"] for r in (first, second, late)]
    assert answers[0] == answers[1] == answers[2] and answers[0]
    assert len(user_events(a, "wx:" + openid)) == 1


def test_numbered_options_shown_by_one_replica_are_understood_by_the_other(replicas):
    a, b = replicas
    openid = "o" + uuid.uuid4().hex[:27]
    greeting = reply_of(post_plain(a, openid, _message_xml(openid, content="你好")))["Content"]
    assert "回复 1" in greeting
    assert "98天" in reply_of(post_plain(b, openid, _message_xml(openid, content="1")))["Content"]
    assert user_events(a, "wx:" + openid)[-1]["text"] == "产假有多少天"


def test_both_replicas_push_with_one_access_token(replicas, wechat_api):
    openid = "o" + uuid.uuid4().hex[:27]
    reply_of(post_plain(replicas[0], openid, _message_xml(openid, content="产假多少天")))  # her channel is WeChat
    for i, stack in enumerate(replicas):
        r = httpx.post(f"{stack.rasa_url}/conversations/wx:{openid}/tracker/events", timeout=30,
                       params={"token": stack.token, "output_channel": "latest", "execute_side_effects": "true"},
                       json=[{"event": "bot", "text": f"维权专员第{i + 1}条回复", "timestamp": time.time()}])
        assert r.status_code == 200, r.text
    sent = wechat_api.wait_sent("/cgi-bin/message/custom/send", openid, count=2)
    assert [m["text"]["content"] for m in sent] == ["维权专员第1条回复", "维权专员第2条回复"]
    with wechat_api.lock:
        fetches = [p for p, _, _ in wechat_api.calls if p == "/cgi-bin/token"]
    assert len(fetches) == 1, "each replica fetched its own access token (and retired the other's)"


def _free_slot(cluster, service: str, capacity: int) -> str:
    """A future slot of `service` with nothing booked, its capacity set; the choose_slot payload."""
    engine = create_engine(cluster.stacks[0].env["APP_DB_URL"])
    try:
        with engine.begin() as conn:
            slot_id = conn.execute(text("SELECT s.id FROM slots s JOIN services v ON v.id = s.service_id "
                                        "WHERE v.name = :name AND s.booked = 0 ORDER BY s.day DESC LIMIT 1"),
                                   {"name": service}).scalar_one()
            conn.execute(text("UPDATE slots SET capacity = :c WHERE id = :id"), {"c": capacity, "id": slot_id})
    finally:
        engine.dispose()
    return f'/choose_slot{{"slot_id":"{slot_id}"}}'


def _steps(cluster, sender: str, steps: list[str], urls: list[str]) -> str:
    """Her messages in turn, each to the next of `urls`; the text of the last reply."""
    replies = [say(cluster, sender, step, urls[i % len(urls)]) for i, step in enumerate(steps)]
    return "\n".join(m.get("text") or "" for m in replies[-1])


def _form(service: str, payload: str) -> list[str]:
    """The booking form up to its confirmation question."""
    return [f"我想预约{service}", payload, "王丽", "13800138000", "深圳某电子厂"]


def _confirmed(cluster, payload: str) -> int:
    slot_id = json.loads(payload.removeprefix("/choose_slot"))["slot_id"]
    engine = create_engine(cluster.stacks[0].env["APP_DB_URL"])
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM bookings WHERE slot_id = :id AND status = 'confirmed'"),
                                {"id": slot_id}).scalar_one()
    finally:
        engine.dispose()


def test_a_booking_form_completes_across_replicas(cluster, replicas):
    payload = _free_slot(cluster, "两癌筛查", 5)
    sender = "form-" + uuid.uuid4().hex[:8]
    urls = [s.rasa_url for s in replicas]
    assert "预约成功" in _steps(cluster, sender, [*_form("两癌筛查", payload), "/affirm"], urls)
    assert _confirmed(cluster, payload) == 1


def test_fifty_workers_race_for_ten_places_through_nginx(cluster):
    payload = _free_slot(cluster, "婚恋交友活动", 10)
    senders = [f"race-{uuid.uuid4().hex[:8]}" for _ in range(50)]
    with concurrent.futures.ThreadPoolExecutor(10) as pool:  # everyone at the confirmation question
        list(pool.map(lambda s: _steps(cluster, s, _form("婚恋交友活动", payload), [cluster.url]), senders))
    with concurrent.futures.ThreadPoolExecutor(25) as pool:  # then all confirm at once, on both replicas
        finals = list(pool.map(lambda s: _steps(cluster, s, ["/affirm"], [cluster.url]), senders))
    assert sum("预约成功" in r for r in finals) == 10
    assert sum("已满" in r for r in finals) == 40
    assert _confirmed(cluster, payload) == 10


def test_250_simultaneous_messages_of_one_sender_on_both_replicas_are_all_kept_and_answered(cluster):
    sender = "burst-" + uuid.uuid4().hex[:8]
    messages = [f"产假有多少天 第{i}次" for i in range(250)]
    with concurrent.futures.ThreadPoolExecutor(50) as pool:  # nginx sends them round-robin to both replicas
        replies = list(pool.map(lambda m: say(cluster, sender, m, timeout=600), messages))
    assert all(any(m.get("text") for m in reply) for reply in replies), "an empty reply"
    events = _tracker(cluster.stacks[0], sender)
    assert sorted(e["text"] for e in events if e["event"] == "user") == sorted(messages)
    # every turn ran whole, one after another: after each message the bot answered before the next one
    turns = [e["event"] for e in events if e["event"] in ("user", "bot")]
    assert all(turns[i + 1] == "bot" for i, kind in enumerate(turns) if kind == "user")


def test_a_replica_killed_mid_turn_leaves_her_conversation_to_the_other_within_5_s(cluster):
    """Runs last: it kills replica 1 (SIGKILL, in the middle of her turn, holding her lock)."""
    victim = cluster.stacks[0]
    sender = "killed-" + uuid.uuid4().hex[:8]
    assert say(cluster, sender, "生孩子能休多少天产假")
    in_flight = threading.Thread(target=_ignore_errors, args=(say, cluster, sender, "那广东呢", victim.rasa_url))
    in_flight.start()
    deadline = time.monotonic() + 30
    while not _holds_lock(cluster, sender):  # the victim is inside her turn
        assert time.monotonic() < deadline, "the victim never took her lock"
        time.sleep(0.01)
    _kill(victim)
    killed = time.monotonic()
    answer = " ".join(m.get("text", "") for m in say(cluster, sender, "我在广东工作，产假一共多少天", timeout=30))
    waited = time.monotonic() - killed
    in_flight.join()
    assert answer.strip() and waited < 5, (waited, answer)
    texts = [e["text"] for e in _tracker(cluster.stacks[1], sender) if e["event"] == "user"]
    assert texts[0] == "生孩子能休多少天产假" and texts[-1] == "我在广东工作，产假一共多少天"


def _holds_lock(cluster, sender: str) -> bool:
    red = redis.Redis(host="127.0.0.1", port=cluster.services[1].port, password=cluster.password)
    return bool(red.zcard(f"wra:lock:{sender}:queue"))


def _kill(stack) -> None:
    os.killpg(stack.procs["rasa"].pid, signal.SIGKILL)


def _ignore_errors(call, *args) -> None:
    try:
        call(*args)
    except httpx.HTTPError:
        pass  # the replica died under it: that message is lost with the replica, as the client sees
