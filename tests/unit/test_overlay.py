"""The knowledge overlay (what the console publishes) and FAQ versions: merge, retire, four eyes, rollback, diff,
validation. Real YAML files and a real migrated SQLite database."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
import yaml
from sqlalchemy import select

from appdb import session as dbsession
from workflows import faq_review as faq
from appdb.models import AuditLog
from knowledge import content, overlay
from knowledge.build import BuildReport, collect
from knowledge.models import Entry

NEXT_YEAR = (date.today() + timedelta(days=365)).isoformat()


def entry_data(**changes) -> dict:
    data = {"topic": "union", "questions": [f"工会会员卡丢了怎么补办{i}" for i in range(6)],
            "answer": "找所在单位工会登记后补办。", "basis": [{"law": "工会法", "article": "第六条"}],
            "region": "全国", "effective": "2022-01-01", "review_by": NEXT_YEAR, "related": []}
    return {**data, **changes}


@pytest.fixture
def db(tmp_path, monkeypatch):
    monkeypatch.setenv("APP_DB_URL", f"sqlite:///{tmp_path / 'app.db'}")
    dbsession.reset_engine()
    dbsession.upgrade()
    yield
    dbsession.reset_engine()


# ---- overlay files ----------------------------------------------------------------------------

def test_merge_replaces_adds_and_withdraws(tmp_path):
    shipped = [{"id": "a-001", "answer": "old"}, {"id": "a-002", "answer": "two"}, {"id": "a-003", "answer": "3"}]
    overlay.write_faq(tmp_path, [{"id": "a-001", "answer": "new"}, {"id": "a-900", "answer": "added"}], ["a-002"])
    merged = overlay.merge_faq(shipped, tmp_path)
    assert [(r["id"], r["answer"]) for r in merged] == [("a-001", "new"), ("a-003", "3"), ("a-900", "added")]
    assert overlay.merge_faq(shipped, tmp_path / "nothing-here") == shipped


def test_overlay_files_are_written_whole(tmp_path):
    overlay.write_faq(tmp_path, [{"id": "x-900", "answer": "产假98天😀"}], ["b", "a", "a"])
    assert yaml.safe_load((tmp_path / "faq/published.yml").read_text(encoding="utf-8"))[0]["answer"] == "产假98天😀"
    assert overlay.withdrawn(tmp_path) == ["a", "b"]
    assert sorted(p.name for p in (tmp_path / "faq").iterdir()) == ["published.yml", "withdrawn.yml"]  # no temp left


def test_malformed_overlay_is_reported(tmp_path):
    (tmp_path / "faq").mkdir()
    (tmp_path / "faq/published.yml").write_text("id: not-a-list\n", encoding="utf-8")
    with pytest.raises(ValueError, match="expected a YAML list"):
        overlay.published(tmp_path)


def test_retired_documents_are_marked_repealed(tmp_path):
    overlay.write_yaml(tmp_path / "retired.yml", {"old-rule": {"date": "2025-03-01", "reason": "废止", "by": "cora"}})
    kept = Entry(id="law:new:第一条", kind="law", title="新规", text="…", doc_id="new-rule")
    gone = Entry(id="law:old:第一条", kind="law", title="旧规", text="…", doc_id="old-rule", extra={"refs": ["x"]})
    result = overlay.retire([kept, gone], tmp_path)
    assert result[0] is kept
    assert result[1].repealed == date(2025, 3, 1) and result[1].extra == {"refs": ["x"]}


def test_build_collects_shipped_content_with_the_overlay(tmp_path):
    shipped_id = content.load_faq_raw()[0]["id"]
    changed = {**content.load_faq_raw()[0], "answer": "覆盖后的回答"}
    new = {"id": "union-950", "status": "published", **entry_data()}
    overlay.write_faq(tmp_path, [changed, new], [content.load_faq_raw()[1]["id"]])
    docs = overlay.documents_dir(tmp_path) / "rules"
    docs.mkdir(parents=True)
    (docs / "rules.md").write_text("# 某市女职工关爱办法\n\n第一条 用人单位每年组织女职工两癌筛查一次。\n",
                                   encoding="utf-8")
    report = BuildReport()
    entries = {e.id: e for e in collect([], report, overlay_dir=tmp_path)}
    assert entries[f"faq:{shipped_id}"].text == "覆盖后的回答"
    assert "faq:union-950" in entries
    assert f"faq:{content.load_faq_raw()[1]['id']}" not in entries
    assert report.documents == 1 and any("两癌筛查" in e.text for e in entries.values() if e.kind != "faq")


# ---- validation -------------------------------------------------------------------------------

def test_valid_entry_has_no_problems():
    assert faq.validate(entry_data()) == []


@pytest.mark.parametrize("changes, words", [
    ({"questions": ["只有一种问法"]}, "至少要写 6 种"),
    ({"questions": ["同一句"] * 6}, "重复"),
    ({"topic": ""}, "主题"),
    ({"answer": "  "}, "回答"),
    ({"answer": "长" * 3000}, "太长"),
    ({"basis": []}, "法律依据"),
    ({"basis": [{"law": "不存在的法"}]}, "不认识的法规名称"),
    ({"region": "火星"}, "适用地区"),
    ({"effective": "2022/01/01"}, "年-月-日"),
    ({"review_by": "2020-01-01"}, "已经过了"),
])
def test_problems_are_named_in_plain_chinese(changes, words):
    problems = faq.validate(entry_data(**changes))
    assert any(words in p for p in problems), problems


def test_province_short_name_is_a_valid_region():
    assert faq.validate(entry_data(region="上海")) == []


# ---- versions ---------------------------------------------------------------------------------

def test_new_entry_goes_draft_reviewed_published_with_four_eyes(db):
    with dbsession.session_scope() as s:
        entry_id = faq.create(s, "cora", entry_data(), "新问题", from_unanswered=[3, 4]).entry_id
    assert entry_id == "union-900"
    with dbsession.session_scope() as s:
        with pytest.raises(faq.FaqError, match="不能审核自己"):
            faq.review(s, "cora", entry_id, 1)
        with pytest.raises(faq.FaqError, match="还没有审核"):
            faq.publish(s, "carl", entry_id, 1)
        assert faq.live_overlay(s) == ([], [])
    with dbsession.session_scope() as s:
        faq.review(s, "carl", entry_id, 1)
        faq.publish(s, "cora", entry_id, 1)
        published, withdrawn = faq.live_overlay(s)
        v1 = faq.versions(s, entry_id)[0]
        assert (v1.status, v1.reviewed_by, v1.published_by) == ("published", "carl", "cora")
        assert v1.reviewed_at and v1.published_at
        assert faq.unanswered_ids(s, entry_id) == [3, 4]
    assert published[0]["id"] == entry_id and published[0]["status"] == "published" and withdrawn == []
    content.faq_entry(published[0])  # the overlay record loads like shipped content


def test_someone_who_edited_a_draft_cannot_review_it(db):
    with dbsession.session_scope() as s:
        entry_id = faq.create(s, "cora", entry_data()).entry_id
        faq.edit(s, "carl", entry_id, entry_data(answer="卡丢了先到单位工会挂失，再补办。"))
    with dbsession.session_scope() as s:
        for person in ("cora", "carl"):
            with pytest.raises(faq.FaqError):
                faq.review(s, person, entry_id, 1)
        assert faq.review(s, "admin", entry_id, 1).status == "reviewed"


def test_double_submitted_form_creates_one_entry(db):
    with dbsession.session_scope() as s:
        first = faq.create(s, "cora", entry_data(), form_token="tok-1").entry_id
    with dbsession.session_scope() as s:
        assert faq.create(s, "cora", entry_data(), form_token="tok-1").entry_id == first
        assert faq.create(s, "cora", entry_data(), form_token="tok-2").entry_id != first


def test_editing_a_shipped_entry_keeps_version_zero_and_supersedes(db):
    raw = content.load_faq_raw()[0]
    entry_id = str(raw["id"])
    changed = {**faq.shipped()[entry_id], "answer": raw["answer"] + "\n补充：可以先电话咨询12351。"}
    with dbsession.session_scope() as s:
        draft = faq.edit(s, "cora", entry_id, changed, "补充热线")
        assert draft.version == 1
        faq.review(s, "carl", entry_id, 1)
        faq.publish(s, "carl", entry_id, 1)
    with dbsession.session_scope() as s:
        v0, v1 = faq.versions(s, entry_id)
        assert (v0.version, v0.created_by, v0.status) == (0, faq.SHIPPED_BY, "superseded")
        assert v1.status == "published"
        [change] = faq.diff(v0, v1)  # only the answer changed, named as curators call it
        assert change.label == "回答"
        assert [line.strip() for kind, line in change.lines if kind != "same"] == ["补充：可以先电话咨询12351。"]
        assert ("same", raw["answer"].splitlines()[0]) in change.lines


def test_reviewed_text_is_never_changed_in_place(db):
    with dbsession.session_scope() as s:
        entry_id = faq.create(s, "cora", entry_data(related=["union-001"])).entry_id
        faq.review(s, "carl", entry_id, 1)
        form_data = {k: v for k, v in entry_data(answer="新写法").items() if k != "related"}  # as the form sends it
        second = faq.edit(s, "cora", entry_id, form_data)
        assert second.version == 2 and second.status == "draft" and second.data["related"] == ["union-001"]
        assert faq.versions(s, entry_id)[0].status == "superseded"
        assert faq.versions(s, entry_id)[0].data["answer"] == "找所在单位工会登记后补办。"


def test_withdraw_and_rollback(db):
    with dbsession.session_scope() as s:
        entry_id = faq.create(s, "cora", entry_data()).entry_id
        faq.review(s, "carl", entry_id, 1)
        faq.publish(s, "carl", entry_id, 1)
        faq.edit(s, "cora", entry_id, entry_data(answer="第二版回答"))
        faq.review(s, "carl", entry_id, 2)
        faq.publish(s, "carl", entry_id, 2)
        with pytest.raises(faq.FaqError, match="没有第 7 版"):
            faq.rollback(s, "cora", entry_id, 7)
        third = faq.rollback(s, "cora", entry_id, 1)
        assert (third.version, third.status, third.data["answer"]) == (3, "draft", "找所在单位工会登记后补办。")
        with pytest.raises(faq.FaqError, match="草稿还没处理"):
            faq.rollback(s, "cora", entry_id, 2)
        faq.withdraw(s, "carl", entry_id, "内容过时")
        assert faq.live_overlay(s) == ([], [entry_id])
        with pytest.raises(faq.FaqError, match="没有发布"):
            faq.withdraw(s, "carl", entry_id)
        rows = {r.entry_id: r for r in faq.overview(s, status="withdrawn")}
        assert rows[entry_id].pending == "draft"
    with dbsession.session_scope() as s:
        actions = [a.action for a in s.scalars(select(AuditLog).where(AuditLog.target == entry_id))]
    assert {"faq.create", "faq.edit", "faq.review", "faq.publish", "faq.rollback", "faq.withdraw"} <= set(actions)


def test_overview_lists_shipped_and_new_entries_and_searches_text(db):
    with dbsession.session_scope() as s:
        entry_id = faq.create(s, "cora", entry_data(answer="会员卡补办请带一寸照片三张。")).entry_id
        rows = faq.overview(s)
        assert len(rows) == len(content.load_faq_raw()) + 1
        assert {r.status for r in rows} == {"shipped", "draft"}
        assert [r.entry_id for r in faq.overview(s, text="一寸照片三张")] == [entry_id]
        assert all(r.topic == "union" for r in faq.overview(s, topic="union"))
        assert faq.overview(s, text="完全不会出现的词组合😀") == []


def test_overlay_lock_is_reentrant_and_keeps_other_threads_out(tmp_path):
    """A read-decide-write of the overlay must not interleave with another one (a lost publish),
    and a nested use in one thread must not wait for itself."""
    import threading
    import time

    order: list[str] = []

    def other() -> None:
        with overlay.locked(tmp_path):
            order.append("other")

    with overlay.locked(tmp_path):
        with overlay.locked(tmp_path):  # nested: would hang on a second flock if not re-entrant
            order.append("nested")
        thread = threading.Thread(target=other)
        thread.start()
        time.sleep(0.3)
        order.append("first done")
    thread.join(5)
    assert order == ["nested", "first done", "other"]
