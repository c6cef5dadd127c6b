"""The officers' case inbox and case pages (role officer; admins too, curators never).

The inbox sorts open cases by priority, then by SLA deadline, and shows how long is left, a summary
line (category, the opening of her latest message, masked) and which cases have something this
officer has not seen. A case page shows the structured summary, her whole conversation (live from
Rasa), internal notes, and the buttons to take, reply, hand back and close; opening it marks the
case seen. Both pages update themselves while open (console/admin/live.py). The actions are
console/casework.py's, the same the officers' HTTP API uses; every view and change is in the audit log.
"""
from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from appdb import cases
from appdb.models import CASE_PRIORITIES, utcnow
from appdb.users import list_users
from console import casework
from knowledge.handover import Priority, officer_label
from knowledge.privacy import mask
from console.auth import Staff, require
from console.templating import instant, local_time, render

router = APIRouter(prefix="/admin", include_in_schema=False)
OfficerStaff = Annotated[Staff, Depends(require("officer"))]
AdminStaff = Annotated[Staff, Depends(require("admin"))]
TextField = Annotated[str, Form()]

PRIORITY_CN = {p.value: p.label for p in Priority}
CATEGORY_CN = {"dismissal": "三期辞退/降薪", "harassment": "性骚扰", "violence": "人身安全",
               "discrimination": "就业歧视", "benefit": "待遇/产假/社保", "other": "其他"}
SUMMARY_CN = {"employer": "单位", "city": "城市", "what": "发生了什么", "when": "什么时候", "wants": "希望怎样解决",
              "contact": "联系方式", "contact_time": "方便联系的时间"}
WHO_CN = {"worker": "职工", "bot": "助手", "officer": "维权专员"}
STATUS_FILTERS = {"open": "未办结", "new": "待接手", "assigned": "处理中", "closed": "已办结", "": "全部"}
ASSIGNED_FILTERS = {"all": "全部", "mine": "我接手的", "unassigned": "无人接手"}


def _officers() -> list[str]:
    """Active officer accounts an admin may give a case to."""
    return [u.username for u in list_users() if u.role == "officer" and u.active]


def _when(at: Any) -> str:
    """Rasa gives epoch seconds, the stored snapshot the same as text: both shown as local time
    (the snapshot's text was shown raw, 1732700000.12…)."""
    return local_time(instant(at), "%m-%d %H:%M")


def inbox_filters(status: str = "open", priority: str = "", assigned: str = "all", overdue: bool = False,
                  category: str = "") -> dict[str, Any]:
    """The inbox's filters from a query string, anything unknown back to its default."""
    return {"status": status if status in STATUS_FILTERS else "open",
            "priority": priority if priority in CASE_PRIORITIES else "",
            "assigned": assigned if assigned in ASSIGNED_FILTERS else "all", "overdue": overdue,
            "category": category}


def inbox_list(staff: Staff, filters: dict[str, Any]) -> dict[str, Any]:
    """What the inbox's list shows (cases_list.html): the cases the filters select, each with its time
    left, and which of them hold something this officer has not seen."""
    rows = cases.find_cases(status=filters["status"] or None, priority=filters["priority"] or None,
                            assigned_to=staff.username if filters["assigned"] == "mine" else None,
                            unassigned=filters["assigned"] == "unassigned", overdue=filters["overdue"],
                            category=filters["category"] or None)
    now = utcnow()
    return {"rows": [(c, casework.time_left(c, now)) for c in rows], "unread": cases.unread(rows, staff.username),
            "priority_cn": PRIORITY_CN, "category_cn": CATEGORY_CN, "status_cn": casework.STATUS_CN}


@router.get("/cases")
def inbox(request: Request, staff: OfficerStaff, status: str = "open", priority: str = "",
          assigned: str = "all", overdue: bool = False, category: str = "") -> Response:
    """Open cases, most urgent and nearest deadline first; filters narrow the list."""
    filters = inbox_filters(status, priority, assigned, overdue, category)
    return render(request, "cases.html", staff, **inbox_list(staff, filters), filters=filters,
                  categories=cases.categories(), status_filters=STATUS_FILTERS, assigned_filters=ASSIGNED_FILTERS)


def conversation_lines(lines: list[dict[str, Any]], *, pushed: bool = False) -> list[dict[str, str]]:
    """Her conversation as the case page shows it: who (an officer by her display name), when, what
    (a tapped button already in words: console/rasa_client.py). `pushed`: lines sent to an open page
    (console/admin/live.py), masked."""
    return [{"who": line.get("who", "bot"),
             "label": officer_label(line.get("name")) if line.get("who") == "officer"
             else WHO_CN.get(line.get("who"), "助手"),
             "text": mask(line.get("text", "")) if pushed else line.get("text", ""), "time": _when(line.get("at"))}
            for line in lines]


