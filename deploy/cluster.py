"""The scaled deployment on one machine, in one command: `make cluster` (REPLICAS=2 by default).

PostgreSQL (tracker store and application database), Redis (lock store, socket.io manager), one
action server, N Rasa replicas, the console and nginx in front of the replicas (deploy/nginx.conf),
each a process of this command with its files under one folder, all on loopback. The replicas are
started by the same code as the tests' servers (deploy/processes.py, the Procfile's commands); the
cluster tests (tests/cluster/test_replicas.py) start this very class. On several hosts the same
pieces run with the settings of the README's 多副本部署 section.

    python -m deploy.cluster [--replicas N] [--folder var/cluster]
"""
from __future__ import annotations

import argparse
import secrets
import signal
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, text

from deploy.services import Nginx, Postgres, Redis
from settings import _persistent_secret
from deploy.processes import Stack, make_stack, prepare_database


def _database(postgres: Postgres, name: str) -> str:
    """The database `name`, created unless it exists; its URL with the password escaped."""
    engine = create_engine(postgres.url(), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar()
    finally:
        engine.dispose()
    url = postgres.url(name) if exists else postgres.create_database(name)
    return url.render_as_string(hide_password=False)


@dataclass
class Cluster:
    root: Path
    replicas: int = 2
    password: str = ""  # of PostgreSQL and Redis: kept in the folder, as the databases are
    # hex: a token starting with "-" would be read as an option by `rasa run --auth-token`
    rest_token: str = field(default_factory=lambda: secrets.token_hex(18))
    settings: dict[str, str] = field(default_factory=dict)  # more settings for every process (WECHAT_*, …)
    stacks: list[Stack] = field(default_factory=list)
    services: list = field(default_factory=list)

    @property
    def url(self) -> str:
        """nginx: where clients, the console and the widget reach Rasa."""
        return f"http://127.0.0.1:{self.nginx.port}"

    def start(self) -> Cluster:
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.root.chmod(0o711)  # PostgreSQL's user must pass through to its own folder
        self.password = self.password or _persistent_secret(self.root / "password")
        postgres = Postgres(self.root / "postgres", self.password).start()
        redis = Redis(self.root / "redis", self.password)
        self.services = [postgres, redis]
        redis.start()
        shared = {"TRACKER_DIALECT": "postgresql", "TRACKER_HOST": "127.0.0.1", "TRACKER_PORT": str(postgres.port),
                  "TRACKER_USER": postgres.user, "TRACKER_PASSWORD": postgres.password,
                  "TRACKER_DB": "rasa", "APP_DB_URL": "",
                  "LOCK_STORE": "redis", "REDIS_HOST": "127.0.0.1", "REDIS_PORT": str(redis.port),
                  "REDIS_PASSWORD": redis.password, "RASA_TOKEN": secrets.token_hex(18),
                  "REST_TOKEN": self.rest_token, **self.settings}
        _database(postgres, "rasa")
        shared["APP_DB_URL"] = _database(postgres, "appdb")
        self.stacks = [make_stack(self.root / f"replica-{i + 1}", **shared) for i in range(self.replicas)]
        first = self.stacks[0]
        for stack in self.stacks[1:]:
            stack.env["ACTION_ENDPOINT"] = first.env["ACTION_ENDPOINT"]  # one action server for all
        prepare_database(first)
        first.start_actions()
        failures: list[BaseException] = []
        threads = [threading.Thread(target=self._start_rasa, args=(stack, failures)) for stack in self.stacks]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if failures:
            raise failures[0]
        self.nginx = Nginx(self.root / "nginx", [stack.rasa_port for stack in self.stacks]).start()
        self.services.append(self.nginx)
        first.env["RASA_URL"] = self.url  # the console's officer replies go through the load balancer
        first.start_console()

    @staticmethod
    def _start_rasa(stack: Stack, failures: list[BaseException]) -> None:
        try:
            stack.start_rasa()
        except BaseException as error:  # noqa: BLE001 (raised again by _start)
            failures.append(error)

    def stop(self) -> None:
        for stack in self.stacks:
            stack.stop_all()
        for service in reversed(self.services):
            service.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--folder", type=Path, default=Path("var/cluster"))
    args = parser.parse_args(argv)
    cluster = Cluster(args.folder.resolve(), args.replicas).start()
    first = cluster.stacks[0]
    print(f"Rasa (nginx): {cluster.url}   console: http://127.0.0.1:{first.console_port}/admin\n"
          f"replicas: {', '.join(s.rasa_url for s in cluster.stacks)}   REST_TOKEN: {cluster.rest_token}\n"
          f"RASA_TOKEN: {first.token}   files and logs: {args.folder}   Ctrl-C stops everything", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        signal.pause()
    except KeyboardInterrupt:
        pass
    finally:
        cluster.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
