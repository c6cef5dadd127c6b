"""The lexicon files are mappings: a key written twice would silently drop the first group."""
import re

import pytest

from knowledge.normalize import LEXICON_DIR


@pytest.mark.parametrize("name", ["synonyms.yml", "typos.yml", "dialect.yml", "safety.yml"])
def test_no_key_is_written_twice(name):
    keys = [line.split(":")[0] for line in (LEXICON_DIR / name).read_text(encoding="utf-8").splitlines()
            if re.match(r"^[^#\s-][^:]*:", line)]
    assert len(keys) == len(set(keys)), sorted({k for k in keys if keys.count(k) > 1})


def test_typos_and_dialect_words_never_rewrite_each_other():
    """One pass replaces both tables: a key of one inside a value of either would make the result
    depend on the order of the pass."""
    import yaml

    from knowledge.normalize import REPLACEMENT_FILES
    tables = [yaml.safe_load((LEXICON_DIR / name).read_text(encoding="utf-8")) for name in REPLACEMENT_FILES]
    keys = [k for t in tables for k in t]
    assert len(keys) == len(set(keys))
    values = [str(v) for t in tables for v in t.values()]
    assert not [(k, v) for k in keys for v in values if k in v]


@pytest.mark.parametrize("said,read", [
    ("我喺深圳做嘢，生咗BB返工，公司唔俾我泵奶", "我在深圳工作,生了宝宝返工,公司不给我吸奶"),
    ("老细话我唔使返工，冇补偿，咁点算", "老板话我不用返工,没有补偿,这样怎么办"),
    ("俺这咋整", "俺这怎么办"), ("一个钟头", "一个小时"), ("劳动仲裁", "劳动仲裁"), ("阿拉伯语", "阿拉伯语")])
def test_cantonese_and_other_dialect_words_read_as_mandarin(said, read):
    from knowledge.normalize import normalize
    assert normalize(said) == read
