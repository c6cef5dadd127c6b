"""Build a complete index version from the curated content and the imported documents.

Incremental where it costs: the dense encoder is retrained only when its training pairs change,
and unit embeddings are cached by (encoder, text) hash; BM25 and faiss are rebuilt in well under a
second. The new version is published only once it loaded and calibrated, so a bad build never
replaces a good index.
"""
from __future__ import annotations

import hashlib
import json
import logging
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from knowledge import calibrate, content, overlay, places, regions, store
from knowledge.models import Entry, law_name
from knowledge.tokenize import add_words, tokens

log = logging.getLogger(__name__)
ENCODER_VERSION = "static-v1"  # bump when the training recipe changes


@dataclass
class BuildReport:
    version: str = ""
    entries: dict[str, int] = field(default_factory=dict)
    documents: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    encoder: str = ""
    encoder_trained: bool = False
    encoder_stale: bool = False  # the live encoder was reused although the training pairs changed
    embedded: int = 0
    cached_embeddings: int = 0
    seconds: float = 0.0


def _hash(*parts: str) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()[:16]


def collect(import_dirs: list[Path], report: BuildReport, faq_dirs: list[Path] | None = None,
            overlay_dir: Path | None = None, cache: Path | None = None) -> list[Entry]:
    """FAQ + regional table + cases + every importable document; bad files are skipped, not fatal.

    With an overlay (what curators published in the console) its FAQ versions replace or add to the
    shipped ones, its uploaded documents are imported too and retired documents are marked repealed.
    """
    from knowledge.ingest import import_paths

    raw_faq = [raw for folder in faq_dirs or [content.CONTENT / "faq"] for raw in content.load_faq_raw(folder)]
    if overlay_dir is not None:
        raw_faq = overlay.merge_faq(raw_faq, overlay_dir)
        import_dirs = [*import_dirs, overlay.documents_dir(overlay_dir)]
    entries = [content.faq_entry(raw) for raw in raw_faq] + regions.regional_entries() + content.load_cases()
    imported = import_paths([d for d in import_dirs if d.exists()])
    known = _AnnotationCache(cache)
    for _meta, chunks in imported.documents:
        entries += [known.annotate(chunk) for chunk in chunks]
    known.save()
    if overlay_dir is not None:
        entries = overlay.retire(entries, overlay_dir)
    report.documents = len(imported.documents)
    report.skipped = [(str(p), r) for p, r in imported.skipped]
    report.problems = content.validate(entries, raw_faq)
    for e in entries:
        report.entries[e.kind] = report.entries.get(e.kind, 0) + 1
    return entries


def annotate(chunk: Entry) -> Entry:
    """Record the laws and articles a chunk refers to (spaCy EntityRuler), with 本法 resolved.

    Shown with each hit, so an officer sees that 第四十二条 points to 第四十条 and 第四十一条.
    """
    from knowledge.entities import extract

    refs, law = [], law_name(chunk)
    for ent in extract(chunk.text):
        if ent["entity"] == "law":
            law = ent["id"] or ent["value"].strip("《》")
        elif ent["entity"] == "article" and ent["value"] != chunk.article:
            refs.append(f"《{law}》{ent['value']}")
    if refs:
        chunk.extra["refs"] = list(dict.fromkeys(refs))
    return chunk


class _AnnotationCache:
    """Annotations of unchanged chunks, reused: the EntityRuler over ~1200 articles is half of a build
    that does not retrain, and a publish should reach the bot in seconds. Keyed by the chunk's text,
    law and article and by the entity rules and lexicon, so any change there annotates afresh."""

    def __init__(self, cache: Path | None):
        self.path = cache / "annotations.json" if cache is not None else None
        self.known: dict[str, list[str]] = {}
        if self.path is not None and self.path.is_file():
            self.known = json.loads(self.path.read_text(encoding="utf-8"))
        self.used: dict[str, list[str]] = {}
        from knowledge.entities import RULE_SOURCES

        self.rules = _hash(_lexicon_fingerprint(), *(path.read_text(encoding="utf-8") for path in RULE_SOURCES))

    def annotate(self, chunk: Entry) -> Entry:
        key = _hash(self.rules, law_name(chunk), chunk.article, chunk.text)
        if key not in self.known:
            self.known[key] = annotate(chunk).extra.get("refs", [])
        refs = self.used[key] = self.known[key]
        if refs:
            chunk.extra["refs"] = list(refs)
        return chunk

    def save(self) -> None:
        """Keep what this build used (so the file does not grow with every edit), written whole."""
        if self.path is not None:
            store.write_atomic(self.path, json.dumps(self.used, ensure_ascii=False).encode("utf-8"))


