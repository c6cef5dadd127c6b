"""The project's own processes (Rasa server, action server, console), started as the Procfile runs them.

Both the scaled deployment (deploy/cluster.py, `make cluster`) and the tests (tests/servers.py) start
them: each set gets its own ports and its own var/ directory, so neither touches a running `make run`.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def current_model() -> Path:
    """The model `make train` produced for the current inputs (newest in models/)."""
    env_model = os.environ.get("RASA_MODEL")
    if env_model:
        return ROOT / env_model
    models = sorted((ROOT / "models").glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not models:
        raise RuntimeError("no trained model: run `make train`")
    return models[-1]


@dataclass
class Stack:
    """A running pair of servers plus how to reach them."""

    var_dir: Path
    env: dict
    rasa_port: int = field(default_factory=free_port)
    action_port: int = field(default_factory=free_port)
    console_port: int = field(default_factory=free_port)
    procs: dict = field(default_factory=dict)
    logs: dict = field(default_factory=dict)

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def token(self) -> str:
        return self.env["RASA_TOKEN"]

    def _spawn(self, name: str, cmd: list[str]) -> None:
        log = open(self.var_dir / f"{name}.log", "ab")
        self.logs[name] = self.var_dir / f"{name}.log"
        self.procs[name] = subprocess.Popen(cmd, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)

    def start_actions(self) -> None:
        self._spawn("actions", [str(ROOT / ".venv/bin/python"), "-m", "rasa_sdk", "--actions", "actions",
                                "--port", str(self.action_port)])
        self._wait(f"http://127.0.0.1:{self.action_port}/health", "actions")

    def start_console(self) -> None:
        # As the Procfile: open live pages (server-sent events, console/admin/live.py) never end by
        # themselves, so a stop gives them 3 s and the browsers reconnect to the next console.
        self._spawn("console", [str(ROOT / ".venv/bin/uvicorn"), "console.app:app", "--host", "127.0.0.1",
                                "--port", str(self.console_port), "--timeout-graceful-shutdown", "3"])
        self._wait(f"http://127.0.0.1:{self.console_port}/healthz", "console")

    def start_rasa(self) -> None:
        self._spawn("rasa", [str(ROOT / ".venv-rasa/bin/rasa"), "run", "--model", str(current_model()),
                             "--endpoints", "bot/endpoints.yml", "--credentials", "bot/credentials.yml",
                             "--enable-api", "--auth-token", self.token, "--port", str(self.rasa_port),
                             "--cors", "*"])
        self._wait(f"{self.rasa_url}/status?token={self.token}", "rasa", lambda r: r.json().get("model_file"))

    def _wait(self, url: str, name: str, ready=lambda r: True, timeout: float = 240) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.procs[name].poll() is not None:
                raise RuntimeError(f"{name} exited:\n{self.logs[name].read_text()[-3000:]}")
            try:
                r = httpx.get(url, timeout=2)
                if r.status_code == 200 and ready(r):
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"{name} did not start:\n{self.logs[name].read_text()[-3000:]}")

    def stop(self, name: str, sig: int = signal.SIGTERM) -> None:
        proc = self.procs.pop(name, None)
        if proc and proc.poll() is None:
            os.killpg(proc.pid, sig)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()

    def stop_all(self) -> None:
        for name in list(self.procs):
            self.stop(name)

    def say(self, sender: str, message, timeout: float = 30) -> list[dict]:
        r = httpx.post(f"{self.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": message},
                       timeout=timeout)
        r.raise_for_status()
        return r.json()


def make_stack(var_dir: Path, **overrides: str) -> Stack:
    """A stack's settings (its own ports, var/ directory and SQLite databases unless `overrides` say
    otherwise); nothing started yet."""
    var_dir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "VAR_DIR": str(var_dir), "HF_HUB_OFFLINE": "1",
           "TRANSFORMERS_OFFLINE": "1", "TF_CPP_MIN_LOG_LEVEL": "2", "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
           "TRACKER_DB": str(var_dir / "tracker.db"), "APP_DB_URL": f"sqlite:///{var_dir / 'app.db'}",
           "RASA_TOKEN": "test-token", **overrides}
    stack = Stack(var_dir, env)
    stack.env["ACTION_PORT"] = str(stack.action_port)
    stack.env["ACTION_ENDPOINT"] = f"http://127.0.0.1:{stack.action_port}/webhook"
    stack.env["RASA_URL"] = stack.rasa_url
    return stack


def prepare_database(stack: Stack) -> None:
    """Migrate and seed this stack's own application database, as `make db` does."""
    for command in ("upgrade", "seed"):
        subprocess.run([str(ROOT / ".venv/bin/python"), "-m", "appdb", command], cwd=ROOT, env=stack.env,
                       check=True, capture_output=True)
