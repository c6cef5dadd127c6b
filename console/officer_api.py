"""The officers' HTTP API: list cases, read one with her conversation, take it, reply, hand it back
to the bot, close it. Authenticated (HTTP Basic against appdb users, role officer or admin); every
case view and change is in the audit log. The staff console's screens are built on these calls.
"""
from __future__ import annotations

from typing import Annotated

import httpx
from fastapi import APIRouter, Depends, HTTPException, Query, status
from fastapi.security import HTTPBasic, HTTPBasicCredentials
from pydantic import BaseModel, Field

from appdb import cases
from appdb.cases import CaseConflict, CaseNotFound
from console import rasa_client

router = APIRouter(prefix="/api", tags=["officer"])
basic = HTTPBasic(realm="officers")
OFFICER_ROLES = ("officer", "admin")
TAKEN = "维权专员已接手你的问题，接下来由专员在这里直接和你沟通。"
RETURNED = "维权专员已结束本次人工对话，我（女职工权益助手）继续为你服务。还有问题可以直接问我。"


def officer(credentials: Annotated[HTTPBasicCredentials, Depends(basic)]) -> str:
    from appdb.users import authenticate

    user = authenticate(credentials.username, credentials.password)
    if user is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "用户名或密码错误", {"WWW-Authenticate": "Basic"})
    if user.role not in OFFICER_ROLES:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "只有维权专员可以处理案件")
    return user.username


Officer = Annotated[str, Depends(officer)]


class Reply(BaseModel):
    text: str = Field(min_length=1, max_length=2000)


class Outcome(BaseModel):
    outcome: str = Field(min_length=1, max_length=2000)


def _summary(case) -> dict:
    return {"code": case.code, "category": case.category, "priority": case.priority, "status": case.status,
            "assigned_to": case.assigned_to, "channel": case.channel,
            "sla_due_at": case.sla_due_at.isoformat() if case.sla_due_at else None,
            "created_at": case.created_at.isoformat() if case.created_at else None}


def _load(code: str, viewer: str | None = None):
    case = cases.by_code(code, viewer=viewer)
    if case is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "没有这个案件")
    return case


def _rasa(call, *args) -> None:
    try:
        call(*args)
    except httpx.HTTPError as e:
        raise HTTPException(status.HTTP_502_BAD_GATEWAY, f"对话服务暂时不可用：{e}") from e


def _transition(fn, code: str, *args, **kwargs):
    try:
        return fn(code, *args, **kwargs)
    except CaseNotFound as e:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "没有这个案件") from e
    except CaseConflict as e:
        raise HTTPException(status.HTTP_409_CONFLICT, str(e)) from e


@router.get("/cases")
def list_cases(user: Officer, state: Annotated[str | None, Query(alias="status")] = None,
               priority: str | None = None) -> list[dict]:
    return [_summary(c) for c in cases.list_cases(status=state, priority=priority)]


@router.get("/cases/{code}")
def read_case(code: str, user: Officer) -> dict:
    """The case with its summary and the live conversation (what she wrote while paused too)."""
    case = _load(code, viewer=user)
    try:
        conversation = rasa_client.transcript(case.sender_id)
    except httpx.HTTPError:
        conversation = case.transcript  # the snapshot taken when the case was opened
    return {**_summary(case), "summary": case.summary, "consent": case.consent, "outcome": case.outcome,
            "conversation": conversation}


@router.post("/cases/{code}/take")
def take(code: str, user: Officer) -> dict:
    case = _transition(cases.take, code, user)
    _rasa(rasa_client.pause, case.sender_id, TAKEN)
    return _summary(case)


@router.post("/cases/{code}/reply")
def reply(code: str, body: Reply, user: Officer) -> dict:
    case = _load(code)
    if case.status != "assigned" or case.assigned_to != user:
        raise HTTPException(status.HTTP_409_CONFLICT, "请先接手这个案件再回复")
    _rasa(rasa_client.say, case.sender_id, f"【维权专员】{body.text}")
    cases.add_note(code, user, f"回复：{body.text}")
    return {"sent": True}


@router.post("/cases/{code}/hand-back")
def hand_back(code: str, user: Officer) -> dict:
    case = _transition(cases.hand_back, code, user)
    _rasa(rasa_client.resume, case.sender_id, RETURNED)
    return _summary(case)


@router.post("/cases/{code}/close")
def close(code: str, body: Outcome, user: Officer) -> dict:
    case = _transition(cases.close, code, user, body.outcome)
    _rasa(rasa_client.resume, case.sender_id, f"你的案件 {case.code} 已办结：{body.outcome}\n{RETURNED}")
    return _summary(case)
