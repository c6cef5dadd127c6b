"""The staff web application (port 8000). Today: the officer API and a health check; the staff
console and the public page with the chat widget are built on this app."""
from __future__ import annotations

from fastapi import FastAPI

from console.officer_api import router as officer_router

app = FastAPI(title="女职工权益助手 · 工作台", docs_url="/api/docs", openapi_url="/api/openapi.json")
app.include_router(officer_router)


@app.get("/healthz")
def health() -> dict:
    return {"ok": True}
