"""The web application (port 8000): the public page with the chat widget (console/public.py), the
officers' HTTP API (console/officer_api.py), and the staff console under /admin (console/admin/),
server-rendered from console/templates with console/static; all share the application database
(appdb) and the knowledge library."""
from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import unquote_plus, urlencode

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from console import public
from console.admin import router as admin_router
from console.auth import CsrfRejected, Forbidden, LoginRequired
from console.officer_api import router as officer_router
from console.templating import render
from knowledge.privacy import install_log_masking, mask
from settings import get_settings

STATIC = Path(__file__).resolve().parent / "static"


class MaskedAccessLog(logging.Filter):
    """Phone and ID numbers out of the access log: a hit-test question or a filter in a URL may
    carry one. The path is decoded first, so "%B7" before a number cannot hide it from the mask."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and len(record.args) >= 3 and isinstance(record.args[2], str):
            args = list(record.args)
            args[2] = mask(unquote_plus(args[2]))
            record.args = tuple(args)
        return True


install_log_masking()  # every log record of the console; the access log's path is also decoded first:
logging.getLogger("uvicorn.access").addFilter(MaskedAccessLog())


class BodyLimit:
    """Refuse a request whose declared body is far beyond any acceptable upload (twice the limit,
    +1 MB of form fields) with 413 before anything reads it: otherwise the CSRF check, which parses
    the form, would first spool it to disk. Files just over the limit still get the upload form back
    with her input and the message (console/admin/documents.py)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http":
            declared = dict(scope.get("headers") or []).get(b"content-length", b"0")
            limit = (2 * get_settings().CONSOLE_UPLOAD_MAX_MB + 1) * 1024 * 1024
            if declared.isdigit() and int(declared) > limit:  # the server refuses a malformed length itself
                response = PlainTextResponse(
                    f"上传的内容太大：最多 {get_settings().CONSOLE_UPLOAD_MAX_MB:g} MB。"
                    "请压缩或拆分文件后再上传。", 413)
                return await response(scope, receive, send)
        await self.app(scope, receive, send)

# No API documentation pages or schema: they would describe every route to anyone (issue 12).
app = FastAPI(title="女职工权益助手 · 工作台", docs_url=None, redoc_url=None, openapi_url=None)
app.add_middleware(BodyLimit)
app.include_router(officer_router)
app.include_router(admin_router)
app.mount("/static", StaticFiles(directory=STATIC), name="static")
public.mount(app)  # the public page at / and the chat widget at /widget


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/admin/api/") or "application/json" in request.headers.get("accept", "")


@app.exception_handler(LoginRequired)
def login_required(request: Request, _exc: LoginRequired) -> Response:
    if _wants_json(request) or request.method != "GET":
        return JSONResponse({"detail": "请先登录"}, 401)
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/admin/login?{urlencode({'next': target}, safe='/')}", 303)


@app.exception_handler(Forbidden)
def forbidden(request: Request, _exc: Forbidden) -> Response:
    if _wants_json(request):
        return JSONResponse({"detail": "没有权限"}, 403)
    return render(request, "error.html", getattr(request.state, "staff", None), 403,
                  heading="没有权限", detail="你的账号角色不能打开这个页面。需要时请联系管理员。")


@app.exception_handler(CsrfRejected)
def csrf_rejected(request: Request, _exc: CsrfRejected) -> Response:
    if _wants_json(request):
        return JSONResponse({"detail": "CSRF 校验失败"}, 403)
    return render(request, "error.html", None, 403, heading="请求已过期",
                  detail="页面的安全校验没有通过（可能是页面打开太久）。请回到上一页，刷新后再提交。")


# The fields a request can get wrong, as staff call them (the stored names are not theirs to read).
FIELD_NAMES = {"slot_id": "号源编号", "proposal_id": "提交编号", "text": "内容", "outcome": "办理结果",
               "reason": "原因", "q": "问题", "province": "省份", "username": "用户名", "password": "密码",
               "version": "版本号", "capacity": "名额", "title": "标题", "code": "案件编号"}


def _problem(error: dict) -> str:
    """One pydantic error in plain Chinese. Her input is never echoed: FastAPI's own answer does,
    and crashes (500) when the body is not UTF-8; it could also repeat a phone number."""
    loc = error.get("loc", ())
    field = FIELD_NAMES.get(str(loc[-1]), "其中一项") if len(loc) > 1 else "请求内容"
    kind, ctx = error.get("type", ""), error.get("ctx") or {}
    if kind == "string_too_long":
        return f"{field} 太长了（最多 {ctx.get('max_length', '?')} 个字符）"
    if kind in ("missing", "string_too_short"):
        return f"{field} 不能为空"
    if kind.startswith(("int_", "float_")):
        return f"{field} 要填一个数字"
    if kind in ("json_invalid", "model_attributes_type", "dict_type"):
        return "请求内容要是 JSON 对象，例如 {\"text\": \"……\"}"
    return f"{field} 的格式不对"


@app.exception_handler(RequestValidationError)
def bad_input(request: Request, exc: RequestValidationError) -> Response:
    """Malformed input (a hand-edited link, a broken API call) gets a 422 that says what is wrong."""
    detail = "；".join(dict.fromkeys(_problem(e) for e in exc.errors())) + "。"
    if _wants_json(request) or request.url.path.startswith("/api/"):
        return JSONResponse({"detail": detail}, 422)
    return render(request, "error.html", getattr(request.state, "staff", None), 422,
                  heading="提交的内容有误", detail=f"{detail}请回到上一页检查后再试。")


@app.get("/healthz")
def health() -> dict:
    return {"ok": True}
