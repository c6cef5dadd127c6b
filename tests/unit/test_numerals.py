"""Tests for knowledge.numerals: Chinese numerals both ways."""
import pytest

from knowledge.numerals import cn_number, cn_to_int, range_low


@pytest.mark.parametrize(
    "numeral, value",
    [("一", 1), ("十", 10), ("十五", 15), ("九十八", 98), ("一百零七", 107), ("一千零三十九", 1039), ("42", 42)],
)
def test_chinese_numerals(numeral, value):
    assert cn_to_int(numeral) == value


@pytest.mark.parametrize("n,cn", [(1, "一"), (10, "十"), (15, "十五"), (42, "四十二"), (100, "一百"), (105, "一百零五"),
                                  (110, "一百一十"), (300, "三百"), (1001, "一千零一"), (1010, "一千零一十"),
                                  (1100, "一千一百"), (1260, "一千二百六十")])
def test_cn_number(n, cn):
    assert cn_number(n) == cn


@pytest.mark.parametrize("numeral,low", [("两三", 2), ("六七十", 60), ("三四千", 3000), ("十二", None), ("二十", None),
                                         ("三五", None), ("二〇二五", None)])
def test_an_about_numeral_gives_its_lower_end(numeral, low):
    assert range_low(numeral) == low
