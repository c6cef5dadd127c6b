"""FAQ and unanswered-question routes against odd input and double clicks, on a real console.

Each test here failed before its fix: a 500 for a hand-edited version or question id, a published
entry missing from what the bot knows, a double click that acted twice or crashed (the tests of
simultaneous requests fail only when the race is lost, as it was in most runs before the fix).
"""
from __future__ import annotations

import re
import secrets
import threading
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from sqlalchemy import func, select

from appdb.models import AuditLog, FaqVersion, UnansweredQuestion, utcnow
# this module's own console, publishing into a copy of the index (never build/index)
from test_faq import console, console_url  # noqa: F401  (fixtures: the same module object pytest loaded)

NEXT_YEAR = (date.today() + timedelta(days=365)).isoformat()


def entry_form(**changes) -> dict:
    """A valid new entry whose variants are unique to this call."""
    tag = secrets.token_hex(3)
    form = {"topic": "union", "questions": "\n".join(f"工会会员卡{tag}丢了怎么补办{i}" for i in range(6)),
            "answer": "会员卡丢了可以补办：找所在单位工会登记挂失，再申请补办。", "basis": "工会法 第六条",
            "region": "全国", "effective": "2022-01-01", "review_by": NEXT_YEAR,
            "form_token": secrets.token_urlsafe(8)}
    return {**form, **changes}


def entry_id_of(response) -> str:
    assert response.status_code == 303, response.text[:500]
    return re.search(r"/admin/faq/([a-z_]+-\d+)", response.headers["location"]).group(1)


def refusal(response) -> str:
    """The ?err= a redirect carries (empty when it carries none)."""
    assert response.status_code == 303, f"{response.status_code}: {response.text[:300]}"
    return parse_qs(urlsplit(response.headers["location"]).query).get("err", [""])[0]


def reviewed_entry(author, reviewer) -> str:
    entry_id = entry_id_of(author.form("/admin/faq/new", entry_form()))
    assert not refusal(reviewer.form(f"/admin/faq/{entry_id}/review", {"version": "1"}))
    return entry_id


def at_once(calls: list) -> list:
    """Run the calls in parallel threads, as a double click or two curators do; their responses."""
    results: list = [None] * len(calls)

    def run(i: int) -> None:
        results[i] = calls[i]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def published_ids(console) -> set[str]:
    path = console.var_dir / "knowledge" / "faq" / "published.yml"
    return {raw["id"] for raw in yaml.safe_load(path.read_text(encoding="utf-8")) or []}


@pytest.mark.parametrize("posted", ["abc", "1.5", "", "9" * 30, "²", "-1"])
@pytest.mark.parametrize("action", ["review", "publish", "rollback"])
def test_a_version_no_button_sends_is_refused_in_words(as_user, action, posted):
    cora = as_user("cora")
    r = cora.form(f"/admin/faq/maternity-001/{action}", {"version": posted})
    assert r.status_code == 303, f"{r.status_code}: {r.text[:300]}"
    assert "版本" in refusal(r) or "没有" in refusal(r)


def test_history_with_a_malformed_version_shows_the_latest(as_user):
    r = as_user("cora").get("/admin/faq/maternity-001/history", params={"v": "abc"})
    assert r.status_code == 200 and "版本历史" in r.text


@pytest.mark.parametrize("ids", ["²", "9" * 30, "9" * 5000, "１２", "abc,,,"])
def test_dismissing_malformed_ids_is_refused_in_words(as_user, ids):
    r = as_user("cora").form("/admin/unanswered/dismiss", {"ids": ids})
    assert r.status_code == 303 and "err=" in r.headers["location"], f"{r.status_code}: {r.text[:300]}"


def test_a_real_id_among_junk_is_still_dismissed(as_user, app_db):
    row = UnansweredQuestion(created_at=utcnow(), conversation="r1", question="测试忽略", reason="abstain")
    app_db.add(row)
    app_db.commit()
    r = as_user("cora").form("/admin/unanswered/dismiss", {"ids": f"²,{'9' * 30},{row.id}"})
    assert "msg=" in r.headers["location"]
    app_db.refresh(row)
    assert row.status == "dismissed"


@pytest.mark.parametrize("junk", ["²", "9" * 30])
def test_new_entry_form_with_a_junk_link_opens(as_user, junk):
    r = as_user("cora").get("/admin/faq/new", params={"from_unanswered": f"{junk},7"})
    assert r.status_code == 200
    assert 'name="from_unanswered" value="7"' in r.text


def test_publish_with_junk_question_ids_still_reaches_the_bot(as_user, console, app_db):
    row = UnansweredQuestion(created_at=utcnow(), conversation="r1", question="会员卡补办", reason="abstain")
    app_db.add(row)
    app_db.commit()
    cora, carl = as_user("cora"), as_user("carl")
    entry_id = entry_id_of(cora.form("/admin/faq/new", entry_form(from_unanswered=f"{'9' * 30},²,{row.id}")))
    assert not refusal(carl.form(f"/admin/faq/{entry_id}/review", {"version": "1"}))
    assert not refusal(carl.form(f"/admin/faq/{entry_id}/publish", {"version": "1"}))
    assert entry_id in published_ids(console)
    app_db.refresh(row)
    assert (row.status, row.handled_entry) == ("handled", entry_id)


def test_publishes_at_the_same_time_all_reach_the_overlay(as_user, console):
    cora, carl = as_user("cora"), as_user("carl")
    entries = [reviewed_entry(cora, carl) for _ in range(8)]
    responses = at_once([lambda e=e: carl.form(f"/admin/faq/{e}/publish", {"version": "1"}) for e in entries])
    assert [refusal(r) for r in responses] == [""] * len(entries)
    assert set(entries) <= published_ids(console)


def test_double_click_on_rollback_makes_one_draft(as_user, app_db):
    cora, carl = as_user("cora"), as_user("carl")
    entry_id = reviewed_entry(cora, carl)
    assert not refusal(carl.form(f"/admin/faq/{entry_id}/publish", {"version": "1"}))
    responses = at_once([lambda: cora.form(f"/admin/faq/{entry_id}/rollback", {"version": "1"})] * 6)
    assert all(r.status_code == 303 for r in responses), [r.status_code for r in responses]
    assert sum(not refusal(r) for r in responses) == 1
    numbers = app_db.scalars(select(FaqVersion.version).where(FaqVersion.entry_id == entry_id)).all()
    assert sorted(numbers) == [1, 2]


def test_double_click_on_publish_publishes_once(as_user, app_db):
    cora, carl = as_user("cora"), as_user("carl")
    entry_id = reviewed_entry(cora, carl)
    responses = at_once([lambda: carl.form(f"/admin/faq/{entry_id}/publish", {"version": "1"})] * 4)
    assert sum(not refusal(r) for r in responses) == 1
    assert all("已经发布" in refusal(r) for r in responses if refusal(r))
    count = app_db.scalar(select(func.count()).select_from(AuditLog).where(
        AuditLog.action == "faq.publish", AuditLog.target == entry_id))
    assert count == 1


def test_a_note_too_long_is_refused_not_cut(as_user):
    note = "说明" * 300
    r = as_user("cora").form("/admin/faq/new", entry_form(note=note))
    assert r.status_code == 422
    assert "改动说明最多 500 字" in r.text and note in r.text
