"""Reaching a booking or case from another conversation: code + last four digits of the phone
(appdb/proof.py; issue 12, finding 1). The same rules run against the real servers in
tests/integration/test_trust_boundaries.py."""
from __future__ import annotations

from datetime import timedelta

import pytest

from appdb import booking, cases, proof
from appdb.models import utcnow
from test_appdb import book, db, make_slot, seeded  # noqa: F401 (fixtures)


@pytest.mark.parametrize("text,tails", [
    ("取消预约 K7M3Q2PY 尾号5678", {"5678"}),
    ("查询我的预约K7M3Q2PY手机后四位５６７８", {"5678"}),  # full-width digits
    ("取消预约 K7M3Q2PY 我的手机 139-1234-5678", {"5678"}),  # a whole number: its tail only
    ("取消预约 K7M3Q2PY +86 139 1234 5678", {"5678"}),
    ("取消预约 K7M3Q2PY", set()),
    ("取消预约 K7M3Q2PY 5678 0000", {"5678", "0000"}),
    ("预约 2345ABCD 改到2026年12月5日", set()),  # the code's digits and a year are no tail
    ("我的案件进展 AJ23456789 尾号1234", {"1234"}),
])
def test_tails_in(text, tails):
    assert proof.tails_in(text) == tails


def test_phones_in_free_text():
    assert proof.phones_in("电话 139 1234 5678，微信同号") == ["13912345678"]
    assert proof.phones_in("没有留") == []


def test_own_conversation_needs_no_proof(seeded):
    code = book(make_slot(), sender="wx:her", phone="13912345678").booking.code
    outcome, found = booking.access(code, "wx:her", "查询我的预约")
    assert outcome == "own" and found.code == code


def test_another_conversation_needs_code_and_tail(seeded):
    code = book(make_slot(), sender="wx:her", phone="13912345678").booking.code
    assert booking.access(code, "web:other", f"查询我的预约 {code}") == ("needs_proof", None)
    assert booking.access(code, "web:other", f"查询我的预约 {code} 尾号1234") == ("wrong", None)
    outcome, found = booking.access(code, "web:other", f"查询我的预约 {code} 尾号5678")
    assert outcome == "verified" and found.code == code
    # Proven once: later turns of that conversation (buttons, 改时间) need not repeat it …
    assert booking.access(code, "web:other", f"取消预约 {code}")[0] == "verified"
    assert [b.code for b in booking.reachable_bookings("web:other")] == [code]
    # … and no one else gains anything from it.
    assert booking.access(code, "web:third", f"取消预约 {code}") == ("needs_proof", None)
    assert booking.reachable_bookings("web:third") == []


def test_unknown_codes_answer_like_wrong_tails(seeded):
    assert booking.access("ZZZZ2345", "web:other", "查询我的预约 ZZZZ2345") == ("needs_proof", None)
    assert booking.access("ZZZZ2345", "web:other", "查询我的预约 ZZZZ2345 尾号5678") == ("wrong", None)


def test_several_tails_prove_nothing(seeded):
    code = book(make_slot(), sender="wx:her", phone="13912345678").booking.code
    assert booking.access(code, "web:other", f"取消预约 {code} 5678 1234 0000") == ("needs_proof", None)


def test_five_wrong_tails_lock_the_code_for_others_only(seeded):
    code = book(make_slot(), sender="wx:her", phone="13912345678").booking.code
    for i in range(proof.MAX_FAILURES):
        assert booking.access(code, f"web:guess{i}", f"取消预约 {code} 尾号{i:04d}")[0] == "wrong"
    assert booking.access(code, "web:late", f"取消预约 {code} 尾号5678") == ("locked", None)
    assert booking.access(code, "wx:her", f"取消预约 {code}")[0] == "own"
    later = utcnow() + proof.FAILURE_WINDOW + timedelta(minutes=1)
    assert booking.access(code, "web:late", f"取消预约 {code} 尾号5678", now=later)[0] == "verified"


def test_a_proof_expires(seeded):
    code = book(make_slot(), sender="wx:her", phone="13912345678").booking.code
    assert booking.access(code, "web:other", f"查询我的预约 {code} 尾号5678")[0] == "verified"
    later = utcnow() + proof.GRANT + timedelta(minutes=1)
    assert booking.access(code, "web:other", f"取消预约 {code}", now=later) == ("needs_proof", None)


def test_case_needs_the_tail_of_the_contact_number(db):
    def new_case(contact):
        return cases.create_case(sender_id="wx:her", channel="wechat", category="dismissal",
                                 summary={"contact": contact}, consent=True, transcript=[], risk=None,
                                 idempotency_key=contact or "none").code

    code = new_case("电话 139 1234 5678")
    assert cases.access(code, "web:other", f"我的案件进展 {code}") == ("needs_proof", None)
    assert cases.access(code, "web:other", f"我的案件进展 {code} 尾号0000") == ("wrong", None)
    outcome, case = cases.access(code, "web:other", f"我的案件进展 {code} 尾号5678")
    assert outcome == "verified" and case.code == code
    assert [c.code for c in cases.reachable_cases("web:other")] == [code]
    no_phone = new_case("")  # nothing to prove with: only her own conversation reaches it
    assert cases.access(no_phone, "web:other", f"我的案件进展 {no_phone} 尾号5678") == ("wrong", None)
    assert cases.access(no_phone, "wx:her", "我的案件进展")[0] == "own"
