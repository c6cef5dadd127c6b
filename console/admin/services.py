"""Services, their slots and the bookings (role curator; admins too).

Curators create and edit the services workers can book, open slots for a day or a range of days,
change a slot's capacity (never below what is booked), close or reopen a slot, and see and export
the bookings. Closing a slot keeps its confirmed bookings: the page says how many there are, so
staff can call those workers. Every change is in the audit log; so is every CSV export, with its
filter (the export carries full phone numbers because staff call them; they are never logged).
"""
from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from appdb import audit, catalogue
from appdb.booking import BookingFilter, find_bookings
from appdb.catalogue import PERIODS, ServiceForm, SlotPlan
from appdb.models import BOOKING_STATUSES, Slot, parse_row_id, storable_id
from appdb.session import session_scope
from console.auth import Staff, require
from console.labels import channel_name
from console.templating import local_time, render

router = APIRouter(prefix="/admin", include_in_schema=False)
Curator = Annotated[Staff, Depends(require("curator"))]
TextField = Annotated[str, Form()]

WEEKDAYS = {1: "周一", 2: "周二", 3: "周三", 4: "周四", 5: "周五", 6: "周六", 7: "周日"}
BOOKING_STATUS_CN = {"confirmed": "有效", "cancelled": "已取消"}
CSV_COLUMNS = ("预约编号", "服务", "日期", "时段", "时间", "姓名", "手机", "工作单位", "其他信息", "状态",
               "预约时间", "渠道")
_ALIAS_SPLIT = re.compile(r"[,，、;；\s]+")


def _to(path: str, **query: str) -> RedirectResponse:
    return RedirectResponse(f"{path}?{urlencode(query)}" if query else path, 303)


def _service_form(name: str, aliases: str, description: str, location: str, eligibility: str,
                  active: str) -> ServiceForm:
    return ServiceForm(name=name.strip(), aliases=tuple(a for a in _ALIAS_SPLIT.split(aliases) if a),
                       description=description, location=location, eligibility=eligibility, active=bool(active))


def _list_page(request: Request, staff: Staff, status_code: int = 200, **context: Any) -> Response:
    return render(request, "services.html", staff, status_code, services=catalogue.all_services(),
                  form=context.pop("form", {}), **context)


@router.get("/services")
def services_page(request: Request, staff: Curator) -> Response:
    return _list_page(request, staff)


@router.post("/services")
def create_service(request: Request, staff: Curator, key: TextField = "", name: TextField = "",
                   aliases: TextField = "", description: TextField = "", location: TextField = "",
                   eligibility: TextField = "", active: TextField = "") -> Response:
    """A new service; when refused, the form comes back filled in with the reason."""
    form = _service_form(name, aliases, description, location, eligibility, active)
    key = key.strip().lower()
    try:
        catalogue.save_service(key, form, actor=staff.username, create=True)
    except ValueError as e:
        return _list_page(request, staff, 422, error=str(e), form={"key": key, **vars(form)})
    return _to(f"/admin/services/{key}", msg=f"已创建服务“{form.name}”。可以在下面开放号源。")


def _parse_day(text: str, label: str) -> date | None:
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{label}要写成 2026-12-01 这样的日期。") from None


def _booking_filter(service: str, first: str, last: str, status: str, slot: str) -> BookingFilter:
    """The filter from the query string; ValueError with a plain message for a malformed one."""
    return BookingFilter(service=service.strip(), first=_parse_day(first, "开始日期"),
                         last=_parse_day(last, "结束日期"),
                         status=status if status in BOOKING_STATUSES else "",
                         slot_id=parse_row_id(slot))  # not a storable id: no slot filter


BookingQuery = tuple[str, str, str, str, str]


def _filter_args(service: str = "", first: str = "", last: str = "", status: str = "",
                 slot: str = "") -> BookingQuery:
    return service, first, last, status, slot


@router.get("/services/bookings")
def bookings_page(request: Request, staff: Curator, args: Annotated[BookingQuery, Depends(_filter_args)]) -> Response:
    try:
        f = _booking_filter(*args)
    except ValueError as e:
        f, error = BookingFilter(), str(e)
    else:
        error = ""
    context = {"error": error} if error else {}
    return render(request, "bookings.html", staff, 422 if error else 200, bookings=find_bookings(f),
                  services=catalogue.all_services(), query=dict(zip(("service", "first", "last", "status", "slot"),
                                                                    args)),
                  export_query=urlencode(f.described()), status_cn=BOOKING_STATUS_CN, **context)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: str) -> str:
    """A cell Excel/WPS shows as text, never runs: names and work units are typed by anyone in the
    chat, and "=HYPERLINK(…)" or "@SUM(…)" would become a live formula on the staff's computer
    (CSV injection). A leading apostrophe keeps it visible and inert."""
    value = str(value or "")
    return "'" + value if value.startswith(_FORMULA_START) else value


def _csv_row(b) -> list[str]:
    slot = b.slot
    extra = "；".join(f"{k}={v}" for k, v in (b.extra or {}).items())
    return [_cell(v) for v in (
        b.code, slot.service.name, slot.day.isoformat(), slot.period, f"{slot.start_time}-{slot.end_time}",
        b.name, b.phone, b.work_unit, extra, BOOKING_STATUS_CN.get(b.status, b.status),
        local_time(b.created_at), channel_name(b.channel))]


