"""A typed choice among offered buttons (actions/options.py): what counts as 「the first one」."""
import pytest

from actions.options import ordinal, payload_entity


@pytest.mark.parametrize("text, number", [("1", 1), ("１", 1), ("第一个", 1), ("第1个", 1), ("选2", 2), ("我选3", 3),
                                          ("第 2 个", 2), ("1。", 1), ("第十个", 10)])
def test_a_number_picks_an_option(text, number):
    assert ordinal(text) == number


@pytest.mark.parametrize("text", ["一个月", "产假多少天", "0", "13800138000", "", "王丽"])
def test_other_words_are_not_a_choice(text):
    assert ordinal(text) is None


def test_the_slot_a_button_payload_names():
    assert payload_entity('/choose_slot{"slot_id":"96"}', "slot_id") == "96"
    assert payload_entity("预约两癌筛查", "slot_id") is None and payload_entity('/x{"slot_id":', "slot_id") is None
