"""What a deployer of several replicas sets up, on a real PostgreSQL and Redis whose password needs
escaping: the application database migrates and seeds on PostgreSQL from the app environment, the
purge reaches a PostgreSQL tracker store, and Rasa's stores take every connection setting."""
import os
import subprocess
import time

import redis
from sqlalchemy import create_engine, text

from servers import ROOT

APP_PY, RASA_PY = str(ROOT / ".venv/bin/python"), str(ROOT / ".venv-rasa/bin/python")


def _run(python: str, args: list[str], env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([python, *args], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT), **env},
                          capture_output=True, text=True, timeout=300)


def test_the_app_database_migrates_and_seeds_on_postgresql(postgres, tmp_path):
    url = postgres.create_database("app_migrate").render_as_string(hide_password=False)
    env = {"APP_DB_URL": url, "VAR_DIR": str(tmp_path)}
    for command in ("upgrade", "seed"):
        done = _run(APP_PY, ["-m", "appdb", command], env)
        assert done.returncode == 0, done.stderr[-2000:]
    engine = create_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM slots")).scalar() > 0
    engine.dispose()


def _tracker_env(postgres, database: str, tmp_path, **extra: str) -> dict:
    return {"TRACKER_DIALECT": "postgresql", "TRACKER_HOST": "127.0.0.1", "TRACKER_PORT": str(postgres.port),
            "TRACKER_USER": postgres.user, "TRACKER_PASSWORD": postgres.password, "TRACKER_DB": database,
            "VAR_DIR": str(tmp_path), **extra}


STORE_EVENT = """
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from bot.stores import ConfiguredTrackerStore
import asyncio
store = ConfiguredTrackerStore()
asyncio.run(store.save(DialogueStateTracker.from_events("old-one", [UserUttered("你好", timestamp=1000.0)])))
print(store.engine.url.query.get("sslmode", ""))
"""


def test_the_rasa_tracker_store_and_the_purge_reach_postgresql_with_that_password(postgres, tmp_path):
    postgres.create_database("tracker_purge")
    env = _tracker_env(postgres, "tracker_purge", tmp_path, TRACKER_SSLMODE="disable",
                       APP_DB_URL=f"sqlite:///{tmp_path / 'app.db'}")
    saved = _run(RASA_PY, ["-c", STORE_EVENT], env)
    assert saved.returncode == 0 and saved.stdout.strip() == "disable", saved.stderr[-2000:]
    assert _run(APP_PY, ["-m", "appdb", "upgrade"], env).returncode == 0
    purged = _run(APP_PY, ["-m", "appdb", "purge", "--days", "30"], env)
    assert purged.returncode == 0, purged.stderr[-2000:]
    assert "1 conversations (1 events)" in purged.stdout, purged.stdout
    engine = create_engine(postgres.url("tracker_purge"))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM events WHERE sender_id = 'old-one'")).scalar() == 0
    engine.dispose()


def test_the_tracker_store_honours_sslmode(postgres, tmp_path):
    """The test server has no TLS, so `require` must fail to connect: proof the mode reaches libpq."""
    postgres.create_database("tracker_ssl")
    refused = _run(RASA_PY, ["-c", STORE_EVENT], _tracker_env(postgres, "tracker_ssl", tmp_path,
                                                              TRACKER_SSLMODE="require"))
    assert refused.returncode != 0 and "SSL" in refused.stderr


HOLD_A_LOCK = """
import asyncio, time
from bot.stores import ConfiguredLockStore
async def main():
    async with ConfiguredLockStore().lock("who-holds"):
        print("held", flush=True)
        time.sleep(5)
asyncio.run(main())
"""


def test_the_lock_store_uses_the_redis_password_db_and_key_prefix(redis_server, tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "VAR_DIR": str(tmp_path), "LOCK_STORE": "redis",
           "REDIS_HOST": "127.0.0.1", "REDIS_PORT": str(redis_server.port), "REDIS_PASSWORD": redis_server.password,
           "REDIS_DB": "7", "REDIS_KEY_PREFIX": "unionA:"}
    holder = subprocess.Popen([RASA_PY, "-c", HOLD_A_LOCK], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held", holder.stderr.read()[-2000:]
        db7 = redis.Redis(host="127.0.0.1", port=redis_server.port, password=redis_server.password, db=7)
        assert db7.zcard("unionA:lock:who-holds:queue") == 1, db7.keys("*")
    finally:
        holder.kill()
        holder.wait()


def test_tls_is_asked_for_when_redis_tls_is_on(redis_server, tmp_path):
    """The test Redis speaks plain TCP, so a TLS handshake fails: proof REDIS_TLS reaches the client."""
    env = {"VAR_DIR": str(tmp_path), "LOCK_STORE": "redis", "REDIS_HOST": "127.0.0.1",
           "REDIS_PORT": str(redis_server.port), "REDIS_PASSWORD": redis_server.password, "REDIS_TLS": "on"}
    started = time.monotonic()
    tried = _run(RASA_PY, ["-c", HOLD_A_LOCK], env)
    assert tried.returncode != 0 and "SSL" in tried.stderr.upper() and "held" not in tried.stdout
    assert time.monotonic() - started < 60
