"""Documents the importer's tests read: the shared law corpus, a policy seed and a small law text."""
import functools
from pathlib import Path

import pytest

from settings import get_settings

SHARED = Path(get_settings().SHARED_DIR)  # ../shared beside the checkout, or SHARED_DIR
CORPUS = SHARED / "corpus" / "laws"
SEED = SHARED / "seeds" / "全总关于加强新时代工会女职工工作的意见(2022).txt"


def _required(path: Path, what: str):
    """The shared texts are part of the test setup (CI lays ../shared beside the clone): a test that
    reads a missing one fails, naming it, instead of being skipped."""
    def check(test):
        def wrapper(*args, **kwargs):
            if not path.exists():
                pytest.fail(f"{what} missing at {path}: lay ../shared beside the checkout or set SHARED_DIR")
            return test(*args, **kwargs)
        return functools.wraps(test)(wrapper)
    return check


needs_corpus = _required(CORPUS, "the shared law corpus")
needs_seed = _required(SEED, "the seed policy document")

LAW_TEXT = """# 测试省女职工保护条例

2020年1月2日 测试通过

<!-- INFO END -->

## 第一章 总则

第一条 为了保护女职工，制定本条例。

第二条 女职工享受产假。

产假期间工资照发。
"""


def corpus_doc(report, doc_id):
    for meta, entries in report.documents:
        if meta.doc_id == doc_id:
            return meta, entries
    raise AssertionError(f"{doc_id} not imported; have {[m.doc_id for m, _ in report.documents]}")
