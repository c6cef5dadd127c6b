"""Tell officers about a new case: a JSON webhook and/or an e-mail, whichever is configured.

Both are best effort and never block the worker's reply for long: a failed notice is logged and
the case is still in the officers' inbox (the case is the source of truth, not the notice).
The notice carries no personal details beyond the case code, category and priority.
"""
from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

import httpx

from settings import get_settings

log = logging.getLogger(__name__)


def _payload(case) -> dict:
    return {"event": "case_created", "code": case.code, "category": case.category,
            "priority": case.priority, "sla_due_at": case.sla_due_at.isoformat() if case.sla_due_at else None,
            "channel": case.channel}


def case_created(case) -> None:
    s = get_settings()
    if s.NOTIFY_WEBHOOK_URL:
        try:
            httpx.post(s.NOTIFY_WEBHOOK_URL, json=_payload(case), timeout=3).raise_for_status()
        except httpx.HTTPError:
            log.exception("case %s: webhook notice failed", case.code)
    if s.SMTP_HOST and s.SMTP_TO:
        try:
            _mail(case)
        except (OSError, smtplib.SMTPException):
            log.exception("case %s: e-mail notice failed", case.code)


def _mail(case) -> None:
    s = get_settings()
    message = EmailMessage()
    message["Subject"] = f"[女职工权益助手] 新案件 {case.code}（{case.priority}）"
    message["From"] = s.SMTP_FROM or s.SMTP_USER
    message["To"] = s.SMTP_TO
    message.set_content(f"新案件 {case.code}\n类别：{case.category}\n优先级：{case.priority}\n"
                        f"处理时限：{case.sla_due_at}\n请登录工作台查看详情。")
    with smtplib.SMTP(s.SMTP_HOST, s.SMTP_PORT, timeout=5) as smtp:
        if s.SMTP_USER:
            smtp.starttls()
            smtp.login(s.SMTP_USER, s.SMTP_PASSWORD)
        smtp.send_message(message)
