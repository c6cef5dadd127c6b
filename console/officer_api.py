"""The officers' HTTP API: list cases, read one with her conversation, take it, reply, hand it back
to the bot, close it. Authenticated (HTTP Basic against appdb users, role officer or admin); every
case view and change is in the audit log. The actions themselves live in console/casework.py,
shared with the console's case pages.
"""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from fastapi.security import HTTPBasic, HTTPBasicCredentials
from pydantic import BaseModel, Field

from appdb import cases
from appdb.models import Case
from console import auth, casework

router = APIRouter(prefix="/api", tags=["officer"])
basic = HTTPBasic(realm="officers")
OFFICER_ROLES = ("officer", "admin")
# casework's errors -> HTTP status (anything else it raises is bad input: 422)
STATUS_OF = {casework.NotFound: status.HTTP_404_NOT_FOUND, casework.Conflict: status.HTTP_409_CONFLICT,
             casework.ChannelDown: status.HTTP_502_BAD_GATEWAY}


def officer(request: Request, credentials: Annotated[HTTPBasicCredentials, Depends(basic)]) -> str:
    """The officer behind the Basic credentials; the console's lockout and audit apply here too."""
    ip = request.client.host if request.client else ""
    user, reason = auth.check_password(credentials.username, credentials.password, ip, via="api")
    if user is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, reason.rstrip("。"), {"WWW-Authenticate": "Basic"})
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


def _do(action, *args, **kwargs) -> Case:
    """Run a casework action; its message becomes the error's detail."""
    try:
        return action(*args, **kwargs)
    except casework.CaseworkError as e:
        raise HTTPException(STATUS_OF.get(type(e), status.HTTP_422_UNPROCESSABLE_ENTITY), str(e)) from e


@router.get("/cases")
def list_cases(user: Officer, state: Annotated[str | None, Query(alias="status")] = None,
               priority: str | None = None) -> list[dict]:
    return [_summary(c) for c in cases.find_cases(status=state, priority=priority)]


@router.get("/cases/{code}")
def read_case(code: str, user: Officer) -> dict:
    """The case with its summary and the live conversation (what she wrote while paused too)."""
    case = _do(casework.load, code, viewer=user)
    conversation, _live = casework.conversation(case)
    return {**_summary(case), "summary": case.summary, "consent": case.consent, "outcome": case.outcome,
            "conversation": conversation}


@router.post("/cases/{code}/take")
def take(code: str, user: Officer) -> dict:
    return _summary(_do(casework.take, code, user))


@router.post("/cases/{code}/reply")
def reply(code: str, body: Reply, user: Officer) -> dict:
    _do(casework.reply, code, user, body.text)
    return {"sent": True}


@router.post("/cases/{code}/hand-back")
def hand_back(code: str, user: Officer) -> dict:
    return _summary(_do(casework.hand_back, code, user))


@router.post("/cases/{code}/close")
def close(code: str, body: Outcome, user: Officer) -> dict:
    return _summary(_do(casework.close, code, user, body.outcome))
