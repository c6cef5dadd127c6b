"""`make bench`: speed and memory of the real servers and of the retrieval layer, printed.

- REST latency one conversation at a time (median, p95) and turns/s with 20 concurrent
  conversations, against a freshly started Rasa server + action server on free ports;
- memory (RSS) of each server process after the load;
- search latency on a warm index, full index build time (KB + ../shared/corpus/laws, from an empty
  cache, so the encoder is trained too), an incremental rebuild, and the memory an index takes.
Figures are printed, never asserted: timing belongs here, not in tests.
"""
from __future__ import annotations

import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from servers import start_stack  # noqa: E402
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


async def concurrent(url: str, conversations: int = 20, turns_each: int = 15) -> tuple[float, list[float]]:
    latencies: list[float] = []

    async def talk(client: httpx.AsyncClient, n: int) -> None:
        for t in range(turns_each):
            t0 = time.perf_counter()
            r = await client.post(f"{url}/webhooks/rest/webhook",
                                  json={"sender": f"conc-{n}", "message": QUESTIONS[(n + t) % len(QUESTIONS)]})
            r.raise_for_status()
            latencies.append((time.perf_counter() - t0) * 1000)

    async with httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=conversations)) as client:
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


def bench_retrieval() -> None:
    from knowledge import build, store
    from knowledge.search import Searcher

    s = get_settings()
    before = psutil.Process().memory_info().rss
    searcher = Searcher(store.current_version(s.index_dir))
    print(f"index memory (RSS growth on load, incl. encoder): {(psutil.Process().memory_info().rss - before) / 2**20:.0f} MB; "
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


if __name__ == "__main__":
    bench_retrieval()
    bench_servers()
