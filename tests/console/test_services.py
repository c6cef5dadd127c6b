"""Services, slots and bookings in the console, over HTTP against the real console and its
database (seeded from services.yml); bookings are made with appdb.booking as the bot makes them."""
from __future__ import annotations

import csv
import io
import uuid
from datetime import timedelta

import httpx
from sqlalchemy import select

from appdb import audit, booking, catalogue
from appdb.models import Slot
from appdb.session import session_scope
from staff import flash_of, submit

PHONE = "13912345678"


def new_service(cora, **fields) -> str:
    key = "svc_" + uuid.uuid4().hex[:8]
    data = {"key": key, "name": "亲子课堂" + key[-4:], "aliases": "亲子课" + key[-4:], "location": "市总工会三楼",
            "active": "1", **fields}
    r = submit(cora, "/admin/services", data)
    assert "已创建服务" in flash_of(r), r.text[-800:]
    return key


def a_slot(key: str, capacity: int = 3) -> Slot:
    """One open slot of the service, a week from today."""
    day = catalogue.local_today() + timedelta(days=7)
    catalogue.add_slots(key, catalogue.SlotPlan(day, day, frozenset(range(1, 8)), "下午", "14:00", "16:00", capacity),
                        actor="test")
    _service, slots = catalogue.service_slots(key, day)
    return slots[0]


def book(slot: Slot, name: str = "王芳") -> str:
    result = booking.book(slot.id, sender_id="w-" + uuid.uuid4().hex[:6], channel="rest", name=name, phone=PHONE,
                          work_unit="某电子厂", extra={}, idempotency_key=uuid.uuid4().hex)
    assert result.status == "booked"
    return result.booking.code


def test_services_are_for_curators(on_console_db, as_user, console_url):
    page = as_user("cora").get("/admin/services").text
    assert "两癌筛查" in page and "托育服务" in page
    assert as_user("olga").get("/admin/services").status_code == 403
    assert as_user("olga").get("/admin/services/bookings.csv").status_code == 403
    assert httpx.get(f"{console_url}/admin/services/bookings.csv", follow_redirects=False).status_code == 303


def test_create_and_edit_a_service_with_bad_input_kept(on_console_db, as_user):
    cora = as_user("cora")
    key = new_service(cora, description="亲子阅读 📚")
    page = cora.get(f"/admin/services/{key}").text
    assert "亲子阅读 📚" in page and "市总工会三楼" in page

    r = submit(cora, "/admin/services", {"key": key, "name": "另一个", "location": "某处"})
    assert r.status_code == 422 and "已经被服务" in r.text and 'value="某处"' in r.text  # kept
    r = submit(cora, "/admin/services", {"key": "Bad Key!", "name": "x"})
    assert r.status_code == 422 and "小写英文字母" in r.text
    r = submit(cora, "/admin/services",
               {"key": "svc_" + uuid.uuid4().hex[:6], "name": "新服务", "aliases": "托育，新服务二"})
    assert r.status_code == 422 and "托育" in flash_of(r) and "托育服务" in flash_of(r)  # the bot would mix them up

    r = submit(cora, f"/admin/services/{key}", {"name": "亲子课堂（改）", "aliases": "", "location": "二楼"})
    assert "已保存" in flash_of(r)
    with session_scope() as s:
        service = catalogue.get_service(s, key)
        assert (service.name, service.location, service.active) == ("亲子课堂（改）", "二楼", False)
        assert [e.action for e in audit.entries(s, target=key)][:2] == ["service.update", "service.create"]
    assert submit(cora, f"/admin/services/{key}", {"name": ""}).status_code == 422
    huge = submit(cora, f"/admin/services/{key}", {"name": "亲子课堂", "description": "长" * 5000})
    assert huge.status_code == 422 and "最多 2000 个字" in huge.text and "长" * 5000 in huge.text  # kept
    many = submit(cora, f"/admin/services/{key}",
                  {"name": "亲子课堂", "aliases": "，".join(f"别名{i}" for i in range(80))})
    assert many.status_code == 422 and "别名最多 60 个" in many.text
    assert cora.get("/admin/services/no_such_service").status_code == 404


