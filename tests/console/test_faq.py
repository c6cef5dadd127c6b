"""FAQ curation over HTTP against a real console (uvicorn) with its own database, overlay and index copy:
roles, validation that keeps her input, four eyes, publishing (overlay + a real background build),
unanswered questions marked handled, preview, history with diff and rollback, CSRF, double submits."""
from __future__ import annotations

import json
import re
import time
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest
import yaml

from appdb import session as dbsession
from appdb.models import AuditLog, UnansweredQuestion
from appdb.unanswered import log_unanswered
from knowledge import store
from servers import copy_index
from staff import start_console

REBUILD_BUTTON = 'action="/admin/faq/rebuild"'
NEXT_YEAR = (date.today() + timedelta(days=365)).isoformat()
QUESTIONS = ["工会会员卡丢了怎么补办", "会员卡掉了去哪里补", "工会卡丢失补办流程", "会员卡不见了怎么办",
             "补办工会会员卡要带什么", "工会会员卡遗失了能重新办吗"]


def entry_form(**changes) -> dict:
    form = {"topic": "union", "questions": "\n".join(QUESTIONS),
            "answer": "会员卡丢了可以补办：找所在单位工会登记挂失，再申请补办。",
            "basis": "工会法 第六条", "region": "全国", "effective": "2022-01-01", "review_by": NEXT_YEAR,
            "note": "新问题"}
    return {**form, **changes}


@pytest.fixture(scope="module")
def console(tmp_path_factory):
    """This module's own console: publishing here builds into a copy of the index, never build/index."""
    root = tmp_path_factory.mktemp("faq-console")
    stack = start_console(root / "var", INDEX_DIR=str(copy_index(root / "index")))
    yield stack
    stack.stop_all()


@pytest.fixture(scope="module")
def console_url(console):
    return f"http://127.0.0.1:{console.console_port}"


def entry_id_of(response: httpx.Response) -> str:
    assert response.status_code == 303, response.text[:500]
    match = re.search(r"/admin/faq/([a-z_]+-\d+)", response.headers["location"])
    assert match, response.headers["location"]
    return match.group(1)


def create_entry(client, **changes) -> str:
    page = client.get("/admin/faq/new")
    token = re.search(r'name="form_token" value="([^"]+)"', page.text).group(1)
    return entry_id_of(client.form("/admin/faq/new", {**entry_form(**changes), "form_token": token}))


def test_only_curators_and_admins_use_the_faq_pages(console_url, as_user):
    assert httpx.get(f"{console_url}/admin/faq", follow_redirects=False).status_code in (302, 303, 307)
    assert httpx.post(f"{console_url}/admin/faq/preview", data={}).status_code == 401
    assert as_user("olga").get("/admin/faq").status_code == 403
    assert as_user("admin").get("/admin/faq").status_code == 200


def test_list_shows_shipped_entries_and_filters(as_user):
    cora = as_user("cora")
    page = cora.get("/admin/faq")
    assert "maternity-001" in page.text and "随系统提供" in page.text
    found = cora.get("/admin/faq", params={"q": "哺乳时间", "topic": "breastfeeding"}).text
    assert "breastfeeding-001" in found and "maternity-001" not in found
    assert "没有找到" in cora.get("/admin/faq", params={"q": "😀" * 300}).text
    assert "没有找到" in cora.get("/admin/faq", params={"status": "draft", "q": "绝不会有的词"}).text


def test_bad_input_is_explained_and_nothing_she_typed_is_lost(as_user):
    cora = as_user("cora")
    typed = entry_form(questions="只有一种问法😀", basis="火星法 第一条\n工会法 第六条 以及其他", region="火星",
                       effective="去年", answer="回答里有表情😀和<script>alert(1)</script>")
    r = cora.form("/admin/faq/new", typed)
    assert r.status_code == 422
    for words in ("至少要写 6 种", "不认识的法规名称：火星法", "第 2 行", "适用地区「火星」", "年-月-日"):
        assert words in r.text
    assert "只有一种问法😀" in r.text and "回答里有表情😀和&lt;script&gt;" in r.text and "<script>alert" not in r.text
    assert "火星法 第一条" in r.text and 'value="火星"' in r.text
    huge = cora.form("/admin/faq/new", entry_form(answer="长" * 30000))
    assert huge.status_code == 422 and "太长（30000 字）" in huge.text and "长" * 30000 in huge.text
    assert "绝不会有的词" not in cora.get("/admin/faq", params={"status": "draft"}).text


def test_preview_is_the_bots_own_wording(as_user):
    r = as_user("cora").form("/admin/faq/preview", entry_form())
    assert r.status_code == 200
    assert "会员卡丢了可以补办" in r.text and "法律依据：《工会法》第六条" in r.text and "适用地区：全国" in r.text
    incomplete = as_user("cora").form("/admin/faq/preview", entry_form(answer=""))
    assert "填完整后显示预览" in incomplete.text and "请填写回答" in incomplete.text


def test_new_entry_prefilled_from_unanswered_questions(as_user):
    page = as_user("cora").get("/admin/faq/new", params=[("question", "会员卡丢了咋办"), ("question", "工会卡补办"),
                                                         ("from_unanswered", "5,6")])
    assert "会员卡丢了咋办\n工会卡补办</textarea>" in page.text
    assert 'name="from_unanswered" value="5,6"' in page.text


