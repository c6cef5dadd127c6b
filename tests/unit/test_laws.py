"""Tests for knowledge.laws: the short titles laws are cited by."""
import pytest

from knowledge.laws import short_title


@pytest.mark.parametrize(
    "title, short",
    [
        ("中华人民共和国劳动合同法", "劳动合同法"),
        ("中华全国总工会关于加强新时代工会女职工工作的意见", "全总关于加强新时代工会女职工工作的意见"),
        ("女职工劳动保护特别规定", "女职工劳动保护特别规定"),
    ],
)
def test_short_title_matches_faq_citations(title, short):
    assert short_title(title) == short
