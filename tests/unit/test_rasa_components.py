"""bot/components.py's BookingGuard in the Rasa environment: a question that only shares a word with a
service's name is not a booking; a booking request and a service's name typed alone stay bookings."""
import json
import os
import subprocess

import pytest

from servers import ROOT

GUARD = """
import json, sys
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.constants import INTENT, TEXT
from bot.components import BookingGuard

message = Message(data={TEXT: sys.argv[1]})
message.set(INTENT, {"name": "book_service", "confidence": 0.8})
BookingGuard().process_one(message)
print(json.dumps(message.get(INTENT)["name"]))
"""


@pytest.mark.parametrize("text,intent", [("我想离婚，孩子在哺乳期，抚养权会给谁", "nlu_fallback"),
                                         ("托育是不是只收三岁以下的孩子呢", "nlu_fallback"),
                                         ("能帮我约个心理疏导吗", "book_service"), ("两癌筛查", "book_service"),
                                         ("托管班在哪报名？", "book_service")])
def test_a_booking_needs_a_booking_word_when_it_is_a_question(text, intent):
    done = subprocess.run([str(ROOT / ".venv-rasa/bin/python"), "-c", GUARD, text], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == intent
