"""Conversations survive a restart; a newly published index is used without one."""
import shutil
import uuid

import httpx
import yaml

from conftest import joined
from knowledge import build, store
from servers import ROOT, start_stack
from settings import get_settings


def test_conversation_survives_a_rasa_restart(tmp_path):
    stack = start_stack(tmp_path / "stack")
    sender = "persist-" + uuid.uuid4().hex[:8]
    try:
        assert "98天" in joined(stack.say(sender, "生孩子能休多少天产假"))
        stack.stop("rasa")
        stack.start_rasa()
        tracker = httpx.get(f"{stack.rasa_url}/conversations/{sender}/tracker",
                            params={"token": stack.token}, timeout=30).json()
        assert any(e.get("event") == "user" for e in tracker["events"])
        assert tracker["slots"]["last_question"]
        assert "158天" in joined(stack.say(sender, "那上海呢"))  # context came back from the database
    finally:
        stack.stop_all()


def test_http_api_needs_the_token(tmp_path):
    stack = start_stack(tmp_path / "stack")
    try:
        r = httpx.get(f"{stack.rasa_url}/conversations/anyone/tracker", timeout=30)
        assert r.status_code == 401
    finally:
        stack.stop_all()


def test_new_index_is_picked_up_without_restart(tmp_path):
    """Publish a build with one more FAQ entry; the running action server answers from it."""
    index_dir = tmp_path / "build" / "index"
    live = store.current_version(get_settings().index_dir)
    shutil.copytree(live, index_dir / live.name)
    shutil.copytree(get_settings().index_dir / "cache", index_dir / "cache")
    store.publish(index_dir, index_dir / live.name)
    stack = start_stack(tmp_path / "stack", BUILD_DIR=str(tmp_path / "build"), INDEX_RELOAD_SECONDS="0.5")
    try:
        question = "工会春季徒步比赛的奖品是什么"
        before = joined(stack.say("reload-1", question))
        assert "徒步" not in before or "抱歉" in before
        extra = tmp_path / "faq"
        extra.mkdir()
        entry = {"id": "services-900", "topic": "services", "region": "全国", "status": "published",
                 "effective": "2026-01-01", "review_by": "2027-12-31",
                 "questions": [question, "徒步比赛有什么奖品", "春季徒步活动奖品", "工会徒步比赛发什么奖",
                               "徒步比赛完成了有奖品吗", "徒步大赛奖品有哪些"],
                 "answer": "春季徒步比赛的奖品由市总工会在服务大厅发放，完赛可领纪念奖章。",
                 "basis": [{"law": "工会法", "article": "第六条"}]}
        (extra / "hike.yml").write_text(yaml.safe_dump([entry], allow_unicode=True), encoding="utf-8")
        report = build.build(index_dir, get_settings().import_dirs, faq_dirs=[ROOT / "knowledge/content/faq", extra])
        assert store.current_version(index_dir).name == report.version
        answers = []
        for attempt in range(40):
            answers.append(joined(stack.say(f"reload-{attempt + 2}", question)))
            if "服务大厅" in answers[-1]:
                break
            import time
            time.sleep(0.5)
        assert "服务大厅" in answers[-1]
        assert all(a for a in answers)  # no failed request while the index was swapped
    finally:
        stack.stop_all()
