"""Unanswered questions: grouped by similarity and counted, filtered, linked to a new FAQ entry,
dismissed once. Rows are written by the same function the action server uses (log_unanswered)."""
from __future__ import annotations

import json
import re
import sqlite3
import subprocess
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from servers import ROOT

pytestmark = pytest.mark.timeout(300)

WRITE = """
import json, sys
from datetime import timedelta
from sqlalchemy import update
from appdb.models import UnansweredQuestion, utcnow
from appdb.session import session_scope
from appdb.unanswered import log_unanswered
for q, reason, top, days_ago in json.loads(sys.argv[1]):
    log_unanswered("test-conv", q, reason, 0.2, top)
    if days_ago:
        with session_scope() as s:
            last = s.query(UnansweredQuestion).order_by(UnansweredQuestion.id.desc()).first()
            last.created_at = utcnow() - timedelta(days=days_ago)
"""
ROWS = [
    ("怀孕被辞退怎么办", "abstain", "faq:dismissal-001", 0),
    ("怀孕了公司要辞退我 电话13812345678", "caveat", "faq:dismissal-001", 0),
    ("公司因为我怀孕开除我", "feedback", "", 0),
    ("哺乳时间每天多久", "abstain", "", 0),
    ("喂奶时间一天几个小时", "abstain", "", 0),
    ("婚假有几天", "abstain", "", 60),
]


@pytest.fixture(scope="module")
def logged(console):
    subprocess.run([str(ROOT / ".venv/bin/python"), "-c", WRITE, json.dumps(ROWS, ensure_ascii=False)],
                   cwd=ROOT, env=console.env, check=True)
    return console


def groups(html: str) -> list[str]:
    return html.split('<section class="card group">')[1:]


def group_with(html: str, text: str) -> str:
    matches = [g for g in groups(html) if text in g]
    assert len(matches) == 1, f"{text} is in {len(matches)} groups"
    return matches[0]


def test_similar_questions_are_one_counted_group_with_its_reasons(logged, as_user):
    html = as_user("cora").get("/admin/unanswered", params={"period": "all"}).text
    dismissal = group_with(html, "怀孕被辞退怎么办")
    assert '<span class="count">3</span>' in dismissal
    assert "公司因为我怀孕开除我" in dismissal and "138****5678" in dismissal and "13812345678" not in html
    for label in ("没有回答 1", "回答但不确定 1", "用户点了 👎 1"):
        assert label in dismissal
    assert '机器人试过的条目：<a href="/admin/faq/dismissal-001">' in dismissal  # by its question, not its id
    nursing = group_with(html, "哺乳时间每天多久")
    assert '<span class="count">2</span>' in nursing and "喂奶时间一天几个小时" in nursing
    assert html.index("怀孕被辞退怎么办") < html.index("哺乳时间每天多久")  # the most asked first


def test_the_faq_link_carries_the_questions_and_their_ids(logged, as_user):
    html = as_user("cora").get("/admin/unanswered", params={"period": "all"}).text
    href = re.search(r'href="(/admin/faq/new\?[^"]+)"', group_with(html, "哺乳时间每天多久")).group(1)
    query = parse_qs(urlsplit(href.replace("&amp;", "&")).query)
    assert sorted(query["question"]) == sorted(["哺乳时间每天多久", "喂奶时间一天几个小时"])
    assert len(query["from_unanswered"][0].split(",")) == 2


def test_filters_by_reason_and_period(logged, as_user):
    cora = as_user("cora")
    feedback = cora.get("/admin/unanswered", params={"reason": "feedback", "period": "all"}).text
    assert len(groups(feedback)) == 1 and "公司因为我怀孕开除我" in feedback and "哺乳" not in feedback
    recent = cora.get("/admin/unanswered", params={"period": "30"}).text
    assert "婚假有几天" not in recent and "哺乳时间每天多久" in recent
    assert "婚假有几天" in cora.get("/admin/unanswered", params={"period": "all"}).text
    assert cora.get("/admin/unanswered", params={"reason": "<script>", "period": "9999"}).status_code == 200


def test_dismissing_a_group_once(logged, as_user):
    cora = as_user("cora")
    html = cora.get("/admin/unanswered", params={"period": "all"}).text
    ids = re.search(r'name="ids" value="([0-9,]+)"', group_with(html, "婚假有几天")).group(1)
    first = cora.form("/admin/unanswered/dismiss", {"ids": ids, "period": "all"})
    assert first.status_code == 303 and "已忽略 1 条" in unquote(first.headers["location"])
    assert "婚假有几天" not in cora.get(first.headers["location"]).text
    again = cora.form("/admin/unanswered/dismiss", {"ids": ids, "period": "all"})
    assert "已忽略 0 条" in unquote(again.headers["location"])
    nothing = cora.form("/admin/unanswered/dismiss", {"ids": "abc,😀"})
    assert "err=" in nothing.headers["location"]
    with sqlite3.connect(logged.var_dir / "app.db") as db:
        assert db.execute("select status from unanswered_questions where question = '婚假有几天'").fetchall() == [
            ("dismissed",)]
        assert db.execute("select count(*) from audit_log where action = 'unanswered.dismissed' "
                          "and actor = 'cora'").fetchone() == (1,)


def test_only_curators_and_csrf(logged, as_user):
    assert as_user("otto").get("/admin/unanswered").status_code == 403
    forged = as_user("carl").post("/admin/unanswered/dismiss", data={"ids": "1", "csrf_token": "forged"})
    assert forged.status_code == 403
