"""The union's services and their time slots are data (knowledge/content/services.yml), not code.

`seed` writes the file into the database and opens slots for the coming days; it is safe to run
any number of times (at every deploy, or daily from cron to roll the window forward). It never
changes a slot that already exists, so places already booked are never lost or double-counted.
`find_service` recognises a service in a worker's words ("想约个宫颈癌筛查" → 两癌筛查).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from appdb import audit
from appdb.models import Booking, Service, Slot, local_tz, storable_id
from appdb.session import session_scope
from knowledge.content import CONTENT

SERVICES_FILE = CONTENT / "services.yml"
PERIODS = ("上午", "下午", "晚上")
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


@dataclass(frozen=True)
class PeriodTemplate:
    period: str
    start: str
    end: str
    capacity: int


@dataclass(frozen=True)
class ServiceSpec:
    """One service as written in services.yml, validated."""

    key: str
    name: str
    aliases: tuple[str, ...]
    description: str
    location: str
    eligibility: str
    extra_fields: tuple[str, ...]
    active: bool
    weekdays: frozenset[int]  # ISO: 1 = Monday
    days_ahead: int
    periods: tuple[PeriodTemplate, ...]


@dataclass(frozen=True)
class Catalogue:
    services: tuple[ServiceSpec, ...]
    closed_dates: frozenset[date] = frozenset()


@dataclass
class SeedReport:
    services_added: list[str] = field(default_factory=list)
    slots_added: int = 0


def _period(raw: dict[str, Any], where: str) -> PeriodTemplate:
    p = PeriodTemplate(str(raw["period"]), str(raw["start"]), str(raw["end"]), int(raw["capacity"]))
    if p.period not in PERIODS:
        raise ValueError(f"{where}: period must be one of {PERIODS}, not {p.period!r}")
    if not (_TIME.match(p.start) and _TIME.match(p.end) and p.start < p.end):
        raise ValueError(f"{where}: start/end must be HH:MM with start < end ({p.start}-{p.end})")
    if p.capacity < 0:
        raise ValueError(f"{where}: capacity must be >= 0")
    return p


def _spec(raw: dict[str, Any]) -> ServiceSpec:
    key = str(raw["key"])
    slots = raw.get("slots") or {}
    weekdays = frozenset(int(d) for d in slots.get("weekdays") or [])
    if not weekdays <= set(range(1, 8)):
        raise ValueError(f"{key}: weekdays are ISO numbers 1..7")
    periods = tuple(_period(p, key) for p in slots.get("periods") or [])
    if len({p.period for p in periods}) != len(periods):
        raise ValueError(f"{key}: a period appears twice")
    return ServiceSpec(
        key=key, name=str(raw["name"]), aliases=tuple(str(a) for a in raw.get("aliases") or []),
        description=str(raw.get("description") or "").strip(), location=str(raw.get("location") or ""),
        eligibility=str(raw.get("eligibility") or "").strip(),
        extra_fields=tuple(str(f) for f in raw.get("extra_fields") or []),
        active=bool(raw.get("active", True)), weekdays=weekdays,
        days_ahead=int(slots.get("days_ahead", 14)), periods=periods)


@lru_cache(maxsize=4)
def load_catalogue(path: Path = SERVICES_FILE) -> Catalogue:
    """Read and check services.yml: a broken file fails at seed time, not in a conversation."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    specs = tuple(_spec(raw) for raw in data.get("services") or [])
    keys = [s.key for s in specs]
    if len(set(keys)) != len(keys):
        raise ValueError("services.yml: duplicate service key")
    owner: dict[str, str] = {}
    for spec in specs:
        for word in {_norm(w) for w in (spec.name, *spec.aliases)}:
            if owner.setdefault(word, spec.key) != spec.key:
                raise ValueError(f"services.yml: {word!r} names both {owner[word]} and {spec.key}")
    closed = frozenset(date.fromisoformat(str(d)) for d in data.get("closed_dates") or [])
    return Catalogue(specs, closed)


def local_today() -> date:
    return datetime.now(local_tz()).date()


def seed(session: Session, today: date | None = None, *, path: Path = SERVICES_FILE) -> SeedReport:
    """Add the file's services that the database does not have yet, and the missing open slots
    from `today` on (for active services, as the database says).

    The file is the starting catalogue: once a service exists, staff edit it in the console, so a
    daily seed never undoes their changes (name, location, active …). Runs in the caller's transaction.
    """
    today = today or local_today()
    catalogue = load_catalogue(Path(path))
    report = SeedReport()
    existing = {s.key: s for s in session.scalars(select(Service))}
    for spec in catalogue.services:
        values = dict(name=spec.name, aliases=list(spec.aliases), description=spec.description,
                      location=spec.location, eligibility=spec.eligibility,
                      extra_fields=list(spec.extra_fields), active=spec.active)
        service = existing.get(spec.key)
        if service is None:
            service = Service(key=spec.key, **values)
            session.add(service)
            report.services_added.append(spec.key)
        session.flush()
        if service.active:
            report.slots_added += _add_slots(session, service, spec, today, catalogue.closed_dates)
    return report


