"""The application database now lives in the `appdb` package; this module keeps the old import."""
from __future__ import annotations

from appdb.unanswered import log_unanswered

__all__ = ["log_unanswered"]
