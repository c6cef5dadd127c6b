"""Self-harm is recognised in the words people put around it, not only in set phrases; everyday
words that merely contain 死 or 药 are not an emergency."""
import pytest

from knowledge.safety import detect


SELF_HARM = ["厂里欠我工资，我觉得活着都没什么意思了", "真想吃老鼠药算了", "晚上睡着了就不要醒来多好",
             "我想从这个世界上消失", "被辞退了，死了倒干净", "我想跳江", "活着有什么意义"]
EVERYDAY = ["医生开的中药今天喝药了吗", "我们那个部门消失了", "这个死规定", "加班累死了", "产假工资怎么算"]


@pytest.mark.parametrize("text", SELF_HARM)
def test_self_harm_in_everyday_wording(text):
    assert detect(text) == "self_harm"


@pytest.mark.parametrize("text", EVERYDAY)
def test_everyday_words_are_not_an_emergency(text):
    assert detect(text) is None


@pytest.mark.parametrize("text", ["年终评比我被打了个不合格，主管说要扣奖金",
                                  "听说公司撑不下去了，明年就要关",
                                  "干了十一年，就这样被打发了"])
def test_work_words_that_look_like_danger_are_not(text):
    assert detect(text) is None  # a grade, a failing business, being sent off: no emergency template


@pytest.mark.parametrize("text", ["我被打了，脸都肿了", "我真的撑不下去了"])
def test_the_danger_itself_still_is(text):
    assert detect(text) is not None
