"""bot/components.py's routing components in the Rasa environment. BookingGuard: a question that only
shares a word with a service's name is not a booking; a booking request and a service's name typed alone
stay bookings. CodeRouter: a code with words about it goes to that action whatever the classifier guessed,
unless she asks for a person."""
import json
import os
import subprocess

import pytest

from servers import ROOT

GUARD = """
import json, sys
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.constants import INTENT, TEXT
from bot import components

component, guessed, text = sys.argv[1:]
message = Message(data={TEXT: text})
message.set(INTENT, {"name": guessed, "confidence": 0.8})
getattr(components, component)().process_one(message)
print(json.dumps(message.get(INTENT)["name"]))
"""


def routed(component: str, guessed: str, text: str) -> str:
    """The intent `component` leaves on `text` after the classifier guessed `guessed`."""
    done = subprocess.run([str(ROOT / ".venv-rasa/bin/python"), "-c", GUARD, component, guessed, text], cwd=ROOT,
                          capture_output=True, text=True, timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("text,intent", [("我想离婚，孩子在哺乳期，抚养权会给谁", "nlu_fallback"),
                                         ("托育是不是只收三岁以下的孩子呢", "nlu_fallback"),
                                         ("能帮我约个心理疏导吗", "book_service"), ("两癌筛查", "book_service"),
                                         ("托管班在哪报名？", "book_service")])
def test_a_booking_needs_a_booking_word_when_it_is_a_question(text, intent):
    assert routed("BookingGuard", "book_service", text) == intent


@pytest.mark.parametrize("guessed,text,intent", [
    ("human_handover", "确认取消预约 K7M3Q2PY", "cancel_booking"),  # the confirm button's words
    ("human_handover", "查询我的预约 K7M3Q2PY 尾号8000", "check_booking"),
    ("human_handover", "转人工，我的预约K7M3Q2PY", "human_handover"),
    ("emergency", "他在门口砸门，取消预约 K7M3Q2PY", "emergency")])
def test_a_code_routes_unless_she_asks_for_a_person(guessed, text, intent):
    assert routed("CodeRouter", guessed, text) == intent
