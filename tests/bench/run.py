"""`make bench`: speed and memory of the real servers and of the retrieval layer, printed.

- REST latency one conversation at a time (median, p95) and turns/s with 20 concurrent
  conversations, against a freshly started Rasa server + action server on free ports;
- memory (RSS) of each server process after the load;
- the scaled deployment (`make cluster`: PostgreSQL, Redis, nginx): turns/s, p50 and p95 with 20 and
  40 concurrent conversations on one replica and on two behind nginx, side by side;
- search latency on a warm index, full index build time (KB + ../shared/corpus/laws, from an empty
  cache, so the encoder is trained too), an incremental rebuild, and the memory an index takes;
- the staff console: page latency (dashboard over 100k logged answers, FAQ list, case inbox, hit
  test), its memory, and the time from 发布 of a new FAQ entry until the running bot answers with it.
Figures are printed, never asserted: timing belongs here, not in tests.
"""
from __future__ import annotations

import asyncio
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from servers import copy_index, start_stack  # noqa: E402
from staff import create_accounts, login  # noqa: E402
from settings import get_settings  # noqa: E402

QUESTIONS = [
    "产假有多少天", "怀孕了公司要辞退我怎么办", "哺乳期可以拒绝加班吗", "生育津贴怎么算", "那广东呢",
    "双胞胎呢", "什么是性骚扰", "招聘时问我有没有结婚合法吗", "劳动仲裁要钱吗", "孕期能上夜班吗",
    "怀孕三个月流产休几天", "12351是什么电话", "你好", "谢谢", "今天天气怎么样",
    "我在上海，2025年5月10日生的宝宝，产假到哪天", "公司让我签自愿离职协议", "经期能不能干冷水作业",
]


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * (len(values) - 1)))]


def sequential(url: str, turns: int = 150) -> list[float]:
    latencies = []
    with httpx.Client(timeout=30) as client:
        for i in range(turns):
            t0 = time.perf_counter()
            r = client.post(f"{url}/webhooks/rest/webhook",
                            json={"sender": f"seq-{i // 6}", "message": QUESTIONS[i % len(QUESTIONS)]})
            r.raise_for_status()
            latencies.append((time.perf_counter() - t0) * 1000)
    return latencies


async def concurrent(url: str, conversations: int = 20, turns_each: int = 15, headers: dict | None = None,
                     prefix: str = "conc") -> tuple[float, list[float]]:
    latencies: list[float] = []

    async def talk(client: httpx.AsyncClient, n: int) -> None:
        for t in range(turns_each):
            t0 = time.perf_counter()
            r = await client.post(f"{url}/webhooks/rest/webhook",
                                  json={"sender": f"{prefix}-{n}", "message": QUESTIONS[(n + t) % len(QUESTIONS)]})
            r.raise_for_status()
            latencies.append((time.perf_counter() - t0) * 1000)

    async with httpx.AsyncClient(timeout=300, limits=httpx.Limits(max_connections=conversations),
                                 headers=headers) as client:
        t0 = time.perf_counter()
        await asyncio.gather(*(talk(client, n) for n in range(conversations)))
        elapsed = time.perf_counter() - t0
    return conversations * turns_each / elapsed, latencies


def rss_mb(pid: int) -> float:
    proc = psutil.Process(pid)
    return sum(p.memory_info().rss for p in [proc, *proc.children(recursive=True)]) / 2**20


def bench_servers() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        stack = start_stack(Path(tmp))
        try:
            sequential(stack.rasa_url, 20)  # warm-up
            lat = sequential(stack.rasa_url)
            print(f"REST one at a time: n={len(lat)} median={statistics.median(lat):.0f} ms "
                  f"p95={_pct(lat, 0.95):.0f} ms")
            rate, clat = asyncio.run(concurrent(stack.rasa_url))
            print(f"REST 20 concurrent conversations: {rate:.1f} turns/s "
                  f"(median {statistics.median(clat):.0f} ms, p95 {_pct(clat, 0.95):.0f} ms)")
            for name, proc in stack.procs.items():
                print(f"memory {name} server: {rss_mb(proc.pid):.0f} MB RSS")
        finally:
            stack.stop_all()


def bench_cluster() -> None:
    """One replica (straight to it) and two behind nginx, on the same PostgreSQL and Redis."""
    from deploy.cluster import Cluster

    folder = Path(tempfile.mkdtemp(prefix="wra-bench-cluster-"))
    cluster = Cluster(folder, replicas=2)
    try:
        cluster.start()
        auth = {"Authorization": f"Bearer {cluster.rest_token}"}
        for stack in cluster.stacks:  # warm-up: the first turns load the index and the models
            asyncio.run(concurrent(stack.rasa_url, 2, 5, auth, f"warm-{stack.rasa_port}"))
        for conversations in (20, 40):
            figures = []
            for name, url in (("1 replica", cluster.stacks[0].rasa_url), ("2 replicas + nginx", cluster.url)):
                rate, lat = asyncio.run(concurrent(url, conversations, 10, auth, f"{name[0]}-{conversations}"))
                figures.append(rate)
                print(f"cluster {conversations} conversations, {name}: {rate:.1f} turns/s "
                      f"(p50 {statistics.median(lat):.0f} ms, p95 {_pct(lat, 0.95):.0f} ms)")
            print(f"cluster {conversations} conversations: two replicas give {figures[1] / figures[0]:.2f}× one")
    finally:
        cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)