@router.get("/services/bookings.csv")
def export_bookings(request: Request, staff: Curator,
                    args: Annotated[BookingQuery, Depends(_filter_args)]) -> Response:
    """The bookings as CSV, UTF-8 with a BOM so that Excel shows the Chinese; audited with its filter."""
    try:
        f = _booking_filter(*args)
    except ValueError as e:
        return _to("/admin/services/bookings", err=str(e))
    rows = find_bookings(f)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    writer.writerows(_csv_row(b) for b in rows)
    with session_scope() as session:
        audit.record(session, staff.username, "booking.export", "预约表", rows=len(rows), **f.described())
    name = f"bookings-{catalogue.local_today().isoformat()}.csv"
    return Response("\ufeff" + out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _edit_page(request: Request, staff: Staff, key: str, status_code: int = 200, **context: Any) -> Response:
    today = catalogue.local_today()
    service, slots = catalogue.service_slots(key, today)
    if service is None:
        return render(request, "error.html", staff, 404, heading="没有这项服务",
                      detail="找不到这项服务。请回到服务列表再找一找。")
    defaults = {"first": today.isoformat(), "last": (today + timedelta(days=13)).isoformat(),
                "weekdays": [1, 2, 3, 4, 5], "period": "上午", "start": "09:00", "end": "11:30", "capacity": 5}
    return render(request, "services_edit.html", staff, status_code, service=service, slots=slots,
                  weekdays=WEEKDAYS, periods=PERIODS, plan={**defaults, **context.pop("plan", {})},
                  form=context.pop("form", None) or vars(service), **context)


@router.get("/services/{key}")
def service_page(request: Request, key: str, staff: Curator) -> Response:
    return _edit_page(request, staff, key)


@router.post("/services/{key}")
def update_service(request: Request, key: str, staff: Curator, name: TextField = "", aliases: TextField = "",
                   description: TextField = "", location: TextField = "", eligibility: TextField = "",
                   active: TextField = "") -> Response:
    form = _service_form(name, aliases, description, location, eligibility, active)
    try:
        catalogue.save_service(key, form, actor=staff.username, create=False)
    except LookupError:
        return _edit_page(request, staff, key)
    except ValueError as e:
        return _edit_page(request, staff, key, 422, error=str(e), form=vars(form))
    return _to(f"/admin/services/{key}", msg="服务信息已保存。")


def _int(text: str, label: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise ValueError(f"{label}要填一个整数。") from None


@router.post("/services/{key}/slots")
def add_slots(request: Request, key: str, staff: Curator, first: TextField = "", last: TextField = "",
              weekdays: Annotated[list[str], Form()] = [], period: TextField = "", start: TextField = "",  # noqa: B006
              end: TextField = "", capacity: TextField = "") -> Response:
    """Open one slot (first = last) or a range; days that already have the period are skipped."""
    typed = {"first": first, "last": last or first, "weekdays": [int(d) for d in weekdays if d.isdigit()],
             "period": period, "start": start.strip(), "end": end.strip(), "capacity": capacity}
    try:
        day1, day2 = _parse_day(first, "开始日期"), _parse_day(last or first, "结束日期")
        if day1 is None or day2 is None:
            raise ValueError("请填写开始日期。")
        plan = SlotPlan(day1, day2, frozenset(typed["weekdays"]), period, typed["start"], typed["end"],
                        _int(capacity, "名额"))
        added, skipped = catalogue.add_slots(key, plan, actor=staff.username)
    except LookupError:
        return _edit_page(request, staff, key)
    except ValueError as e:
        return _edit_page(request, staff, key, 422, error=str(e), plan=typed)
    note = f"，{skipped} 天已有这个时段，没有改动" if skipped else ""
    return _to(f"/admin/services/{key}", msg=f"已开放 {added} 个号源{note}。")


def _slot_done(slot, msg: str = "", err: str = "") -> RedirectResponse:
    return _to(f"/admin/services/{slot.service.key}", **({"err": err} if err else {"msg": msg}))


def _service_key(slot_id: int) -> str:
    with session_scope() as session:
        slot = session.get(Slot, slot_id) if storable_id(slot_id) else None
        return slot.service.key if slot else ""


@router.post("/slots/{slot_id}/capacity")
def slot_capacity(slot_id: int, staff: Curator, capacity: TextField = "") -> Response:
    try:
        slot = catalogue.set_capacity(slot_id, _int(capacity, "名额"), actor=staff.username)
    except LookupError:
        return _to("/admin/services", err="没有这个号源。")
    except ValueError as e:
        return _to(f"/admin/services/{_service_key(slot_id)}", err=str(e))
    return _slot_done(slot, f"{slot.day} {slot.period} 的名额改为 {slot.capacity}。")


def _set_status(slot_id: int, status: str, actor: str) -> Response:
    """Close or reopen a slot; closing one with bookings says how many workers to call."""
    try:
        slot, confirmed = catalogue.set_slot_status(slot_id, status, actor=actor)
    except LookupError:
        return _to("/admin/services", err="没有这个号源。")
    if status == "open":
        return _slot_done(slot, f"{slot.day} {slot.period} 已重新开放。")
    warning = f"注意：这个时段还有 {confirmed} 个有效预约，预约保留，请电话通知这些职工。" if confirmed else ""
    return _slot_done(slot, f"{slot.day} {slot.period} 已关闭，不再接受新预约。{warning}")


@router.post("/slots/{slot_id}/close")
def close_slot(slot_id: int, staff: Curator) -> Response:
    return _set_status(slot_id, "closed", staff.username)


@router.post("/slots/{slot_id}/reopen")
def reopen_slot(slot_id: int, staff: Curator) -> Response:
    return _set_status(slot_id, "open", staff.username)
