"""Documents the importer's tests read: the shared law corpus, a policy seed and a small law text."""
from pathlib import Path

import pytest

CORPUS = Path("/work/shared/corpus/laws")
SEED = Path("/work/shared/seeds/全总关于加强新时代工会女职工工作的意见(2022).txt")

needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="shared law corpus not available")
needs_seed = pytest.mark.skipif(not SEED.is_file(), reason="seed policy document not available")

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