def bench_retrieval() -> None:
    from knowledge import build, store
    from knowledge.search import Searcher

    s = get_settings()
    before = psutil.Process().memory_info().rss
    searcher = Searcher(store.current_version(s.index_dir))
    print(f"index memory (RSS growth on load, incl. encoder): "
          f"{(psutil.Process().memory_info().rss - before) / 2**20:.0f} MB; "
          f"{searcher.manifest['units']} units, {sum(searcher.manifest['entries'].values())} entries")
    questions = [json.loads(line)["q"] for line in
                 (Path(s.SHARED_DIR) / "eval" / "dev_questions.jsonl").read_text(encoding="utf-8").splitlines() if line]
    for q in questions[:10]:
        searcher.search(q)
    times = []
    for i in range(400):
        t0 = time.perf_counter()
        searcher.search(questions[i % len(questions)])
        times.append((time.perf_counter() - t0) * 1000)
    print(f"search (warm): median={statistics.median(times):.1f} ms p95={_pct(times, 0.95):.1f} ms")
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        report = build.build(Path(tmp) / "index", s.import_dirs, dense_model=s.DENSE_MODEL)
        full = time.perf_counter() - t0
        t0 = time.perf_counter()
        build.build(Path(tmp) / "index", s.import_dirs, dense_model=s.DENSE_MODEL)
        again = time.perf_counter() - t0
    print(f"index build from scratch (KB + {report.documents} documents, encoder trained): {full:.1f} s; "
          f"incremental rebuild: {again:.1f} s")


NEW_ENTRY = {"topic": "union", "region": "全国", "effective": "2022-01-01", "review_by": "2099-01-01",
             "questions": "\n".join(["工会会员卡丢了怎么补办", "会员卡掉了去哪里补", "工会卡丢失补办流程",
                                     "会员卡不见了怎么办", "补办工会会员卡要带什么", "工会会员卡遗失了能重新办吗"]),
             "answer": "会员卡丢了可以补办：找所在单位工会登记挂失，再申请补办。", "basis": "工会法 第六条",
             "note": "bench"}


def _fill_answer_log(db_url: str, rows: int = 100_000) -> None:
    from datetime import timedelta

    from sqlalchemy import insert
    from sqlalchemy.orm import Session

    from appdb.models import AnswerLog, utcnow
    from appdb.session import make_engine

    engine, now = make_engine(db_url), utcnow()
    kinds = ("answer", "calculation", "caveat", "abstain", "clarify")
    with Session(engine) as session:
        session.execute(insert(AnswerLog), [
            {"at": now - timedelta(minutes=i * 1.2), "conversation": f"c{i % 7000}", "channel": "rest",
             "kind": kinds[i % 5], "topic": "maternity", "entry_id": "", "confidence": 0.5} for i in range(rows)])
        session.commit()
    engine.dispose()


def _page_times(client, path: str, n: int = 30) -> str:
    client.get(path)
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        client.get(path).raise_for_status()
        times.append((time.perf_counter() - t0) * 1000)
    return f"median {statistics.median(times):.0f} ms, p95 {_pct(times, 0.95):.0f} ms"


def _publish_to_answer(stack, cora, carl) -> float:
    """Seconds from 发布 until the bot answers a wording of the new entry it never saw."""
    import re

    page = cora.get("/admin/faq/new")
    token = re.search(r'name="form_token" value="([^"]+)"', page.text).group(1)
    entry = re.search(r"/admin/faq/([a-z_]+-\d+)", cora.form("/admin/faq/new", {**NEW_ENTRY, "form_token": token})
                      .headers["location"]).group(1)
    carl.form(f"/admin/faq/{entry}/review", {"version": "1"})
    t0 = time.perf_counter()
    cora.form(f"/admin/faq/{entry}/publish", {"version": "1"})
    while time.perf_counter() - t0 < 300:
        if "登记挂失" in " ".join(m.get("text", "") for m in stack.say(f"bench-{time.time()}", "工会卡弄丢了咋补")):
            return time.perf_counter() - t0
        time.sleep(0.5)
    return float("nan")


def bench_console() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        stack = start_stack(Path(tmp) / "var", INDEX_DIR=str(copy_index(Path(tmp) / "index")),
                            INDEX_RELOAD_SECONDS="0.5")
        try:
            create_accounts(stack.env)
            stack.start_console()
            _fill_answer_log(stack.env["APP_DB_URL"])
            base = f"http://127.0.0.1:{stack.console_port}"
            admin, cora, carl = login(base, "admin"), login(base, "cora"), login(base, "carl")
            print(f"console dashboard (100k answers, 30 days): {_page_times(admin, '/admin/dashboard')}; "
                  f"90 days: {_page_times(admin, '/admin/dashboard?days=90')}")
            print(f"console FAQ list (191 entries): {_page_times(cora, '/admin/faq')}; "
                  f"case inbox: {_page_times(admin, '/admin/cases')}; "
                  f"hit test: {_page_times(cora, '/admin/hit-test?q=怀孕被辞退怎么办')}")
            print(f"publish → the running bot answers with the new entry: "
                  f"{_publish_to_answer(stack, cora, carl):.1f} s")
            print(f"memory console: {rss_mb(stack.procs['console'].pid):.0f} MB RSS (searcher loaded for the hit test)")
        finally:
            stack.stop_all()


if __name__ == "__main__":
    bench_retrieval()
    bench_servers()
    bench_cluster()
    bench_console()
