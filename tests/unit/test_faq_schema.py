"""One FAQ schema and one validator (knowledge/faq_schema.py): the shipped YAML passes the console's
check, the build reports a broken record in the words the console shows, and no second validator
appears."""
from pathlib import Path

import pytest
import yaml

from workflows import faq_review as faq
from knowledge import build, content, faq_schema

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("record", content.load_faq_raw(), ids=lambda r: str(r.get("id")))
def test_every_shipped_entry_passes_the_consoles_check(record):
    assert faq_schema.problems(record) == []
    assert faq.validate(faq.shipped()[str(record["id"])]) == []


def test_the_build_reports_a_broken_record_in_the_consoles_words(tmp_path):
    record = {**content.load_faq_raw()[0], "id": "union-999", "questions": ["工会会员卡丢了怎么补办"]}
    (tmp_path / "broken.yml").write_text(yaml.safe_dump([record], allow_unicode=True), encoding="utf-8")
    report = build.BuildReport()
    build.collect([], report, faq_dirs=[tmp_path])
    console_words = faq.validate(faq._data_of(record))
    assert console_words and all(f"faq:union-999: {p}" in report.problems for p in console_words)


def test_no_second_faq_validator():
    """The schema's limits and its messages to curators are written in faq_schema.py only."""
    product = [p for package in ("knowledge", "appdb", "workflows", "console", "answering", "actions")
               for p in (ROOT / package).rglob("*.py") if p.name != "faq_schema.py"]
    marks = ("问法至少要写", "请填写回答", "MIN_VARIANTS =", "MAX_ANSWER =", "请至少写一条法律依据")
    assert [p.name for p in product if any(m in p.read_text(encoding="utf-8") for m in marks)] == []
