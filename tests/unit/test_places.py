"""Tests for knowledge.places: the one alias rule for places, read from provinces.yml."""
from knowledge import places


def test_province_table_has_no_weak_aliases_and_explicit_names_win():
    table = places.alias_table()
    assert table["朝阳市"] == "辽宁" and table["朝阳"] == "北京" and table["吉林市"] == "吉林"
    assert table["粤省"] == "广东" and table["深圳市"] == "广东"
    assert not {"新", "宁", "川", "津", "京", "晋", "豫", "藏", "贵",
                "甘", "蒙", "秦", "青", "云", "黑", "吉"} & set(table)
