"""Mask personal numbers before anything is logged or stored (implementation in appdb.privacy)."""
from __future__ import annotations

from appdb.privacy import mask

__all__ = ["mask"]