def _add_slots(session: Session, service: Service, spec: ServiceSpec, today: date,
               closed: frozenset[date]) -> int:
    last = today + timedelta(days=spec.days_ahead - 1)
    have = set(session.execute(
        select(Slot.day, Slot.period).where(Slot.service_id == service.id, Slot.day >= today,
                                            Slot.day <= last)).all())
    added = 0
    for offset in range(spec.days_ahead):
        day = today + timedelta(days=offset)
        if day.isoweekday() not in spec.weekdays or day in closed:
            continue
        for p in spec.periods:
            if (day, p.period) not in have:
                session.add(Slot(service_id=service.id, day=day, period=p.period, start_time=p.start,
                                 end_time=p.end, capacity=p.capacity, booked=0, status="open"))
                added += 1
    session.flush()
    return added


def _norm(text: str) -> str:
    """Full-width to half-width, case-folded, without spaces: how we compare service names."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()


def find_service(text: str, session: Session | None = None) -> Service | None:
    """The active service whose name or alias occurs in `text` (longest match wins), or None.

    Matches against the database, so what the bot recognises is what can be booked.
    """
    if session is None:
        from appdb.session import session_scope

        with session_scope() as own:
            return find_service(text, own)
    haystack = _norm(text or "")
    if not haystack:
        return None
    best: tuple[int, Service] | None = None
    for service in bookable_services(session):
        for word in (service.name, *(service.aliases or []), service.key):
            needle = _norm(word)
            if needle and needle in haystack and (best is None or len(needle) > best[0]):
                best = (len(needle), service)
    return best[1] if best else None


def bookable_services(session: Session) -> list[Service]:
    """The services the bot offers, from the database: a service staff created in the console is
    offered, a deactivated one is not (the YAML catalogue only seeds the database)."""
    return list(session.scalars(select(Service).where(Service.active.is_(True)).order_by(Service.id)))


def get_service(session: Session, key: str) -> Service | None:
    return session.scalar(select(Service).where(Service.key == key))


# --- staff edits from the console (each function one transaction, audited) ---

SERVICE_KEY = re.compile(r"^[a-z][a-z0-9_]{1,63}$")
RESERVED_KEYS = frozenset({"new", "bookings"})  # console paths beside /admin/services/{key}
MAX_SLOT_DAYS = 92  # one quarter: a longer range is more likely a typo than a plan
MAX_CAPACITY = 1000
MAX_TEXT = 2000  # description, eligibility: the bot reads them out in the booking dialogue
MAX_ALIASES = 60


@dataclass(frozen=True)
class ServiceForm:
    """What staff may edit of a service (extra_fields stay as the booking dialogue expects them)."""
    name: str
    aliases: tuple[str, ...]
    description: str
    location: str
    eligibility: str
    active: bool


def _check_form(session: Session, key: str, form: ServiceForm) -> None:
    """Refuse what would confuse the bot: no name, or a name/alias that already names another service."""
    if not form.name.strip() or len(form.name) > 64:
        raise ValueError("服务名称不能为空，最多 64 个字。")
    if len(form.location) > 200:
        raise ValueError("地点最多 200 个字。")
    if len(form.description) > MAX_TEXT or len(form.eligibility) > MAX_TEXT:
        raise ValueError(f"介绍和预约条件各最多 {MAX_TEXT} 个字：机器人会把它们念给职工听。")
    if len(form.aliases) > MAX_ALIASES or any(len(a) > 32 for a in form.aliases):
        raise ValueError(f"别名最多 {MAX_ALIASES} 个，每个不超过 32 个字。")
    mine = {_norm(w) for w in (form.name, *form.aliases) if _norm(w)}
    for other in session.scalars(select(Service).where(Service.key != key)):
        taken = mine & {_norm(w) for w in (other.name, *(other.aliases or []))}
        if taken:
            raise ValueError(f"“{'、'.join(sorted(taken))}”已经是服务“{other.name}”的名称或别名，"
                             "同一个叫法不能指两项服务。")


def save_service(key: str, form: ServiceForm, *, actor: str, create: bool) -> Service:
    """Create (`create`) or update a service. ValueError with a message for staff when refused."""
    with session_scope() as session:
        service = get_service(session, key)
        if create:
            if not SERVICE_KEY.match(key) or key in RESERVED_KEYS:
                raise ValueError("标识只能用小写英文字母、数字和下划线，以字母开头，2 到 64 个字符。")
            if service is not None:
                raise ValueError(f"标识 {key} 已经被服务“{service.name}”使用。")
        elif service is None:
            raise LookupError(key)
        _check_form(session, key, form)  # before the new row exists: its query would flush it half-filled
        if service is None:
            service = Service(key=key, extra_fields=[])
            session.add(service)
        for name, value in (("name", form.name.strip()), ("aliases", [a for a in form.aliases if a]),
                            ("description", form.description.strip()), ("location", form.location.strip()),
                            ("eligibility", form.eligibility.strip()), ("active", form.active)):
            setattr(service, name, value)
        session.flush()
        audit.record(session, actor, "service.create" if create else "service.update", key,
                     name=service.name, active=service.active)
        return service


@dataclass(frozen=True)
class SlotPlan:
    """Slots to open: every chosen weekday from `first` to `last`, one period each day."""
    first: date
    last: date
    weekdays: frozenset[int]
    period: str
    start: str
    end: str
    capacity: int

    def days(self) -> list[date]:
        count = (self.last - self.first).days + 1
        return [d for d in (self.first + timedelta(n) for n in range(count)) if d.isoweekday() in self.weekdays]


def _check_plan(plan: SlotPlan) -> None:
    if plan.period not in PERIODS:
        raise ValueError(f"时段要选{'、'.join(PERIODS)}之一。")
    if not (_TIME.match(plan.start) and _TIME.match(plan.end) and plan.start < plan.end):
        raise ValueError("开始和结束时间要写成 09:00 这样，并且开始早于结束。")
    if not 0 <= plan.capacity <= MAX_CAPACITY:
        raise ValueError(f"名额要在 0 到 {MAX_CAPACITY} 之间。")
    if plan.last < plan.first:
        raise ValueError("结束日期不能早于开始日期。")
    if plan.first < local_today():
        raise ValueError("不能在今天之前开放号源：请检查开始日期。")
    if (plan.last - plan.first).days >= MAX_SLOT_DAYS:
        raise ValueError(f"一次最多开放 {MAX_SLOT_DAYS} 天的号源。")
    if not plan.weekdays:
        raise ValueError("请至少选择一个星期几。")


def add_slots(key: str, plan: SlotPlan, *, actor: str) -> tuple[int, int]:
    """Open the planned slots; days that already have this period are left as they are.
    Returns (added, skipped). ValueError (with the reason) for a plan that makes no sense."""

    _check_plan(plan)
    with session_scope() as session:
        service = get_service(session, key)
        if service is None:
            raise LookupError(key)
        have = set(session.scalars(select(Slot.day).where(
            Slot.service_id == service.id, Slot.period == plan.period, Slot.day >= plan.first,
            Slot.day <= plan.last)))
        new = [d for d in plan.days() if d not in have]
        session.add_all(Slot(service_id=service.id, day=d, period=plan.period, start_time=plan.start,
                             end_time=plan.end, capacity=plan.capacity, booked=0, status="open") for d in new)
        audit.record(session, actor, "slot.create", key, first=plan.first.isoformat(), last=plan.last.isoformat(),
                     period=plan.period, capacity=plan.capacity, added=len(new))
        return len(new), len(plan.days()) - len(new)


def _slot(session: Session, slot_id: int) -> Slot:
    """The slot, or LookupError (also for an id no database column can hold, which SQLite would
    answer with OverflowError: a hand-edited URL gets "没有这个号源", not a 500)."""
    slot = session.get(Slot, slot_id) if storable_id(slot_id) else None
    if slot is None:
        raise LookupError(slot_id)
    return slot


def set_capacity(slot_id: int, capacity: int, *, actor: str) -> Slot:
    """Change a slot's capacity; never below the places already booked (the database's CHECK
    backs this conditional update; the message says how many are booked)."""

    if not 0 <= capacity <= MAX_CAPACITY:
        raise ValueError(f"名额要在 0 到 {MAX_CAPACITY} 之间。")
    with session_scope() as session:
        slot = _slot(session, slot_id)
        changed = session.execute(update(Slot).where(Slot.id == slot_id, Slot.booked <= capacity)
                                  .values(capacity=capacity).execution_options(synchronize_session=False))
        session.refresh(slot)
        if changed.rowcount != 1:
            raise ValueError(f"这个时段已有 {slot.booked} 人预约，名额不能少于 {slot.booked}。")
        audit.record(session, actor, "slot.capacity", str(slot_id), capacity=capacity)
        return slot


def set_slot_status(slot_id: int, status: str, *, actor: str) -> tuple[Slot, int]:
    """Close or reopen a slot. Confirmed bookings of a closed slot are kept (staff call those
    workers); the count of them is returned so the page can say so."""

    if status not in ("open", "closed"):
        raise ValueError(status)
    with session_scope() as session:
        slot = _slot(session, slot_id)
        slot.status = status
        confirmed = session.scalar(select(func.count()).select_from(Booking).where(
            Booking.slot_id == slot_id, Booking.status == "confirmed")) or 0
        audit.record(session, actor, "slot.close" if status == "closed" else "slot.reopen", str(slot_id),
                     confirmed=confirmed)
        return slot, confirmed


def service_slots(key: str, since: date) -> tuple[Service | None, list[Slot]]:
    """A service and its slots from `since` on, in calendar order."""
    with session_scope() as session:
        service = get_service(session, key)
        if service is None:
            return None, []
        return service, list(session.scalars(select(Slot).where(Slot.service_id == service.id, Slot.day >= since)
                                             .order_by(Slot.day, Slot.start_time)))


def all_services() -> list[Service]:
    with session_scope() as session:
        return list(session.scalars(select(Service).order_by(Service.active.desc(), Service.id)))