def units(entries: list[Entry]) -> tuple[list[str], np.ndarray]:
    """Index units: each entry's body first, then each question variant."""
    texts, owner = [], []
    for i, e in enumerate(entries):
        for text in (f"{e.title}\n{e.text}", *e.questions):
            texts.append(text)
            owner.append(i)
    return texts, np.array(owner, dtype=np.int32)


def training_pairs(entries: list[Entry]) -> list[tuple[str, str]]:
    """(question, passage) pairs: each variant with its answer, and with the articles it cites."""
    articles = {(law_name(e), e.article): e for e in entries if e.kind == "law"}
    pairs = []
    for e in entries:
        if e.kind != "faq":
            continue
        body = f"{e.title}\n{e.text}"
        cited = [articles.get((b.law, b.article)) for b in e.basis]
        for q in e.questions:
            pairs.append((q, body))
            pairs += [(q, a.text) for a in cited if a is not None]
    return pairs


def _lexicon_fingerprint() -> str:
    """The tokenization depends on these files, and the encoder's vocabulary on the tokenization."""
    from knowledge.normalize import LEXICON_DIR
    from knowledge.tokenize import USER_DICT

    files = sorted(LEXICON_DIR.glob("*.yml")) + [USER_DICT]
    return _hash(*(f.read_text(encoding="utf-8") for f in files if f.is_file()))


