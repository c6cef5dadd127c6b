"""The WeChat Official Account and WeCom channels configured against a local stand-in for their API.

One definition for every suite that starts a stack with both channels (integration, trust boundaries,
hostile input, the cluster): the credentials, the stand-in that records every call, and the settings
that point both channels at it.
"""
from __future__ import annotations

import base64
import json
import os
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

TOKEN = "wx-test-token"
AES_KEY = base64.b64encode(os.urandom(32)).decode().rstrip("=")
APPID = "wx1234567890abcdef"
CORP_ID = "ww1234567890abcdef"
WECOM_TOKEN = "wecom-test-token"
WECOM_AES_KEY = base64.b64encode(os.urandom(32)).decode().rstrip("=")
AGENT_ID = "1000002"


class FakeWeChatApi:
    """Stands in for api.weixin.qq.com and qyapi.weixin.qq.com; records every call."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict, dict]] = []  # (path, query, json body)
        self.fail_next: list[int] = []  # errcodes to answer the next message sends with
        self.token_delay = 0.0  # seconds an access token takes: callers that fetch at once overlap
        self.lock = threading.Lock()
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _answer(self, payload: dict) -> None:
                body = json.dumps(payload).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _handle(self) -> None:
                url = urlparse(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}") if length else {}
                with api.lock:
                    api.calls.append((url.path, query, body))
                    fail = api.fail_next.pop(0) if url.path.endswith("/send") and api.fail_next else None
                if url.path in ("/cgi-bin/token", "/cgi-bin/gettoken"):
                    time.sleep(api.token_delay)
                    self._answer({"access_token": f"AT-{uuid.uuid4().hex[:8]}", "expires_in": 7200})
                elif fail:
                    self._answer({"errcode": fail, "errmsg": "simulated"})
                else:
                    self._answer({"errcode": 0, "errmsg": "ok"})

            do_GET = do_POST = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def __enter__(self) -> FakeWeChatApi:
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()

    def sent(self, path: str, user: str) -> list[dict]:
        with self.lock:
            return [b for p, _, b in self.calls if p == path and b.get("touser") == user]

    def wait_sent(self, path: str, user: str, count: int = 1, timeout: float = 30) -> list[dict]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.sent(path, user)
            if len(found) >= count:
                time.sleep(0.5)  # let any further parts arrive
                return self.sent(path, user)
            time.sleep(0.1)
        raise AssertionError(f"nothing sent to {path} for {user}: {self.calls}")


def channel_settings(api: FakeWeChatApi, **more: str) -> dict[str, str]:
    """The settings of both channels, their API at `api`, plus `more`; for start_stack or a Cluster."""
    base = f"http://127.0.0.1:{api.port}/"
    return dict(WECHAT_TOKEN=TOKEN, WECHAT_AES_KEY=AES_KEY, WECHAT_APPID=APPID, WECHAT_SECRET="wx-secret",
                WECHAT_API_BASE=base, WECOM_CORP_ID=CORP_ID, WECOM_SECRET="wecom-secret", WECOM_AGENT_ID=AGENT_ID,
                WECOM_TOKEN=WECOM_TOKEN, WECOM_AES_KEY=WECOM_AES_KEY, WECOM_API_BASE=base, **more)
