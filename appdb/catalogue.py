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
from sqlalchemy import select
from sqlalchemy.orm import Session

from appdb.models import Service, Slot, local_tz

SERVICES_FILE = Path(__file__).resolve().parent.parent / "knowledge" / "content" / "services.yml"
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
    services_updated: list[str] = field(default_factory=list)
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
    """Upsert the services of the file and add the missing open slots from `today` on.

    Services no longer in the file are left alone (set `active: false` to withdraw one, so its
    bookings keep their service). Runs in the caller's transaction.
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
        elif any(getattr(service, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(service, k, v)
            report.services_updated.append(spec.key)
        session.flush()
        if spec.active:
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
    for service in session.scalars(select(Service).where(Service.active.is_(True)).order_by(Service.id)):
        for word in (service.name, *(service.aliases or []), service.key):
            needle = _norm(word)
            if needle and needle in haystack and (best is None or len(needle) > best[0]):
                best = (len(needle), service)
    return best[1] if best else None


def get_service(session: Session, key: str) -> Service | None:
    return session.scalar(select(Service).where(Service.key == key))
