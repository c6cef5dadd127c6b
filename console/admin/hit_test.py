"""Hit test (curators): type a question, see what the bot would answer and why.

The reply comes from the same code the action server runs (answering.compose.compose, a fresh
conversation, the live index), so a curator tests the real thing, not an imitation; the ranked
hits with their scores and the confidence decision come from Searcher.explain. It only reads, so
it is a GET form: a result can be shared as a link.
"""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from console.auth import Staff, require
from console.templating import render
from knowledge.places import canonical_province, province_names

router = APIRouter(prefix="/admin", include_in_schema=False)
MAX_QUESTION = 500  # longer than any chat message the widget lets through
DECISIONS = {"answer": "直接回答", "caveat": "回答并提示不确定", "abstain": "不回答，建议转人工",
             "calculation": "计算结果", "clarify": "先追问", "emergency": "紧急求助提示", "empty": "没有可回答的内容",
             "out_of_scope": "超出范围", "ack": "简单确认"}


def what_the_bot_says(question: str, province: str | None) -> dict:
    """The bot's reply to `question` as the first message of a conversation, and the retrieval behind it."""
    from answering.compose import Conversation, compose  # the answer code loads the live index lazily
    from knowledge.live import from_settings

    searcher = from_settings().get()
    entities = [{"entity": "province", "value": province}] if province else []
    reply = compose(question, None, entities, Conversation(), searcher)
    explain = searcher.explain(question, k=8, province=province)
    words = [t for t in explain["normalized_tokens"] if not t.startswith("#")]  # "#字" are character tokens
    return {"reply": reply, "explain": explain, "words": words, "hits": ranked(explain["hits"])}


def ranked(hits: list[dict]) -> list[dict]:
    """The hits with their scores as a share of the best in the list (the first is 100 %): raw
    scores (a fused rank score, a BM25 sum, a cosine) have no meaning a curator could read, their
    order and distance from the best do."""
    def share(key: str) -> list[str]:
        best = max((max(h[key], 0.0) for h in hits), default=0.0)
        return [percent(max(h[key], 0.0) / best) if best > 0 else "—" for h in hits]

    columns = {key: share(key) for key in ("score", "bm25", "dense")}
    return [{**h, **{f"{key}_share": values[i] for key, values in columns.items()}} for i, h in enumerate(hits)]


def percent(value: float | None) -> str:
    """0.8123 -> 81%: how the console shows a confidence or a share."""
    return "—" if value is None else f"{round(value * 100)}%"


@router.get("/hit-test")
async def hit_test(request: Request, staff: Annotated[Staff, Depends(require("curator"))],
                   q: Annotated[str, Query()] = "", province: Annotated[str, Query()] = "") -> Response:
    question = " ".join(q.split())
    chosen = canonical_province(province) if province else None
    problem = ""
    if len(question) > MAX_QUESTION:
        problem, question = f"问题太长（{len(question)} 字），只测试了前 {MAX_QUESTION} 字。", question[:MAX_QUESTION]
    if province and chosen is None:
        problem = f"「{province[:20]}」不是省级地区，已按不指定省份测试。"
    result = await run_in_threadpool(what_the_bot_says, question, chosen) if question else None
    return render(request, "hit_test.html", staff, percent=percent, q=question, province=chosen or "",
                  provinces=province_names(), result=result, decisions=DECISIONS, problem=problem)
