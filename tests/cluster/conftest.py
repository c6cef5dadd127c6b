"""Real PostgreSQL and Redis for the scaled-deployment tests (Debian packages, `make cluster-packages`),
each in a folder of its own on a free loopback port with a password that needs escaping."""
import shutil
import tempfile
from pathlib import Path

import pytest

from deploy.services import Postgres, Redis

# Characters that break a URL written by hand: the stores must pass them through intact.
PASSWORD = "p@ss:w/rd%#?"


@pytest.fixture(scope="session")
def postgres(tmp_path_factory):
    if not shutil.which("pg_isready"):
        pytest.fail("PostgreSQL is missing: run `make cluster-packages`")
    folder = Path(tempfile.mkdtemp(prefix="wra-postgres-"))  # pytest's own tmp is closed to the postgres user
    server = Postgres(folder, PASSWORD).start()
    yield server
    server.stop()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    if not shutil.which("redis-server"):
        pytest.fail("Redis is missing: run `make cluster-packages`")
    server = Redis(tmp_path_factory.mktemp("redis"), PASSWORD).start()
    yield server
    server.stop()