def test_open_slots_for_one_day_or_a_range(on_console_db, as_user):
    cora = as_user("cora")
    key = new_service(cora)
    first = catalogue.local_today() + timedelta(days=1)
    last = first + timedelta(days=13)
    plan = {"first": first.isoformat(), "last": last.isoformat(), "weekdays": ["1", "3"], "period": "晚上",
            "start": "18:30", "end": "20:00", "capacity": "4"}
    assert "已开放 4 个号源" in flash_of(submit(cora, f"/admin/services/{key}/slots", plan))
    again = flash_of(submit(cora, f"/admin/services/{key}/slots", plan))
    assert "已开放 0 个号源" in again and "4 天已有这个时段" in again  # nothing doubled
    _service, slots = catalogue.service_slots(key, first)
    assert len(slots) == 4 and {s.day.isoweekday() for s in slots} == {1, 3}
    assert all((s.period, s.start_time, s.capacity) == ("晚上", "18:30", 4) for s in slots)

    single = {**plan, "last": "", "first": first.isoformat(), "weekdays": [str(first.isoweekday())], "period": "上午",
              "start": "09:00", "end": "10:00"}
    assert "已开放 1 个号源" in flash_of(submit(cora, f"/admin/services/{key}/slots", single))
    for bad, reason in (({"end": "08:00"}, "开始早于结束"), ({"last": "2020-01-01"}, "结束日期不能早于"),
                        ({"weekdays": []}, "星期"), ({"capacity": "很多"}, "整数"), ({"first": "明天"}, "日期"),
                        ({"period": "半夜"}, "时段"), ({"first": "2020-01-01", "last": "2020-01-31"}, "今天之前")):
        r = submit(cora, f"/admin/services/{key}/slots", {**plan, **bad})
        assert r.status_code == 422 and reason in r.text, bad
    assert len(catalogue.service_slots(key, first)[1]) == 5


def test_capacity_never_below_booked_and_closing_keeps_bookings(on_console_db, as_user):
    cora = as_user("cora")
    key = new_service(cora)
    slot = a_slot(key)
    code = book(slot)
    r = submit(cora, f"/admin/slots/{slot.id}/capacity", {"capacity": "0"})
    assert "已有 1 人预约，名额不能少于 1" in flash_of(r)
    assert "名额改为 2" in flash_of(submit(cora, f"/admin/slots/{slot.id}/capacity", {"capacity": "2"}))
    assert "整数" in flash_of(submit(cora, f"/admin/slots/{slot.id}/capacity", {"capacity": "two"}))

    r = submit(cora, f"/admin/slots/{slot.id}/close")
    assert "已关闭" in flash_of(r) and "还有 1 个有效预约" in flash_of(r)
    assert "仍有 1 个预约，请电话通知" in r.text
    assert booking.by_code(code).status == "confirmed"  # kept
    assert booking.book(slot.id, sender_id="late", channel="rest", name="李", phone=PHONE, work_unit="",
                        extra={}, idempotency_key=uuid.uuid4().hex).status == "closed"
    assert "重新开放" in flash_of(submit(cora, f"/admin/slots/{slot.id}/reopen"))
    with session_scope() as s:
        assert s.scalar(select(Slot.status).where(Slot.id == slot.id)) == "open"
        actions = [e.action for e in audit.entries(s, target=str(slot.id), actor="cora")]
    assert actions == ["slot.reopen", "slot.close", "slot.capacity"]
    assert "没有这个号源" in flash_of(submit(cora, "/admin/slots/999999/close"))


def test_bookings_list_filters_and_csv_export(on_console_db, as_user):
    cora = as_user("cora")
    key = new_service(cora)
    slot = a_slot(key)
    kept, gone = book(slot, "王芳"), book(slot, "陈静")
    booking.cancel(gone, actor="test")
    page = cora.get("/admin/services/bookings", params={"service": key, "status": "confirmed"}).text
    assert kept in page and gone not in page and PHONE in page
    assert "日期" in cora.get("/admin/services/bookings", params={"first": "not-a-date"}).text

    r = cora.get("/admin/services/bookings.csv", params={"service": key})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.content.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads the Chinese right
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][:7] == ["预约编号", "服务", "日期", "时段", "时间", "姓名", "手机"]
    by_code = {row[0]: row for row in rows[1:]}
    assert set(by_code) == {kept, gone}
    assert by_code[kept][5:7] == ["王芳", PHONE] and by_code[gone][9] == "已取消"
    assert by_code[kept][11] == "接口"  # the channel in words, not "rest" (issue 13)
    with session_scope() as s:
        export = audit.entries(s, actor="cora", action="booking.export", limit=1)[0]
    assert export.detail["service"] == key and export.detail["rows"] == 2
    assert PHONE not in str(export.detail)

    day = slot.day.isoformat()
    only = cora.get("/admin/services/bookings.csv", params={"service": key, "first": day, "last": day,
                                                            "status": "cancelled"}).content.decode("utf-8-sig")
    assert gone in only and kept not in only
