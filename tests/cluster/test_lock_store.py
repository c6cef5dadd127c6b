"""The shared lock store (bot/lock_store.py) across processes, on a real Redis: turns of one
conversation from two processes never run together and none is lost, and a process that dies
holding the lock frees it within the lease (Rasa 3.6's RedisLockStore failed both: overlapping and
lost turns under concurrent tickets, RasaHQ/rasa#9213, and a 60 s block after a crash). Replicas
that start together fetch one WeChat and one WeCom access token between them (bot/channels/shared.py).
"""
import json
import os
import subprocess
import time

import redis

from servers import ROOT
from wechat_stack import FakeWeChatApi, channel_settings

RASA_PY = str(ROOT / ".venv-rasa/bin/python")
WORKER = str(ROOT / "tests/cluster/lock_worker.py")
LEASE = 2.0


def _env(redis_server, tmp_path) -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT), "VAR_DIR": str(tmp_path), "LOCK_STORE": "redis",
            "REDIS_HOST": "127.0.0.1", "REDIS_PORT": str(redis_server.port), "REDIS_PASSWORD": redis_server.password,
            "REDIS_DB": "3", "REDIS_KEY_PREFIX": "locktest:", "LOCK_LEASE_SECONDS": str(LEASE)}


def _probe(redis_server) -> redis.Redis:
    probe = redis.Redis(host="127.0.0.1", port=redis_server.port, password=redis_server.password, db=15)
    probe.flushdb()
    return probe


def test_two_processes_never_hold_one_conversation_together_and_lose_no_turn(redis_server, tmp_path):
    probe = _probe(redis_server)
    env = _env(redis_server, tmp_path)
    workers = [subprocess.Popen([RASA_PY, WORKER, "same-sender", "60", "0.005"], env=env, cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    for worker in workers:
        _, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err[-2000:]
    errors = [e.decode() for e in probe.lrange("probe:errors", 0, -1)]
    assert errors == [] and int(probe.get("probe:overlaps") or 0) == 0
    assert int(probe.get("probe:done")) == 120
    store = redis.Redis(host="127.0.0.1", port=redis_server.port, password=redis_server.password, db=3)
    assert store.keys("*") == [] or all(k.startswith(b"locktest:lock:same-sender") for k in store.keys("*"))
    assert not store.zcard("locktest:lock:same-sender:queue"), "every ticket is released"


def test_a_process_killed_holding_the_lock_frees_it_within_the_lease(redis_server, tmp_path):
    probe = _probe(redis_server)
    env = _env(redis_server, tmp_path)
    queue = redis.Redis(host="127.0.0.1", port=redis_server.port, password=redis_server.password, db=3)
    def worker(hold: str) -> subprocess.Popen:
        return subprocess.Popen([RASA_PY, WORKER, "dies-mid-turn", "1", hold], env=env, cwd=ROOT,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    holder = worker("-1")
    assert holder.stdout.readline().strip() == "held", holder.stderr.read()[-2000:]
    successor = worker("0")  # started only once the holder holds: it must queue behind it
    deadline = time.monotonic() + 60
    while queue.zcard("locktest:lock:dies-mid-turn:queue") < 2:  # the successor waits its turn
        assert time.monotonic() < deadline and successor.poll() is None, successor.stderr.read()[-2000:]
        time.sleep(0.05)
    holder.kill()
    holder.wait()
    killed = time.monotonic()
    assert successor.stdout.readline().strip() == "held", successor.stderr.read()[-2000:]
    waited = time.monotonic() - killed
    assert successor.wait(timeout=30) == 0
    assert int(probe.get("probe:done")) == 1 and probe.lrange("probe:errors", 0, -1) == []
    assert waited < LEASE + 1, f"the dead holder's lock blocked the conversation for {waited:.1f} s"


def test_replicas_starting_together_fetch_one_access_token_between_them(redis_server, tmp_path):
    """Each fetch retires the token before it: two fetches leave one replica pushing with a dead token."""
    with FakeWeChatApi() as api:
        api.token_delay = 0.5  # the first fetch is still under way when the others ask
        env = {**_env(redis_server, tmp_path), "REDIS_DB": "4", **channel_settings(api)}
        redis.Redis(host="127.0.0.1", port=redis_server.port, password=redis_server.password, db=4).flushdb()
        workers = [subprocess.Popen([RASA_PY, str(ROOT / "tests/cluster/token_worker.py")], env=env, cwd=ROOT,
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                   for _ in range(3)]
        try:
            for worker in workers:
                assert worker.stdout.readline().strip() == "ready", worker.stderr.read()[-2000:]
            for worker in workers:
                worker.stdin.write("go\n")
                worker.stdin.flush()
            tokens = [json.loads(worker.stdout.readline() or "{}") for worker in workers]
        finally:
            for worker in workers:
                worker.kill()
                worker.wait()
        with api.lock:
            fetched = [path for path, _, _ in api.calls]
    assert sorted(fetched) == ["/cgi-bin/gettoken", "/cgi-bin/token"], fetched
    assert all(t == tokens[0] for t in tokens) and set(tokens[0]) == {"wechat", "wecom"}, tokens
