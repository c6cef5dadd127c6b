"""Documents in the console: upload (good, empty, huge, wrong type, bad metadata), the chunk
preview, publishing into the knowledge overlay, the rebuilt index answering from it, retiring.

This module runs its own console on a copy of the live index, so the rebuild a publish starts
writes to the copy and never to build/index."""
from __future__ import annotations

import sqlite3
import time
from contextlib import closing

import httpx
import pytest
import yaml

from servers import copy_index
from staff import login, start_console

pytestmark = pytest.mark.timeout(600)

LAW = """某某省女职工关爱试行条例

第一条 为了保护女职工的合法权益，制定本条例。

第二条 用人单位应当每年为女职工安排一次蜂巢眠芙体检，费用由单位承担。

第三条 女职工参加蜂巢眠芙体检的时间，视为正常出勤。
"""
UNIQUE_QUESTION = "蜂巢眠芙体检谁出钱"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("documents")
    stack = start_console(root / "var", INDEX_DIR=str(copy_index(root / "index")), CONSOLE_UPLOAD_MAX_MB="1")
    yield stack
    stack.stop_all()


@pytest.fixture(scope="module")
def cora(site):
    client = login(f"http://127.0.0.1:{site.console_port}", "cora")
    yield client
    client.close()


def overlay(site):
    return site.var_dir / "knowledge"


def db(site, sql: str, *args) -> list[tuple]:
    with sqlite3.connect(site.var_dir / "app.db") as conn:
        return conn.execute(sql, args).fetchall()


def upload(client, name: str, data: bytes, **meta: str) -> httpx.Response:
    return client.post("/admin/documents", data={"csrf_token": client.csrf_token, **meta},
                       files={"file": (name, data, "application/octet-stream")})


