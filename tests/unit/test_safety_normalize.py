import pytest

from knowledge.privacy import mask
from knowledge.normalize import normalize
from knowledge.safety import detect


@pytest.mark.parametrize("text,category", [
    ("丈夫威胁要打死我", "threat"), ("我不想活了", "self_harm"), ("老公又打我了", "violence"),
    ("他說要殺了我", "threat"), ("有人一直跟踪我", "threat"),
])
def test_danger_is_recognised(text, category):
    assert detect(text) == category


@pytest.mark.parametrize("text", ["什么行为属于性骚扰", "公司打算辞退我", "打卡记录能当证据吗", "产假多少天"])
def test_ordinary_questions_are_not_emergencies(text):
    assert detect(text) is None


def test_normalize_traditional_width_controls_and_typos():
    assert normalize("女職工產假\x00幾天？") == "女职工产假几天?"
    assert normalize("产价多少天") == "产假多少天"
    assert normalize("x" * 5000).__len__() == 2000


def test_mask_phone_and_id_numbers():
    text = mask("手机13812345678，身份证110101199003071234")
    assert "13812345678" not in text and "138****5678" in text
    assert "199003071234" not in text
