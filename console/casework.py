"""What an officer does with a case, in one place for both doors to it: the officers' HTTP API
(console/officer_api.py) and the console's case pages (console/admin/cases.py).

Each action changes the case in the application database first (the database decides who wins when
two officers click together), then tells the worker's conversation in Rasa: the bot pauses while an
officer holds the case, the officer's replies reach her in her channel, and the bot resumes when the
case is handed back or closed. Errors are raised as the exceptions below, each with a message in
plain Chinese that both doors show as they are.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime

import httpx

from appdb import cases, users
from appdb.models import Case, utcnow
from knowledge.privacy import mask
from console import rasa_client

log = logging.getLogger(__name__)

RETURNED = "维权专员已结束本次人工对话，我（女职工权益助手）继续为你服务。还有问题可以直接问我。"
MAX_TEXT = 2000
STATUS_CN = {"new": "待接手", "assigned": "处理中", "closed": "已办结"}


class CaseworkError(Exception):
    """A case action that could not be done; str() is the message for the officer."""


class NotFound(CaseworkError):
    pass


class Conflict(CaseworkError):
    """Someone else holds the case, or it is closed already."""


class ChannelDown(CaseworkError):
    """The case changed, but Rasa could not be reached to tell the worker."""


def load(code: str, viewer: str | None = None) -> Case:
    """The case; a `viewer` is recorded in the audit log (every look at a case is)."""
    case = cases.by_code(code, viewer=viewer)
    if case is None:
        raise NotFound("没有这个案件")
    return case


def conversation(case: Case) -> tuple[list[dict], bool]:
    """Her whole conversation live from Rasa (with what she wrote while paused), and True; or the
    snapshot stored when the case was opened, and False, when Rasa cannot be reached."""
    try:
        return rasa_client.transcript(case.sender_id), True
    except httpx.HTTPError as e:
        log.warning("transcript of case %s unavailable: %s", case.code, mask(str(e)))
        return case.transcript or [], False


def conflict_message(code: str) -> str:
    """Why a case action was refused, said from the case as it is now."""
    case = cases.by_code(code)
    if case is None:
        return "没有这个案件"
    if case.status == "closed":
        return f"案件 {case.code} 已经办结，不能再操作。"
    if case.status == "assigned":
        return f"案件 {case.code} 已由 {case.assigned_to} 接手，只有 TA（或管理员）可以处理。"
    return f"案件 {case.code} 目前无人接手，请先接手。"


def _change(fn: Callable[..., Case], code: str, *args, **kwargs) -> tuple[Case, bool]:
    """Apply a state change; also say whether it changed anything (a repeated click does not)."""
    before = load(code)
    try:
        case = fn(code, *args, **kwargs)
    except cases.CaseNotFound as e:
        raise NotFound("没有这个案件") from e
    except cases.CaseConflict as e:
        raise Conflict(conflict_message(code)) from e
    return case, (case.status, case.assigned_to) != (before.status, before.assigned_to)


def _tell(call: Callable[..., None], case: Case, *args, changed: bool = True) -> None:
    """Tell her conversation what happened, once: a repeated action sends nothing again."""
    if not changed:
        return
    try:
        call(case.sender_id, *args)
    except httpx.HTTPError as e:
        log.warning("rasa unreachable for case %s: %s", case.code, mask(str(e)))
        raise ChannelDown("对话服务暂时连不上，消息没有送到职工那里，请稍后再试。") from e


_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


@contextmanager
def _one_at_a_time(code: str) -> Iterator[None]:
    """Replies and notes of one case, one after the other. The double-click check ("was this very
    text just written?") and the write are two steps; two copies of one form arriving together
    (a double click, a retried request) would otherwise both pass the check and both act, and
    the worker would get the message twice. The console is one process (Procfile), so a lock
    per case in memory is enough; different cases never wait for each other."""
    key = cases.normalize_code(code)
    with _locks_guard:
        lock = _locks.setdefault(key, threading.Lock())
    with lock:
        yield


def _clean(text: str, what: str) -> str:
    text = (text or "").strip()
    if not text:
        raise CaseworkError(f"{what}不能为空。")
    if len(text) > MAX_TEXT:
        raise CaseworkError(f"{what}太长了（最多 {MAX_TEXT} 字，现在 {len(text)} 字）。")
    return text


def taken_notice(officer: str) -> str:
    """What she is told when an officer takes her case: who, by the name she will see on the replies."""
    return f"维权专员已接手你的问题：{users.display_name(officer)}会在这里直接和你沟通。"


def take(code: str, officer: str) -> Case:
    """She takes the case: the bot falls silent and the worker is told an officer is here."""
    case, changed = _change(cases.take, code, officer)
    _tell(rasa_client.pause, case, taken_notice(officer), changed=changed)
    return case


def assign(code: str, officer: str, actor: str) -> Case:
    """An admin gives the case to `officer`; for the worker it is the same as a take."""
    case, changed = _change(cases.assign, code, officer, actor=actor)
    _tell(rasa_client.pause, case, taken_notice(officer), changed=changed)
    return case


def reply(code: str, officer: str, text: str) -> Case:
    """Send her a message in her channel; only the officer holding the case may. It carries the
    officer's display name, which her channel shows with it (「维权专员 王老师」).

    The reply is also kept as a note. The same reply sent twice within seconds (a double click)
    goes out once."""
    text = _clean(text, "回复")
    case = load(code)
    if case.status != "assigned" or case.assigned_to != officer:
        raise Conflict("请先接手这个案件再回复。" if case.status == "new" else conflict_message(code))
    note = f"回复：{text}"
    with _one_at_a_time(code):
        if cases.repeated_note(code, officer, note):
            return case
        _tell(rasa_client.say, case, text, users.display_name(officer))
        cases.add_note(code, officer, note)
    return case


def add_note(code: str, author: str, text: str) -> None:
    """An internal note (never shown to the worker); a double-submitted note is kept once."""
    text = _clean(text, "备注")
    load(code)
    with _one_at_a_time(code):
        if not cases.repeated_note(code, author, text):
            cases.add_note(code, author, text)


def hand_back(code: str, officer: str, *, force: bool = False) -> Case:
    """Put the case back in the queue; the bot speaks again."""
    case, changed = _change(cases.hand_back, code, officer, force=force)
    _tell(rasa_client.resume, case, RETURNED, changed=changed)
    return case


def close(code: str, officer: str, outcome: str, *, force: bool = False) -> Case:
    """Close the case with its outcome, which the worker is told; the bot speaks again."""
    outcome = _clean(outcome, "办理结果")
    case, changed = _change(cases.close, code, officer, outcome, force=force)
    _tell(rasa_client.resume, case, f"你的案件 {case.code} 已办结：{outcome}\n{RETURNED}", changed=changed)
    return case


def time_left(case: Case, now: datetime | None = None) -> str:
    """The SLA in words: how long until the deadline, or how long past it."""
    if case.status == "closed":
        return ""
    minutes = int((case.sla_due_at - (now or utcnow())).total_seconds() // 60)
    span = abs(minutes)
    words = f"{span // 60} 小时 {span % 60} 分" if span >= 60 else f"{span} 分钟"
    return f"超时 {words}" if minutes < 0 else f"剩余 {words}"
