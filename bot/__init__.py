"""Rasa project of 女职工权益助手: config, domain, channels and custom NLU components."""
from bot import patches  # noqa: F401  (speeds up custom action calls; see bot/patches.py)
from bot import paused, privacy

privacy.install()  # phone and ID numbers masked in the log and the tracker store
paused.install()  # her messages while an officer holds her case are acknowledged (bot/paused.py)