def test_only_curators_and_admins_reach_documents(site):
    base = f"http://127.0.0.1:{site.console_port}"
    anonymous = httpx.get(f"{base}/admin/documents", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/admin/login")
    assert httpx.post(f"{base}/admin/documents/x/retire", data={"reason": "x"}).status_code == 401
    with closing(login(base, "olga")) as officer:
        assert officer.get("/admin/documents").status_code == 403
        assert upload(officer, "a.md", LAW.encode()).status_code == 403
    with closing(login(base, "admin")) as admin:
        assert admin.get("/admin/documents").status_code == 200


def test_a_forged_csrf_token_is_refused(site, cora):
    r = cora.post("/admin/documents", data={"csrf_token": "forged"}, files={"file": ("a.md", LAW.encode())})
    assert r.status_code == 403
    assert db(site, "select count(*) from documents") == [(0,)]


def test_a_body_far_beyond_the_limit_is_refused_before_it_is_read(site, cora):
    before = db(site, "select count(*) from documents")
    r = upload(cora, "huge.txt", b"x" * (4 * 1024 * 1024))
    assert r.status_code == 413 and "上传的内容太大：最多 1 MB" in r.text
    assert db(site, "select count(*) from documents") == before
    assert not (overlay(site) / "staging").exists() or not any((overlay(site) / "staging").glob("*/huge.txt"))


@pytest.mark.parametrize("name, data, meta, message", [
    ("病毒.exe", b"MZ\x90\x00", {}, "不支持这种文件"),
    ("no-suffix", b"hello", {}, "没有扩展名"),
    ("empty.md", b"", {}, "文件是空的"),
    ("big.txt", "女职工".encode() * 170_000, {}, "文件太大"),  # 1.5 MB, the limit here is 1 MB
    ("ok.md", LAW.encode(), {"effective": "2024-13-01"}, "不是有效日期"),
    ("ok.md", LAW.encode(), {"effective": "2024-03-01", "repealed": "2023-01-01"}, "废止日期应当晚于施行日期"),
    ("ok.md", LAW.encode(), {"region": "火星🚀"}, "不是省级地区"),
])
def test_bad_uploads_get_a_clear_message_and_keep_what_she_typed(site, cora, name, data, meta, message):
    before = db(site, "select count(*) from documents")[0][0]
    r = upload(cora, name, data, title="我填的标题😀", **meta)
    assert r.status_code == 400
    assert message in r.text
    assert 'value="我填的标题😀"' in r.text  # the form comes back filled in
    assert db(site, "select count(*) from documents")[0][0] == before
    assert not (overlay(site) / "documents").exists()


def test_upload_preview_publish_and_the_bot_answers_from_it(site, cora):
    r = upload(cora, "../../上传/关爱 条例<1>.MD", LAW.encode(), title="某某省女职工关爱试行条例", region="广东省",
               effective="2024-03-01", issuer="某某省人大常委会", level="地方性法规")
    assert r.status_code == 303, r.text[:500]
    page_url = r.headers["location"].split("?")[0]
    doc_id = page_url.rsplit("/", 1)[1]
    staged = overlay(site) / "staging" / doc_id
    assert [p.name for p in sorted(staged.iterdir())] == ["关爱 条例_1.md", "关爱 条例_1.meta.yml"]
    assert yaml.safe_load((staged / "关爱 条例_1.meta.yml").read_text()) == {
        "title": "某某省女职工关爱试行条例", "region": "广东", "effective": "2024-03-01", "issuer": "某某省人大常委会",
        "level": "地方性法规", "doc_id": doc_id}

    again = upload(cora, "copy.md", LAW.encode())  # the same file a second time (a double click)
    assert again.status_code == 400 and "已经上传过" in again.text

    preview = cora.get(page_url).text
    for label in ("第一条", "第二条", "第三条"):
        assert label in preview
    assert "费用由单位承担" in preview and "广东" in preview and "2024-03-01" in preview
    assert "发布（3 段）" in preview

    published = cora.form(f"{page_url}/publish")
    assert published.status_code == 303 and "msg=" in published.headers["location"]
    assert not staged.exists()
    live = overlay(site) / "documents" / doc_id
    assert (live / "关爱 条例_1.md").read_text() == LAW
    assert yaml.safe_load((live / "关爱 条例_1.meta.yml").read_text())["doc_id"] == doc_id

    twice = cora.form(f"{page_url}/publish")
    assert "err=" in twice.headers["location"]
    assert db(site, "select status, chunks, published_by from documents where doc_id = ?", doc_id) == [
        ("published", 3, "cora")]
    actions = [a for (a,) in db(site, "select action from audit_log where target = ? order by id", doc_id)]
    assert actions == ["document.upload", "document.publish"]

    deadline = time.monotonic() + 300  # the background rebuild, then the console's live index reload
    while time.monotonic() < deadline:
        page = cora.get("/admin/hit-test", params={"q": UNIQUE_QUESTION, "province": "广东"}).text
        if f"law:{doc_id}:第二条" in page:
            break
        time.sleep(3)
    else:
        pytest.fail("the published document never reached the index")
    first_hit = page.split('<table class="hits">')[1].split("</tr>")[1]
    assert f"law:{doc_id}:" in first_hit and "某某省女职工关爱试行条例" in first_hit


def test_a_file_the_import_cannot_read_is_explained_and_cannot_be_published(site, cora):
    r = upload(cora, "扫描件.pdf", b"%PDF-1.4 this is not really a pdf")
    assert r.status_code == 303
    page_url = r.headers["location"].split("?")[0]
    assert "这份文件不能用" in cora.get(page_url).text
    refused = cora.form(f"{page_url}/publish")
    assert "err=" in refused.headers["location"]
    assert "不能发布" in cora.get(refused.headers["location"]).text


def test_retiring_an_official_text_writes_retired_yml_once(site, cora):
    doc_id = "劳动保障监察条例"
    assert doc_id in cora.get("/admin/documents").text
    no_reason = cora.form(f"/admin/documents/{doc_id}/retire", {"reason": "  "})
    assert "err=" in no_reason.headers["location"]
    assert not (overlay(site) / "retired.yml").exists()

    done = cora.form(f"/admin/documents/{doc_id}/retire", {"reason": "测试：已被新条例替代"})
    assert done.status_code == 303 and "msg=" in done.headers["location"]
    retired = yaml.safe_load((overlay(site) / "retired.yml").read_text())
    assert retired[doc_id]["reason"] == "测试：已被新条例替代" and retired[doc_id]["by"] == "cora"
    assert retired[doc_id]["date"]

    twice = cora.form(f"/admin/documents/{doc_id}/retire", {"reason": "再点一次"})
    assert "err=" in twice.headers["location"]
    assert yaml.safe_load((overlay(site) / "retired.yml").read_text())[doc_id]["reason"] == "测试：已被新条例替代"
    assert db(site, "select source, status, retired_by from documents where doc_id = ?", doc_id) == [
        ("import", "retired", "cora")]
    assert db(site, "select count(*) from audit_log where action = 'document.retire' and target = ?", doc_id) == [(1,)]


def test_retiring_a_staged_upload_deletes_it_without_touching_the_index(site, cora):
    r = upload(cora, "draft.txt", "第一条 误传的文件，没有用。\n第二条 这是第二条。".encode())
    doc_id = r.headers["location"].split("?")[0].rsplit("/", 1)[1]
    assert (overlay(site) / "staging" / doc_id).is_dir()
    done = cora.form(f"/admin/documents/{doc_id}/retire", {"reason": "上传错了"})
    assert "msg=" in done.headers["location"]
    assert not (overlay(site) / "staging" / doc_id).exists()
    assert doc_id not in yaml.safe_load((overlay(site) / "retired.yml").read_text())
    assert db(site, "select status from documents where doc_id = ?", doc_id) == [("retired",)]


def test_unknown_document_is_a_plain_404(cora):
    r = cora.get("/admin/documents/没有这个文件")
    assert r.status_code == 404 and "找不到这份文件" in r.text


def test_an_upload_name_loses_the_right_to_left_override_and_other_invisible_characters(site, cora):
    """「通知<U+202E>fdp.md」 shows as 「通知dm.pdf」: a curator must see the name the file really has (issue 12)."""
    text = "第一条 这份通知的名字藏了方向字符。\n第二条 第二条。"
    r = upload(cora, "通知\u202efdp\u200b\u2066\ufeff.md", text.encode())
    assert r.status_code == 303, r.text[:500]
    doc_id = r.headers["location"].split("?")[0].rsplit("/", 1)[1]
    staged = sorted(p.name for p in (overlay(site) / "staging" / doc_id).iterdir())
    assert staged == ["通知fdp.md", "通知fdp.meta.yml"]
    page = cora.get(f"/admin/documents/{doc_id}").text
    assert "\u202e" not in page and "\u2066" not in page and "\u200b" not in page
