"""A real console (uvicorn) on its own database for the console tests, with one account per role."""
import pytest

from servers import make_stack, prepare_database
from staff import create_accounts, login


@pytest.fixture(scope="session")
def console(tmp_path_factory):
    stack = make_stack(tmp_path_factory.mktemp("console"))
    prepare_database(stack)
    create_accounts(stack.env)
    stack.start_console()
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