def _encoder(entries, texts, cache: Path, dense_model: str, report: BuildReport, reuse: Path | None = None):
    """The dense encoder for this build: a fixed model, the cached one for these training pairs, the
    live one when `reuse` names it (a quick publish: see build), or a newly trained one."""
    from knowledge import dense

    if dense_model != "trained":
        report.encoder = dense_model
        return dense.load_encoder(Path(dense_model)), Path(dense_model)
    pairs = training_pairs(entries)
    key = _hash(ENCODER_VERSION, _lexicon_fingerprint(), json.dumps(pairs, ensure_ascii=False), *texts)
    path = cache / "encoders" / key
    if (path / "modules.json").is_file():
        report.encoder = f"trained:{key}"
        return dense.load_encoder(path), path
    if reuse is not None:
        report.encoder, report.encoder_stale = f"trained:{reuse.name}", True
        return dense.load_encoder(reuse), reuse
    report.encoder = f"trained:{key}"
    tmp = path.with_name(key + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    dense.train_static_encoder(pairs, texts, tmp)
    shutil.rmtree(tmp / "_train", ignore_errors=True)
    tmp.rename(path)
    report.encoder_trained = True
    return dense.load_encoder(path), path


def _live_trained_encoder(index_dir: Path) -> Path | None:
    """The trained encoder the live index uses, if it is still on disk."""
    version = store.current_version(index_dir)
    if version is None:
        return None
    manifest = json.loads((version / "manifest.json").read_text())
    path = Path(manifest.get("encoder_path", ""))
    return path if str(manifest.get("encoder", "")).startswith("trained:") and (path / "modules.json").is_file() \
        else None


def _embed(encoder, key: str, texts: list[str], cache: Path, report: BuildReport) -> np.ndarray:
    """Embeddings for all units, reusing cached vectors of unchanged texts."""
    cache_file = cache / "embeddings" / f"{key}.npz"
    known: dict[str, np.ndarray] = {}
    if cache_file.is_file():
        data = np.load(cache_file)
        known = dict(zip(data["keys"].tolist(), data["vectors"]))
    hashes = [_hash(t) for t in texts]
    missing = sorted({h: t for h, t in zip(hashes, texts) if h not in known}.items())
    if missing:
        fresh = encoder.encode([t for _, t in missing])
        known.update({h: v for (h, _), v in zip(missing, fresh)})
    report.embedded, report.cached_embeddings = len(missing), len(texts) - len(missing)
    cache_file.parent.mkdir(parents=True, exist_ok=True)
    keep = sorted(set(hashes))
    tmp = cache_file.with_suffix(".tmp.npz")
    np.savez(tmp, keys=np.array(keep), vectors=np.stack([known[h] for h in keep]))
    tmp.replace(cache_file)
    return np.stack([known[h] for h in hashes]).astype(np.float32)


def build(index_dir: Path, import_dirs: list[Path], dense_model: str = "trained",
          mode: str = "fusion", faq_dirs: list[Path] | None = None, overlay_dir: Path | None = None,
          retrain: bool = True) -> BuildReport:
    """Build, load, calibrate and publish a new index version; returns what was done.

    retrain=False is the console's quick publish: when the training pairs changed it keeps the live
    encoder instead of training a new one (minutes of CPU), so a new entry is answerable within
    seconds. The new entry is still found: BM25 sees all its words and the old encoder embeds what it
    knows of them; the manifest records `encoder_stale` and the next full build (`make index`, or
    「重新训练」 in the console) trains the encoder on the new pairs.
    """
    import bm25s
    import faiss

    from knowledge.search import Searcher

    started = time.perf_counter()
    report = BuildReport()
    entries = collect(import_dirs, report, faq_dirs, overlay_dir, index_dir / "cache")
    add_words([law_name(e) for e in entries if e.kind == "law"] + places.province_names())
    texts, owner = units(entries)
    cache = index_dir / "cache"
    reuse = None if retrain else _live_trained_encoder(index_dir)
    encoder, encoder_path = _encoder(entries, texts, cache, dense_model, report, reuse)
    vectors = _embed(encoder, report.encoder.replace(":", "-").replace("/", "_"), texts, cache, report)

    version = store.new_version_dir(index_dir)
    try:
        store.write_entries(version / "entries.jsonl", entries)
        np.save(version / "unit_entry.npy", owner)
        unit_tokens = [tokens(t) for t in texts]
        (version / "unit_tokens.json").write_text(json.dumps(unit_tokens, ensure_ascii=False))
        retriever = bm25s.BM25()
        retriever.index(unit_tokens, show_progress=False)
        retriever.save(str(version / "bm25"))
        flat = faiss.IndexFlatIP(vectors.shape[1])
        flat.add(vectors)
        faiss.write_index(flat, str(version / "dense.faiss"))
        manifest = {"built": time.strftime("%Y-%m-%dT%H:%M:%S"), "mode": mode,
                    "encoder": report.encoder, "encoder_path": str(encoder_path.resolve()),
                    "encoder_stale": report.encoder_stale,
                    "entries": report.entries, "units": len(texts), "documents": report.documents}
        (version / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
        calibration = calibrate.fit(Searcher(version, encoder=encoder))
        (version / "calibration.json").write_text(json.dumps(calibration, indent=1))
    except Exception:
        shutil.rmtree(version, ignore_errors=True)
        raise
    store.publish(index_dir, version)
    report.version = version.name
    report.seconds = round(time.perf_counter() - started, 2)
    return report


def build_configured(retrain: bool = True) -> BuildReport:
    """The build as configured (settings): shipped content + imported folders + the console's overlay.

    The one entry point of `python -m knowledge build` and the console's publisher, so what
    `make index` builds and what a publish builds cannot drift apart.
    """
    from settings import get_settings

    s = get_settings()
    return build(s.index_dir, s.import_dirs, dense_model=s.DENSE_MODEL, mode=s.RETRIEVAL_MODE,
                 overlay_dir=s.overlay_dir, retrain=retrain)
