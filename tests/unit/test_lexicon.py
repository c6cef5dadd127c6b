"""The lexicon files are mappings: a key written twice would silently drop the first group."""
import re

import pytest

from knowledge.normalize import LEXICON_DIR


@pytest.mark.parametrize("name", ["synonyms.yml", "typos.yml", "safety.yml"])
def test_no_key_is_written_twice(name):
    keys = [line.split(":")[0] for line in (LEXICON_DIR / name).read_text(encoding="utf-8").splitlines()
            if re.match(r"^[^#\s-][^:]*:", line)]
    assert len(keys) == len(set(keys)), sorted({k for k in keys if keys.count(k) > 1})
