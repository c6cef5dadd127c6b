"""A real console (uvicorn) on its own database for the console tests, with one account per role."""
import pytest
from sqlalchemy.orm import Session

from appdb.session import make_engine
from staff import login, start_console


@pytest.fixture(scope="session")
def console(tmp_path_factory):
    stack = start_console(tmp_path_factory.mktemp("console"))
    yield stack
    stack.stop_all()


@pytest.fixture(scope="session")
def console_url(console):
    return f"http://127.0.0.1:{console.console_port}"


@pytest.fixture
def as_user(console_url):
    """as_user("cora") -> a client logged in as cora (closed after the test)."""
    clients = []

    def make(username: str):
        client = login(console_url, username)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def app_db(console):
    """A SQLAlchemy session on the console's own database, to put in rows and read them back."""
    engine = make_engine(console.env["APP_DB_URL"])
    with Session(engine) as session:
        yield session
    engine.dispose()


@pytest.fixture
def on_console_db(console, monkeypatch):
    """Point this test process's appdb functions (appdb.cases, appdb.booking …) at the console's database."""
    from appdb.session import reset_engine

    monkeypatch.setenv("APP_DB_URL", console.env["APP_DB_URL"])
    reset_engine()
    yield
    reset_engine()
