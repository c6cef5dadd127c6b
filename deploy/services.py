"""PostgreSQL, Redis and nginx from Debian's packages, run as plain processes in one folder on loopback.

The scaled deployment on one machine and the tests that prove it need real servers that start and
stop with them, never the machine's own services: each gets a folder, a free port and a password.
As root, PostgreSQL runs as the `postgres` user the package creates (it refuses to run as root).
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import URL

from deploy.processes import free_port


def _postgres_bin() -> Path:
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"), key=lambda p: int(p.parent.parent.name))
    if not versions:
        raise RuntimeError("PostgreSQL is not installed: run `make cluster-packages`")
    return versions[-1].parent


def _as_db_user(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


def _wait(ready, what: str, proc: subprocess.Popen, log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited:\n{log.read_text(errors='replace')[-2000:]}")
        if ready():
            return
        time.sleep(0.2)
    raise RuntimeError(f"{what} did not start:\n{log.read_text(errors='replace')[-2000:]}")


@dataclass
class Postgres:
    """A PostgreSQL cluster of its own; `user` is its superuser, with a password (scram-sha-256)."""

    root: Path
    password: str
    user: str = "wra"
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen | None = None

    def start(self) -> Postgres:
        self.root.mkdir(parents=True, exist_ok=True)
        data, log, pwfile = self.root / "data", self.root / "postgres.log", self.root / "pwfile"
        pwfile.write_text(self.password)
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
            shutil.chown(pwfile, "postgres")
        if not data.exists():
            subprocess.run(_as_db_user([str(_postgres_bin() / "initdb"), "-D", str(data), "-U", self.user,
                                        f"--pwfile={pwfile}", "--auth=scram-sha-256", "-E", "UTF8",
                                        "--locale=C.UTF-8"]), check=True, capture_output=True)
        pwfile.unlink()
        with open(log, "ab") as out:
            self.proc = subprocess.Popen(
                _as_db_user([str(_postgres_bin() / "postgres"), "-D", str(data), "-p", str(self.port),
                             "-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={self.root}",
                             "-c", "max_connections=200", "-c", "fsync=off"]),
                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        _wait(self._ready, "PostgreSQL", self.proc, log)
        return self

    def _ready(self) -> bool:
        return subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1", "-p", str(self.port)]).returncode == 0

    def url(self, database: str = "postgres") -> URL:
        return URL.create("postgresql", username=self.user, password=self.password, host="127.0.0.1",
                          port=self.port, database=database)

    def create_database(self, name: str) -> URL:
        """An empty database, as a deployer makes one (`CREATE DATABASE`); its URL."""
        from sqlalchemy import create_engine, text

        engine = create_engine(self.url(), isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        finally:
            engine.dispose()
        return self.url(name)

    def stop(self) -> None:
        _stop(self.proc)


@dataclass
class Redis:
    """A Redis server with a password and no persistence (locks and channel state are short-lived)."""

    root: Path
    password: str
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen | None = None

    def start(self) -> Redis:
        self.root.mkdir(parents=True, exist_ok=True)
        log = self.root / "redis.log"
        conf = self.root / "redis.conf"  # the password in a file, not on the command line
        conf.write_text(f"port {self.port}\nbind 127.0.0.1\nrequirepass \"{self.password}\"\ndir {self.root}\n"
                        "save \"\"\nappendonly no\n")
        conf.chmod(0o600)
        with open(log, "ab") as out:
            self.proc = subprocess.Popen(["redis-server", str(conf)], stdout=out, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        _wait(self._ready, "Redis", self.proc, log)
        return self

    def _ready(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                return s.recv(64).startswith((b"+PONG", b"-NOAUTH"))
        except OSError:
            return False

    def stop(self) -> None:
        _stop(self.proc)


@dataclass
class Nginx:
    """nginx in front of the Rasa replicas, with the project's deploy/nginx.conf."""

    root: Path
    replicas: list[int]  # their ports on 127.0.0.1
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen | None = None

    def start(self) -> Nginx:
        self.root.mkdir(parents=True, exist_ok=True)
        servers = "\n".join(f"    server 127.0.0.1:{p} max_fails=1 fail_timeout=5s;" for p in self.replicas)
        site = (Path(__file__).with_name("nginx.conf").read_text(encoding="utf-8")
                .replace("{{WIDGET_SERVERS}}", servers).replace("{{ANY_SERVERS}}", servers)
                .replace("{{LISTEN}}", f"127.0.0.1:{self.port}").replace("{{ACCESS_LOG}}", str(self.access_log)))
        (self.root / "site.conf").write_text(site, encoding="utf-8")
        temp = "".join(f"    {kind}_temp_path {self.root / kind};\n" for kind in
                       ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        (self.root / "nginx.conf").write_text(
            ("user root;\n" if os.geteuid() == 0 else "") + f"pid {self.root / 'nginx.pid'};\n"
            f"error_log {self.root / 'error.log'} warn;\nworker_processes 1;\nevents {{}}\n"
            f"http {{\n    access_log off;\n{temp}    include {self.root / 'site.conf'};\n}}\n")
        log = self.root / "error.log"
        log.touch()
        self.proc = subprocess.Popen(["nginx", "-p", str(self.root), "-c", str(self.root / "nginx.conf"),
                                      "-g", "daemon off;"], stdout=open(log, "ab"), stderr=subprocess.STDOUT,
                                     start_new_session=True)
        _wait(self._ready, "nginx", self.proc, log)
        return self

    @property
    def access_log(self) -> Path:
        """One line a request: time, client address, the replica that served it, status, method, path."""
        return self.root / "access.log"

    def _ready(self) -> bool:
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
            return True
        except OSError:
            return False

    def stop(self) -> None:
        _stop(self.proc)


def _stop(proc: subprocess.Popen | None) -> None:
    if proc and proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
