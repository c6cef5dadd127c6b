"""The staff console under /admin: one module per area, each an APIRouter.

    session.py      login, logout, the landing page
    dashboard.py    figures and charts for everyone
    faq.py          curated FAQ entries: versions, review, publishing (curators)
    documents.py    official texts and policy documents: upload, chunk preview, retire (curators)
    leave_figures.py  a province's leave figures from its uploaded regulation: extract, submit, approve (curators)
    hit_test.py     what the bot would answer, with ranked hits and the decision (curators)
    unanswered.py   questions the bot could not answer, grouped (curators)
    services.py     services, slots and bookings with CSV export (curators)
    cases.py        the officers' case inbox and case pages (officers)
    live.py         server-sent events that keep an open inbox and case page up to date (officers)
    audit.py        the audit log, by person (admins)
    users.py        console accounts (admins)
"""
from __future__ import annotations

from fastapi import APIRouter

from console.admin import (audit, cases, dashboard, documents, faq, hit_test, leave_figures, live, services, session,
                           unanswered, users)

MODULES = (session, dashboard, faq, documents, leave_figures, hit_test, unanswered, services, cases, live, audit, users)
router = APIRouter()
for module in MODULES:
    router.include_router(module.router)
