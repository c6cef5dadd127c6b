"""Kept only while bot/channels/textsplit.py still imports `mask` from here: the one definition is
knowledge.privacy (standard library, so both Python environments import it)."""
from knowledge.privacy import mask  # noqa: F401
