"""Homophone slips of key words are corrected by sound; real words that sound alike are left alone."""
import pytest

from knowledge import homophones
from knowledge.normalize import normalize


@pytest.mark.parametrize("typed,read", [("我怀运三个月被公司辞推了", "我怀孕三个月被公司辞退了"),
                                        ("上个月留产了", "上个月流产了"), ("去产简请假", "去产检请假"),
                                        ("公司不给交社宝", "公司不给交社保"), ("我要申请中裁", "我要申请仲裁")])
def test_a_slip_that_sounds_like_a_key_word_and_shares_a_character_is_corrected(typed, read):
    assert homophones.fix(typed) == read


@pytest.mark.parametrize("text", ["我和同事一起去", "不如辞职算了", "运气不好", "去工商局", "孩子七岁了", "中财大学",
                                  "时效过了吗", "合同失效了", "剩余的假", "夜半三更"])
def test_real_words_that_sound_alike_and_windows_across_words_are_left_alone(text):
    assert homophones.fix(text) == text


def test_every_message_gets_it_through_normalize():
    assert normalize("我怀運三個月") == "我怀孕三个月"  # traditional first, then the slip
    assert all(len(w) in homophones.KEY_WORD_LENGTHS for w in homophones.key_words().values())


def test_words_added_to_the_shared_dictionary_do_not_hide_a_slip():
    import jieba

    jieba.add_word("辞推", freq=3000)  # the NLU's user dictionary lists some slips as words
    assert homophones.fix("被公司辞推了") == "被公司辞退了"


@pytest.mark.parametrize("text", ["她两个月时小产了", "刚做完产检"])
def test_a_real_word_of_the_lexicon_is_never_split_into_a_slip_with_its_neighbour(text):
    assert normalize(text) == text