def _case_page(request: Request, staff: Staff, code: str, status_code: int = 200, **context: Any) -> Response:
    """The case page (its view is audited); a failed reply comes back here with her draft kept."""
    try:
        case = casework.load(code, viewer=staff.username)
    except casework.NotFound:
        return render(request, "error.html", staff, 404, heading="没有这个案件",
                      detail=f"找不到案件编号 {code[:20]}。请回到案件列表再找一找。")
    lines, live = casework.conversation(case)
    cases.mark_viewed(case.code, staff.username)
    context.setdefault("drafts", {})
    return render(request, "case.html", staff, status_code, case=case, conversation=conversation_lines(lines),
                  live=live,
                  time_left=casework.time_left(case), summary_cn=SUMMARY_CN, priority_cn=PRIORITY_CN,
                  category_cn=CATEGORY_CN, status_cn=casework.STATUS_CN,
                  officers=_officers() if staff.role == "admin" else [],
                  mine=case.status == "assigned" and case.assigned_to == staff.username, **context)


@router.get("/cases/{code}")
def case_page(request: Request, code: str, staff: OfficerStaff) -> Response:
    return _case_page(request, staff, code)


def _back(code: str, *, msg: str = "", err: str = "") -> RedirectResponse:
    query = urlencode({"msg": msg} if msg else {"err": err})
    return RedirectResponse(f"/admin/cases/{cases.normalize_code(code)}?{query}", 303)


def _act(request: Request, staff: Staff, code: str, done: str, action, *args,
         drafts: dict[str, str] | None = None, **kwargs) -> Response:
    """Run a casework action and come back to the case page with what happened. When it fails and
    she had typed something (`drafts`), the page is shown again with her text still in its box."""
    try:
        action(code, *args, **kwargs)
    except casework.CaseworkError as e:
        error = f"案件已更新，但{e}" if isinstance(e, casework.ChannelDown) else str(e)
        if drafts:
            return _case_page(request, staff, code, 409, error=error, drafts=drafts)
        return _back(code, err=error)
    return _back(code, msg=done)


# What the console can know: the message is in her conversation, not that she has read it.
NOT_SEEN_OFFLINE = "（她开着对话时立即看到；网页小窗关着时可能看不到，急事请按她留的联系方式联系）"


@router.post("/cases/{code}/take")
def take(request: Request, code: str, staff: OfficerStaff) -> Response:
    done = f"已接手，助手在你处理期间暂停回复。已在职工的对话里告诉她由你接手{NOT_SEEN_OFFLINE}。"
    return _act(request, staff, code, done, casework.take, staff.username)


@router.post("/cases/{code}/assign")
def assign(request: Request, code: str, staff: AdminStaff, officer: TextField = "") -> Response:
    if officer not in _officers():
        return _back(code, err="请选择一位在职的维权专员。")
    return _act(request, staff, code, f"已分派给 {officer}。", casework.assign, officer, staff.username)


@router.post("/cases/{code}/note")
def note(request: Request, code: str, staff: OfficerStaff, text: TextField = "") -> Response:
    return _act(request, staff, code, "备注已保存。", casework.add_note, staff.username, text, drafts={"note": text})


@router.post("/cases/{code}/reply")
def reply(request: Request, code: str, staff: OfficerStaff, text: TextField = "") -> Response:
    done = f"回复已发送到职工的对话里{NOT_SEEN_OFFLINE}。"
    return _act(request, staff, code, done, casework.reply, staff.username, text, drafts={"reply": text})


@router.post("/cases/{code}/hand-back")
def hand_back(request: Request, code: str, staff: OfficerStaff) -> Response:
    return _act(request, staff, code, "已交回助手，案件回到待接手队列。", casework.hand_back, staff.username,
                force=staff.role == "admin")


@router.post("/cases/{code}/close")
def close(request: Request, code: str, staff: OfficerStaff, outcome: TextField = "") -> Response:
    done = f"案件已办结，助手恢复服务。结果已发送到职工的对话里{NOT_SEEN_OFFLINE}；她说「我的案件进展」随时能查到结果。"
    return _act(request, staff, code, done, casework.close, staff.username,
                outcome, drafts={"outcome": outcome}, force=staff.role == "admin")
