"""Tests for knowledge.policy_chunks: policy documents chunked by section."""
from datetime import date

from ingest_samples import SEED, needs_seed

from knowledge.ingest import chunk_document
from knowledge.metadata import infer_meta
from knowledge.policy_chunks import MAX_CHUNK_CHARS
from knowledge.readers import read_text


@needs_seed
def test_seed_policy_chunks_by_section():
    text = read_text(SEED)
    meta = infer_meta(SEED, text, None)
    assert meta.title == "中华全国总工会关于加强新时代工会女职工工作的意见"
    assert meta.level == "政策文件"
    assert meta.issuer == "中华全国总工会"
    assert meta.effective == date(2022, 4, 25)
    entries = chunk_document(meta, text)
    assert entries and all(e.kind == "policy" for e in entries)
    assert [e.id for e in entries] == [f"policy:{meta.doc_id}:{n}" for n in range(1, len(entries) + 1)]
    section = next(e for e in entries if e.article == "三（八）")
    assert section.title.startswith(meta.title + " 三、")
    assert "（八）" in section.title
    assert any("五一巾帼奖" in e.text for e in entries)
    assert all(len(e.text) <= MAX_CHUNK_CHARS * 1.2 for e in entries)
    assert not any("抄送" in e.text or "印发" in e.text for e in entries)


def test_policy_small_sections_merge_and_large_ones_split(tmp_path):
    long_body = "各级工会应当依法维护女职工的合法权益并加强监督检查。" * 40
    text = "\n".join([
        "# 某某关于做好女职工工作的通知",
        "一、总体要求",
        "（一）很短。",
        "（二）第二节内容。" + "女职工工作要落实到基层。" * 10,
        "二、主要任务",
        "（三）长段落。" + long_body,
    ])
    meta = infer_meta(tmp_path / "x.txt", text, None)
    entries = chunk_document(meta, text)
    assert "很短" in entries[0].text and entries[0].article == "一（二）"
    long_parts = [e for e in entries if e.article == "二（三）"]
    assert len(long_parts) >= 2
    assert all(part.text.endswith("。") for part in long_parts)
    assert all(80 <= len(part.text) <= MAX_CHUNK_CHARS for part in long_parts)
