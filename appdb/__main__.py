"""Command line of the application database.

    python -m appdb upgrade                      # run migrations to the newest schema
    python -m appdb seed [--today 2025-03-03]    # services from services.yml, open the coming slots
    python -m appdb create-user wang --role officer [--password-stdin] [--display-name 王老师]
    python -m appdb stats
    python -m appdb purge [--days N]             # delete personal data older than RETENTION_DAYS

The password is read from stdin or prompted for (twice, not echoed), never taken as an argument,
so it does not end up in shell history or the process list.
"""
from __future__ import annotations

import argparse
import getpass
import sys
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from appdb.catalogue import local_today
from appdb.models import (CASE_PRIORITIES, ROLES, AuditLog, Booking, Case, Service, Slot, UnansweredQuestion, User,
                          utcnow)
from appdb.session import database_url, session_scope, upgrade


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def cmd_upgrade(_args: argparse.Namespace) -> int:
    upgrade()
    print(f"schema up to date: {_safe_url(database_url())}")
    return 0


def cmd_seed(args: argparse.Namespace) -> int:
    from appdb.catalogue import seed

    with session_scope() as session:
        report = seed(session, args.today)
    print(f"services added: {', '.join(report.services_added) or '-'}; slots added: {report.slots_added}")
    return 0


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise SystemExit("passwords differ")
    return first


def cmd_create_user(args: argparse.Namespace) -> int:
    from appdb.users import create_user

    try:
        user = create_user(args.username, _read_password(args.password_stdin), args.role, actor="cli",
                           display_name=args.display_name)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"created {user.username} ({user.role})")
    return 0


def cmd_stats(_args: argparse.Namespace) -> int:
    now = utcnow()
    with session_scope() as session:
        def count(model, *where) -> int:
            return session.scalar(select(func.count()).select_from(model).where(*where)) or 0

        print(f"database: {_safe_url(database_url())}")
        print(f"services: {count(Service, Service.active.is_(True))} active / {count(Service)}")
        today = local_today()
        print(f"slots from today: {count(Slot, Slot.day >= today)}, "
              "open with free places: "
              f"{count(Slot, Slot.day >= today, Slot.status == 'open', Slot.booked < Slot.capacity)}")
        rows = session.execute(
            select(Service.name, func.count(Booking.id)).join(Slot, Slot.service_id == Service.id)
            .join(Booking, Booking.slot_id == Slot.id).where(Booking.status == "confirmed")
            .group_by(Service.name).order_by(Service.name)).all()
        print(f"bookings confirmed: {count(Booking, Booking.status == 'confirmed')}, "
              f"cancelled: {count(Booking, Booking.status == 'cancelled')}")
        for name, n in rows:
            print(f"  {name}: {n}")
        for status in ("new", "assigned", "closed"):
            by_priority = ", ".join(f"{p} {count(Case, Case.status == status, Case.priority == p)}"
                                    for p in CASE_PRIORITIES)
            print(f"cases {status}: {count(Case, Case.status == status)} ({by_priority})")
        print(f"cases overdue: {count(Case, Case.status != 'closed', Case.sla_due_at < now)}")
        print(f"unanswered questions, last 7 days: "
              f"{count(UnansweredQuestion, UnansweredQuestion.created_at >= now - timedelta(days=7))}")
        print(f"users: {count(User, User.active.is_(True))} active / {count(User)}; "
              f"audit entries: {count(AuditLog)}")
    return 0


def cmd_purge(args: argparse.Namespace) -> int:
    from appdb.retention import purge

    r = purge(args.days)
    print(f"purged data older than {r.cutoff:%Y-%m-%d %H:%M} UTC: {r.cases} closed cases, {r.bookings} bookings, "
          f"{r.unanswered} unanswered questions, {r.answers} answer-log rows, {r.conversations} conversations "
          f"({r.events} events), {r.sessions} expired console logins")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m appdb", description="application database")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("upgrade", help="run migrations to head").set_defaults(func=cmd_upgrade)
    p = commands.add_parser("seed", help="services from services.yml and the coming slots")
    p.add_argument("--today", type=date.fromisoformat, default=None, help="first day (YYYY-MM-DD)")
    p.set_defaults(func=cmd_seed)
    p = commands.add_parser("create-user", help="add a console account")
    p.add_argument("username")
    p.add_argument("--role", choices=ROLES, required=True)
    p.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    p.add_argument("--display-name", default=None,
                   help="the name workers read beside an officer's replies, e.g. 王老师 (default: the username)")
    p.set_defaults(func=cmd_create_user)
    commands.add_parser("stats", help="counts for a quick look").set_defaults(func=cmd_stats)
    p = commands.add_parser("purge", help="delete personal data older than RETENTION_DAYS")
    p.add_argument("--days", type=int, default=None, help="override RETENTION_DAYS")
    p.set_defaults(func=cmd_purge)
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except OperationalError as error:
        if args.command != "upgrade" and "no such table" in str(error).lower():
            print("error: the schema is missing; run `python -m appdb upgrade` first", file=sys.stderr)
            return 1
        raise


if __name__ == "__main__":
    sys.exit(main())
