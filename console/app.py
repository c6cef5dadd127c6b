"""The web application (port 8000): the public page with the chat widget (console/public.py), the
officer API and a health check; the staff console is built on this app."""
from __future__ import annotations

from fastapi import FastAPI

from console import public
from console.officer_api import router as officer_router

app = FastAPI(title="女职工权益助手 · 工作台", docs_url="/api/docs", openapi_url="/api/openapi.json")
app.include_router(officer_router)
public.mount(app)  # the public page at / and the chat widget at /widget


@app.get("/healthz")
def health() -> dict:
    return {"ok": True}
