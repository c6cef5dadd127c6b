"""Every action the audit log records has a Chinese name (issue 13, finding 9: the log showed
`case.view` and raw JSON). The actions are found in the code itself, so a new `audit.record(…,
"x.y")` without a name in appdb.audit.ACTION_LABELS fails here."""
from __future__ import annotations

import ast
import re
from pathlib import Path

from appdb.audit import ACTION_LABELS, DETAIL_LABELS
from appdb.models import UNANSWERED_STATUSES

ROOT = Path(__file__).resolve().parents[2]
ACTION = re.compile(r"^(?:login|logout|(?:login|access|user|case|booking|service|slot|faq|document|leave_figures|"
                    r"retention)\.[a-z_]+)$")


def actions_in_code() -> set[str]:
    found = {f"unanswered.{status}" for status in UNANSWERED_STATUSES}  # recorded as f"unanswered.{status}"
    for package in ("appdb", "console", "workflows"):
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Constant) and isinstance(node.value, str) and ACTION.match(node.value) \
                        and not node.value.endswith(".html"):  # template names
                    found.add(node.value)
    return found


def test_every_recorded_action_has_a_chinese_name():
    actions = actions_in_code()
    assert {"case.view", "faq.publish", "login", "access.verified", "login.locked"} <= actions
    assert actions - set(ACTION_LABELS) == set()


def test_the_page_shows_details_as_named_lines_without_secrets():
    from console.admin.audit import readable

    lines = readable({"channel": "socketio", "priority": "urgent", "version": 2, "active": True,
                      "figures": {"maternity_extra_days": 60, "maternity_extra_by_order": {"3": 90}},
                      "password_hash": "x", "csrf_token": "y", "something_new": "z"})
    assert lines == [("渠道", "网页小窗"), ("紧急程度", "紧急"), ("版本", "2"), ("开放", "是"),
                     ("天数", "延长生育假：60，按孩次延长生育假：第3个孩子：90"), ("其他", "z")]
    assert all(re.fullmatch(r"[^a-z]+", label) for label in DETAIL_LABELS.values())
    assert readable({"old": "curator", "new": "officer"}) == [("原来", "内容编辑"), ("改为", "维权专员")]
    assert readable({"old": "王芳", "new": "王老师"}) == [("原来", "王芳"), ("改为", "王老师")]
