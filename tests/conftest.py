import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))


import pytest  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps trying to reach Google's hosts, which this
# closed network refuses (see the machine notes); no sandbox because CI runs as root.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--disable-quic"]


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium driven by playwright (`make browser` installs it); no download."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser`")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def full_stack(tmp_path_factory):
    """Rasa + action server + console with the test ACCOUNTS: the widget, officer-console and
    dashboard tests share one (starting Rasa is the slow part)."""
    from servers import ROOT as root, start_stack
    from staff import create_accounts

    if not (root / "console/widget/public/socket.io.min.js").is_file():
        pytest.fail("the widget is not built: run `make widget`")
    stack = start_stack(tmp_path_factory.mktemp("full-stack"))
    try:
        create_accounts(stack.env)
        stack.start_console()
        yield stack
    finally:
        stack.stop_all()
