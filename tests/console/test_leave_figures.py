"""A province's leave figures from an uploaded regulation, through a real console: upload and publish
a (made-up) 河南 regulation, 「提取地方假期天数」, a curator corrects and submits, the same curator
cannot approve, a second curator approves; then the leave table of this process (knowledge.regions
reading the console's overlay), the calculator and the rebuilt index all state the new figures.

This module runs its own console on a copy of the live index, so the rebuilds never touch build/index."""
from __future__ import annotations

import re
import sqlite3
import time
from contextlib import closing
from pathlib import Path

import httpx
import pytest
import yaml

from knowledge import store
from servers import copy_index
from staff import flash_of, login, start_console

pytestmark = pytest.mark.timeout(600)

PROVINCE = "河南"
REGULATION = """河南省人口与计划生育条例（测试文本）

第一条 为了测试本系统提取地方假期天数，制定本条例。

第二十五条 符合法律、法规规定生育子女的夫妻，女方除享受国家规定的产假外，延长产假六十天；\
生育第三个子女的，延长产假九十天。男方享受护理假三十天。

第二十六条 符合法律、法规规定生育子女的夫妻，在子女三周岁以内，夫妻双方每年各享受育儿假十天。
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("leave-figures")
    stack = start_console(root / "var", INDEX_DIR=str(copy_index(root / "index")))
    yield stack
    stack.stop_all()


@pytest.fixture(scope="module")
def base(site):
    return f"http://127.0.0.1:{site.console_port}"


@pytest.fixture(scope="module")
def cora(base):
    with closing(login(base, "cora")) as client:
        yield client


@pytest.fixture(scope="module")
def carl(base):
    with closing(login(base, "carl")) as client:
        yield client


@pytest.fixture
def table_of(site, monkeypatch):
    """This test process's knowledge.regions reading the console's overlay, as the action server would."""
    from settings import get_settings

    monkeypatch.setenv("KNOWLEDGE_OVERLAY_DIR", str(site.var_dir / "knowledge"))
    get_settings.cache_clear()
    from knowledge import regions

    yield regions
    monkeypatch.undo()
    get_settings.cache_clear()


def db(site, sql: str, *args) -> list[tuple]:
    with sqlite3.connect(site.var_dir / "app.db") as conn:
        return conn.execute(sql, args).fetchall()


def upload(client, text: str, **meta: str) -> str:
    r = client.post("/admin/documents", data={"csrf_token": client.csrf_token, **meta},
                    files={"file": ("条例.md", text.encode(), "application/octet-stream")})
    assert r.status_code == 303, r.text[:500]
    return r.headers["location"].split("?")[0].rsplit("/", 1)[1]


def form_values(html: str) -> dict[str, str]:
    """The extraction form as the browser would send it: every input and textarea with its value."""
    form = html.split('action="/admin/documents/')[1].split("</form>")[0]
    values = {m[0]: m[1] for m in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form)}
    values.update({m[0]: m[1] for m in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>([^<]*)</textarea>', form)})
    values.pop("csrf_token", None)
    return values


@pytest.fixture(scope="module")
def published_doc(site, cora):
    doc_id = upload(cora, REGULATION, title="河南省人口与计划生育条例（测试）", region=PROVINCE, effective="2024-01-01",
                    level="地方性法规")
    assert "msg=" in cora.form(f"/admin/documents/{doc_id}/publish").headers["location"]
    return doc_id


def test_propose_then_a_second_curator_approves_and_the_table_calculator_and_index_follow(
        site, cora, carl, published_doc, table_of):
    from answering.calculators import maternity_leave

    doc_id = published_doc
    assert not table_of.rules()[PROVINCE].verified
    assert maternity_leave(PROVINCE).total_days == 98

    assert "提取地方假期天数" in cora.get(f"/admin/documents/{doc_id}").text
    page = cora.get(f"/admin/documents/{doc_id}/leave-figures")
    assert page.status_code == 200 and "第二十五条" in page.text and "男方享受护理假三十天" in page.text
    form = form_values(page.text)
    assert {k: form[k] for k in ("maternity_extra_days", "maternity_second", "maternity_third", "paternity_days",
                                 "article_maternity", "article_paternity", "article_parental", "marriage_leave",
                                 "revised")} == {
        "maternity_extra_days": "60", "maternity_second": "", "maternity_third": "90", "paternity_days": "30",
        "article_maternity": "第二十五条", "article_paternity": "第二十五条", "article_parental": "第二十六条",
        "marriage_leave": "", "revised": "2024-01-01"}
    assert form["parental_leave"] == "在子女3周岁以内，夫妻双方每年各享受育儿假10天"

    wrong = cora.form(f"/admin/documents/{doc_id}/leave-figures", {**form, "paternity_days": "三十",
                                                                  "article_parental": "第九十九条"})
    assert wrong.status_code == 422 and "1 到 365 之间的天数" in wrong.text and "不是这份文件里的条文" in wrong.text
    assert 'value="三十"' in wrong.text  # her input comes back
    assert db(site, "select count(*) from region_proposals") == [(0,)]

    form["remark"] = "对照第二十五、二十六条核对过"
    submitted = cora.form(f"/admin/documents/{doc_id}/leave-figures", form)
    assert submitted.status_code == 303, submitted.text[:500]
    url = submitted.headers["location"].split("?")[0]
    proposal_id = int(url.rsplit("/", 1)[1])
    again = cora.form(f"/admin/documents/{doc_id}/leave-figures", form)  # a double click: the same proposal
    assert again.headers["location"].split("?")[0] == url
    assert db(site, "select status, proposed_by from region_proposals") == [("proposed", "cora")]

    own = cora.form(f"{url}/approve", follow_redirects=True)
    assert "不能批准自己提交的天数" in flash_of(own)
    assert "这是你提交的，需要另一位同事" in own.text
    assert db(site, "select status, reviewed_by from region_proposals") == [("proposed", None)]
    assert not (site.var_dir / "knowledge" / "regions.yml").exists()
    assert not table_of.rules()[PROVINCE].verified

    review = carl.get(url).text
    assert "核对无误，批准" in review and "男方享受护理假三十天" in review and "对照第二十五、二十六条核对过" in review
    approved = carl.form(f"{url}/approve", follow_redirects=True)
    assert "已批准" in flash_of(approved), approved.text[:500]
    assert "已批准，不能再批准" in flash_of(carl.form(f"{url}/approve", follow_redirects=True))  # a second click
    assert db(site, "select status, proposed_by, reviewed_by from region_proposals") == [("approved", "cora", "carl")]
    audit = db(site, "select actor, action, target from audit_log where action like 'leave_figures.%' order by id")
    assert audit == [("cora", "leave_figures.propose", PROVINCE), ("carl", "leave_figures.approve", PROVINCE)]

    rows = yaml.safe_load((site.var_dir / "knowledge" / "regions.yml").read_text(encoding="utf-8"))
    assert [(r["province"], r["verified"], r["doc_id"], r["proposed_by"], r["approved_by"]) for r in rows] == [
        (PROVINCE, True, doc_id, "cora", "carl")]

    rule = table_of.rules()[PROVINCE]
    assert (rule.verified, rule.source, rule.article, rule.maternity_extra_days, rule.maternity_extra_by_order,
            rule.paternity_days) == (True, "河南省人口与计划生育条例（测试）", "第二十五条", 60, {3: 90}, 30)
    assert rule.parental_leave == "在子女3周岁以内，夫妻双方每年各享受育儿假10天"
    assert rule.note == ""  # not the shipped "本项目尚未核对该省现行条例"
    calculation = maternity_leave(PROVINCE)
    assert calculation.total_days == 98 + 60 and calculation.region == PROVINCE
    assert "《河南省人口与计划生育条例（测试）》第二十五条" in [b.cite() for b in calculation.basis]
    assert maternity_leave(PROVINCE, child_order=3).total_days == 98 + 90
    assert table_of.rules()["广东"].maternity_extra_days == 80  # the other provinces as shipped

    listing = carl.get("/admin/leave-figures").text
    assert "4 / 31 个省份已核对" in listing and f"#{proposal_id}" in listing

    deadline = time.monotonic() + 300  # the background rebuild puts the province's answer into the index
    index_dir = site.env["INDEX_DIR"]
    while time.monotonic() < deadline:
        version = store.current_version(Path(index_dir))
        entries = {e.id: e for e in store.read_entries(version / "entries.jsonl")}
        if "合计158天" in entries[f"region:{PROVINCE}"].text:
            assert entries[f"region:{PROVINCE}"].extra["verified"] is True
            break
        time.sleep(3)
    else:
        pytest.fail("the approved figures never reached the index")


def test_approval_needs_the_document_published(site, cora, carl):
    doc_id = upload(cora, REGULATION.replace("测试文本", "未发布的测试文本"), title="湖北省人口与计划生育条例（测试）",
                    region="湖北")
    form = form_values(cora.get(f"/admin/documents/{doc_id}/leave-figures").text)
    url = cora.form(f"/admin/documents/{doc_id}/leave-figures", form).headers["location"].split("?")[0]
    refused = carl.form(f"{url}/approve", follow_redirects=True)
    assert "还没有发布" in flash_of(refused)
    rejected = carl.form(f"{url}/reject", {"reason": "请先发布原文"}, follow_redirects=True)
    assert "已退回" in flash_of(rejected) and "请先发布原文" in rejected.text
    assert db(site, "select status, reviewed_by, review_note from region_proposals where province = '湖北'") == [
        ("rejected", "carl", "请先发布原文")]


def test_a_national_document_has_no_leave_figures(site, cora):
    doc_id = upload(cora, "某某全国性规定\n\n第一条 女方延长产假六十天。\n", title="某某全国性规定", region="全国")
    assert "提取地方假期天数" not in cora.get(f"/admin/documents/{doc_id}").text
    r = cora.get(f"/admin/documents/{doc_id}/leave-figures", follow_redirects=True)
    assert "不是一个省份" in flash_of(r)


def test_roles_and_csrf(base, cora):
    with closing(login(base, "olga")) as officer:
        assert officer.get("/admin/leave-figures").status_code == 403
        assert officer.form("/admin/leave-figures/1/approve").status_code == 403
    with closing(login(base, "admin")) as admin:
        assert admin.get("/admin/leave-figures").status_code == 200
    assert httpx.post(f"{base}/admin/leave-figures/1/approve").status_code == 401
    assert cora.post("/admin/leave-figures/1/approve", data={"csrf_token": "forged"}).status_code == 403
    assert cora.get("/admin/leave-figures/99999").status_code == 404
    assert cora.get("/admin/leave-figures/x%27").status_code == 404