def test_four_eyes_publish_marks_unanswered_handled_and_builds(console, on_console_db, as_user):
    log_unanswered("c-1", "工会会员卡丢了去哪补", "abstain")
    with dbsession.session_scope() as s:
        question_id = max(q.id for q in s.query(UnansweredQuestion))
    cora, carl = as_user("cora"), as_user("carl")
    page = cora.get("/admin/faq/new", params={"question": "工会会员卡丢了去哪补", "from_unanswered": str(question_id)})
    token = re.search(r'name="form_token" value="([^"]+)"', page.text).group(1)
    form = {**entry_form(), "from_unanswered": str(question_id), "form_token": token}
    first = cora.form("/admin/faq/new", form)
    entry_id = entry_id_of(first)
    assert entry_id_of(cora.form("/admin/faq/new", form)) == entry_id  # a double click: still one entry

    refused = cora.form(f"/admin/faq/{entry_id}/review", {"version": "1"}, follow_redirects=True)
    assert "不能审核自己" in refused.text
    assert "还没有审核通过" in carl.form(f"/admin/faq/{entry_id}/publish", {"version": "1"}, follow_redirects=True).text
    assert "已审核通过" in carl.form(f"/admin/faq/{entry_id}/review", {"version": "1"}, follow_redirects=True).text
    before = store.current_version(Path(console.env["INDEX_DIR"])).name
    published = cora.form(f"/admin/faq/{entry_id}/publish", {"version": "1"}, follow_redirects=True)
    assert "已发布" in published.text
    again = cora.form(f"/admin/faq/{entry_id}/publish", {"version": "1"}, follow_redirects=True)
    assert "已经发布了，无需再次发布" in again.text  # a second click does not publish twice

    overlay_file = Path(console.env["VAR_DIR"]) / "knowledge/faq/published.yml"
    records = yaml.safe_load(overlay_file.read_text(encoding="utf-8"))
    assert [r["id"] for r in records] == [entry_id] and records[0]["questions"] == QUESTIONS
    with dbsession.session_scope() as s:
        question = s.get(UnansweredQuestion, question_id)
        assert (question.status, question.handled_entry) == ("handled", entry_id)
        actions = {a.action: a.actor for a in s.query(AuditLog).filter(AuditLog.target == entry_id)}
    assert actions["faq.create"] == "cora" and actions["faq.review"] == "carl" and actions["faq.publish"] == "cora"

    status = wait_for_build(cora)
    live = store.current_version(Path(console.env["INDEX_DIR"]))
    assert live.name != before and live.name in status
    assert any(e.id == f"faq:{entry_id}" for e in store.read_entries(live / "entries.jsonl"))
    # the quick build kept the live encoder: the page offers to retrain it on the new entry's questions
    assert json.loads((live / "manifest.json").read_text())["encoder_stale"] and REBUILD_BUTTON in status


def wait_for_build(client, seconds: float = 300) -> str:
    """The FAQ page once the publisher is idle again (a build runs in the console's background)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        status = client.get("/admin/faq").text
        if 'data-state="failed"' in status or ('data-state="idle"' in status and "已是最新" in status):
            break
        time.sleep(1)
    assert "已是最新" in status, status[:3000]
    return status


def test_retraining_on_request_brings_the_encoder_up_to_date(console, as_user):
    assert as_user("olga").form("/admin/faq/rebuild").status_code == 403
    carl = as_user("carl")
    assert "已开始重建索引" in carl.form("/admin/faq/rebuild", follow_redirects=True).text
    status = wait_for_build(carl)
    live = store.current_version(Path(console.env["INDEX_DIR"]))
    assert not json.loads((live / "manifest.json").read_text())["encoder_stale"] and REBUILD_BUTTON not in status


def test_history_diff_rollback_and_withdraw(as_user):
    cora, carl = as_user("cora"), as_user("carl")
    entry_id = create_entry(cora, answer="第一版：找单位工会补办。")
    carl.form(f"/admin/faq/{entry_id}/review", {"version": "1"})
    edited = carl.form(f"/admin/faq/{entry_id}/edit", entry_form(answer="第二版：带身份证到单位工会补办。"),
                       follow_redirects=True)
    assert "第 2 版草稿已保存" in edited.text
    history = cora.get(f"/admin/faq/{entry_id}/history").text
    assert "<h3>回答</h3>" in history and "<h3>问法</h3>" not in history  # by field, in Chinese (issue 13)
    assert re.search(r'<div class="add"><span class="sr-only">新增：</span>\+ 第二版：带身份证', history)
    assert re.search(r'<div class="del"><span class="sr-only">删去：</span>- 第一版：找单位工会补办。', history)
    assert "answer:" not in history
    assert "已被替换" in history  # the reviewed version 1 is never changed in place
    assert "草稿还没处理" in cora.form(f"/admin/faq/{entry_id}/rollback", {"version": "1"}, follow_redirects=True).text
    cora.form(f"/admin/faq/{entry_id}/review", {"version": "2"})
    carl.form(f"/admin/faq/{entry_id}/publish", {"version": "2"})
    rolled = cora.form(f"/admin/faq/{entry_id}/rollback", {"version": "1"}, follow_redirects=True)
    assert "已按第 1 版建立第 3 版草稿" in rolled.text and "第一版：找单位工会补办。" in rolled.text
    withdrawn = carl.form(f"/admin/faq/{entry_id}/withdraw", {"reason": "过时"}, follow_redirects=True)
    assert "已撤下" in withdrawn.text


def test_forged_csrf_and_unknown_entries(as_user, console_url):
    cora = as_user("cora")
    assert cora.post("/admin/faq/new", data={**entry_form(), "csrf_token": "forged"}).status_code == 403
    assert cora.get("/admin/faq/nothing-999").status_code == 404
    assert cora.get("/admin/faq/nothing-999/history").status_code == 404
    assert "没有 nothing-999" in cora.form("/admin/faq/nothing-999/review", {"version": "1"},
                                          follow_redirects=True).text
    assert "版本号不对" in cora.form("/admin/faq/maternity-001/review", {"version": "abc"},
                                   follow_redirects=True).text  # in words, not a JSON 422
