"""Console accounts and logged-in HTTP clients for the console tests.

`login` goes through the real login form (its double-submit CSRF cookie included) and keeps the
session cookie; `csrf` reads the session's token from the page, as the browser's forms carry it.
"""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery"
# username -> role; two curators, because a curator may not review her own draft
ACCOUNTS = {"admin": "admin", "cora": "curator", "carl": "curator", "olga": "officer", "otto": "officer"}
_CSRF = re.compile(r'name="csrf[-_]token"[^>]*(?:value|content)="([^"]+)"')


def create_accounts(env: dict) -> None:
    for username, role in ACCOUNTS.items():
        subprocess.run([str(ROOT / ".venv/bin/python"), "-m", "appdb", "create-user", username, "--role", role,
                        "--password-stdin"], input=PASSWORD, text=True, cwd=ROOT, env=env, check=True,
                       capture_output=True)


def start_console(var_dir: Path, **overrides: str):
    """A running console (uvicorn) on its own migrated, seeded database with ACCOUNTS, no Rasa."""
    from servers import make_stack, prepare_database

    stack = make_stack(var_dir, **overrides)
    prepare_database(stack)
    create_accounts(stack.env)
    try:
        stack.start_console()
    except Exception:
        stack.stop_all()
        raise
    return stack


def csrf_of(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


class StaffClient(httpx.Client):
    """An httpx client logged in as one account; `post` adds the CSRF token to form posts."""

    csrf_token: str = ""

    def form(self, url: str, data: dict | None = None, **kwargs) -> httpx.Response:
        return self.post(url, data={"csrf_token": self.csrf_token, **(data or {})}, **kwargs)


def login(base_url: str, username: str, password: str = PASSWORD) -> StaffClient:
    client = StaffClient(base_url=base_url, timeout=60)
    page = client.get("/admin/login")
    r = client.post("/admin/login", data={"username": username, "password": password,
                                          "csrf_token": csrf_of(page.text), "next": "/admin"})
    assert r.status_code == 303, f"login of {username} failed: {r.status_code} {r.text[:300]}"
    client.csrf_token = csrf_of(client.get("/admin/dashboard").text)
    return client


def submit(client: StaffClient, url: str, data: dict | None = None) -> httpx.Response:
    """Post a form as the browser does, and land where its redirect leads."""
    return client.form(url, data, follow_redirects=True)


def flash_of(response: httpx.Response) -> str:
    """The one-line message (?msg= / ?err=) the page shows after a form was posted."""
    found = re.search(r'class="flash (?:ok|err)"[^>]*>([^<]+)<', response.text)
    return found.group(1) if found else ""
