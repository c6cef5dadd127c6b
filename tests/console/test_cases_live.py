"""The inbox's unread marker and summary line, and the live streams behind login and the officer
role, over HTTP against the real console process and its database (no Rasa here: the browser test,
test_cases_live_browser.py, covers her messages arriving live)."""
from __future__ import annotations

import json
import threading
import time

import httpx

from appdb import cases
from staff import PASSWORD, login, start_console
from test_cases import new_case, row

PHONE = "13812345678"


def first_event(client: httpx.Client, url: str, **params) -> tuple[str, dict]:
    """The first named event of a server-sent event stream (the stream is then closed)."""
    with client.stream("GET", url, params=params, timeout=30) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        name = ""
        for line in response.iter_lines():
            if line.startswith("event: "):
                name = line[len("event: "):]
            elif line.startswith("data: ") and name:
                return name, json.loads(line[len("data: "):])
    raise AssertionError("the stream ended without an event")


def test_unread_until_she_opens_it_and_again_when_the_worker_writes(on_console_db, as_user):
    tag = "live" + new_case()[-4:].lower()
    code = new_case(tag)
    olga, otto = as_user("olga"), as_user("otto")
    mine = row(olga.get("/admin/cases", params={"category": tag}).text, code)
    assert "未读" in mine and "怀孕后被通知调岗降薪" in mine  # new: her story is the summary line

    assert olga.get(f"/admin/cases/{code}").status_code == 200  # she has seen it; otto has not
    assert "未读" not in row(olga.get("/admin/cases", params={"category": tag}).text, code)
    assert "未读" in row(otto.get("/admin/cases", params={"category": tag}).text, code)

    cases.worker_wrote(cases.by_code(code).sender_id, f"公司又找我谈话，回电{PHONE}")
    mine = row(olga.get("/admin/cases", params={"category": tag}).text, code)
    assert "未读" in mine and "公司又找我谈话" in mine and "138****5678" in mine, mine
    assert PHONE not in mine


def test_the_inbox_stream_sends_the_list_as_the_page_shows_it(on_console_db, as_user):
    tag = "live" + new_case()[-4:].lower()
    code = new_case(tag, what=f"老板说明天不用来了，我的电话{PHONE}")
    name, data = first_event(as_user("olga"), "/admin/live/cases", category=tag)
    assert name == "list" and code in data["html"] and "未读" in data["html"]
    assert "老板说明天不用来了" in data["html"] and PHONE not in data["html"]


def test_the_streams_need_an_officer(on_console_db, as_user, console_url):
    code = new_case()
    for url in ("/admin/live/cases", f"/admin/live/cases/{code}"):
        assert as_user("cora").get(url).status_code == 403
        stranger = httpx.get(f"{console_url}{url}", headers={"accept": "text/event-stream"})
        assert stranger.status_code == 303 and "/admin/login" in stranger.headers["location"]
    assert as_user("olga").get("/admin/live/cases/AJ22222222").status_code == 404
    with httpx.Client(base_url=console_url, auth=("olga", PASSWORD)) as basic:  # the API's Basic auth is not a session
        assert basic.get("/admin/live/cases", follow_redirects=False).status_code == 303


def test_an_open_live_page_does_not_hold_up_a_stop(tmp_path):
    """A stream never ends by itself: the console is run with a short graceful-shutdown timeout, so a
    stop (Ctrl-C on `make run`, a deploy) is not kept waiting by an officer's open inbox."""
    stack = start_console(tmp_path)
    try:
        olga = login(f"http://127.0.0.1:{stack.console_port}", "olga")
        opened = threading.Event()

        def watch() -> None:
            try:
                with olga.stream("GET", "/admin/live/cases", timeout=60) as response:
                    for line in response.iter_lines():
                        if line.startswith("event: list"):
                            opened.set()
            except httpx.HTTPError:
                pass  # cut off by the stop: what this test wants

        threading.Thread(target=watch, daemon=True).start()
        assert opened.wait(30)
        started = time.monotonic()
        stack.stop("console")
        assert time.monotonic() - started < 10
    finally:
        stack.stop_all()
