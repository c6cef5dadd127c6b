"""Search a built index: BM25 and dense retrieval, fused, filtered, scored and explained.

Each entry is indexed as several units (its body and each question variant); an entry scores as
its best unit, so a worker's question can match the closest variant a curator wrote.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

import numpy as np

from knowledge import places
from knowledge.models import NATIONAL, Entry, LegalBasis, law_name
from knowledge.numerals import cn_number
from knowledge.tokenize import tokens, words

MODES = ("fusion", "bm25", "dense")
RRF_K = 10
RERANK_DEPTH, RERANK_WEIGHT = 10, 0.5
FAQ_PRIOR = 1.15  # curated answers are written for workers; prefer them over a bare article
OTHER_REGION_PRIOR = 0.85  # with no province known, national rules before one province's own


@dataclass
class Hit:
    entry: Entry
    score: float  # fused score used for ranking
    bm25: float
    dense: float
    paragraph: int | None = None  # index of the best matching 款 of a law article

    def citation(self) -> str:
        """《法名》第X条第Y款 for a law chunk; the entry's own basis otherwise."""
        e = self.entry
        if e.kind == "law" and e.article:
            para = ""
            if self.paragraph is not None and len(e.paragraphs) > 1:
                para = f"第{cn_number(self.paragraph + 1)}款"
            return LegalBasis(law_name(e), e.article, para).cite()
        return "；".join(b.cite() for b in e.basis)

    def source(self) -> dict:
        e = self.entry
        return {"id": e.id, "kind": e.kind, "document": e.doc_id or e.title, "article": e.article,
                "citation": self.citation(), "region": e.region, "refs": e.extra.get("refs", []),
                "effective": e.effective.isoformat() if e.effective else None}


@dataclass
class SearchResult:
    query: str
    hits: list[Hit]
    confidence: float
    decision: str  # answer | caveat | abstain
    province: str | None
    features: dict = field(default_factory=dict)

    @property
    def top(self) -> Hit | None:
        return self.hits[0] if self.hits else None


def _logistic(z: float) -> float:
    """1 / (1 + e^-z) for any z, without OverflowError; NaN (a broken feature) counts as no confidence."""
    if math.isnan(z):
        return 0.0
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)  # z < 0: at worst underflows to 0.0
    return e / (1.0 + e)


@lru_cache(maxsize=1)
def max_query_chars() -> int:
    """The longest question searched (settings.MAX_MESSAGE_CHARS): the channels refuse longer
    messages; this bounds what reaches the index from any other caller."""
    from settings import get_settings

    try:
        return max(1, get_settings().MAX_MESSAGE_CHARS)
    except ValueError:
        return 2000


def _group_max(unit_scores: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Best unit score per entry; units of an entry are contiguous and start at `starts`."""
    return np.maximum.reduceat(unit_scores, starts)


def _ranks(scores: np.ndarray) -> np.ndarray:
    order = np.argsort(-scores, kind="stable")
    ranks = np.empty_like(order)
    ranks[order] = np.arange(len(order))
    return ranks


class Searcher:
    """An index version loaded in memory. Thread-safe for reads; never mutated after load."""

    def __init__(self, version_dir: Path, encoder=None, rerank: bool = False):
        from knowledge import store
        import bm25s
        import faiss

        self.version_dir = version_dir
        self.rerank = rerank
        self.manifest = json.loads((version_dir / "manifest.json").read_text())
        self.entries: list[Entry] = store.read_entries(version_dir / "entries.jsonl")
        self.unit_entry = np.load(version_dir / "unit_entry.npy")
        self.starts = np.flatnonzero(np.r_[True, self.unit_entry[1:] != self.unit_entry[:-1]])
        self.bm25 = bm25s.BM25.load(str(version_dir / "bm25"))
        self.idf = self._idf_table()
        self._max_idf = max(self.idf.values(), default=1.0)  # weight of a word the index never saw
        self.faiss = faiss.read_index(str(version_dir / "dense.faiss"))
        self.encoder = encoder or self._load_encoder()
        calib = version_dir / "calibration.json"
        self.calibration = json.loads(calib.read_text()) if calib.is_file() else None
        self.entry_tokens = [set(words(e.search_text())) for e in self.entries]
        self.by_id = {e.id: i for i, e in enumerate(self.entries)}
        self._effective = np.array([e.effective.toordinal() if e.effective else 0 for e in self.entries])
        self._repealed = np.array([e.repealed.toordinal() if e.repealed else 10**7 for e in self.entries])
        self._published = np.array([e.status == "published" for e in self.entries])
        self._regions = np.array([e.region for e in self.entries])
        self._topics = np.array([e.topic for e in self.entries])
        self._national = np.isin(self._regions, ["", NATIONAL])
        self._faq_prior = np.array([FAQ_PRIOR if e.kind == "faq" else 1.0 for e in self.entries])

    def _load_encoder(self):
        from knowledge.dense import load_encoder
        return load_encoder(Path(self.manifest["encoder_path"]))

    def _idf_table(self) -> dict[str, float]:
        n = len(self.unit_entry)
        df: dict[str, int] = {}
        for unit in json.loads((self.version_dir / "unit_tokens.json").read_text()):
            for tok in set(unit):
                df[tok] = df.get(tok, 0) + 1
        return {t: math.log(1 + (n - d + 0.5) / (d + 0.5)) for t, d in df.items()}

    # --- scoring -------------------------------------------------------------------------------
    def _unit_scores(self, query_tokens: list[str], query: str) -> tuple[np.ndarray, np.ndarray]:
        """BM25 and cosine scores of every unit (dense: the nearest units by faiss, -1 elsewhere)."""
        n = len(self.unit_entry)
        bm25 = np.asarray(self.bm25.get_scores(query_tokens), dtype=np.float32) if query_tokens \
            else np.zeros(n, dtype=np.float32)
        sims, ids = self.faiss.search(self.encoder.encode([query]), min(n, 400))
        dense = np.full(n, -1.0, dtype=np.float32)
        valid = ids[0] >= 0
        dense[ids[0][valid]] = sims[0][valid]
        return bm25, dense

    def _mask(self, province: str | None, on: date | None, include_drafts: bool) -> np.ndarray:
        """Entries allowed by status, date in force and region (vectorised: this runs per query)."""
        on_ord = (on or date.today()).toordinal()
        keep = (self._effective <= on_ord) & (self._repealed > on_ord)
        if not include_drafts:
            keep &= self._published
        if province:
            keep &= self._national | (self._regions == province)
        else:  # a province's leave summary only answers someone who named that province
            keep &= self._topics != "regional"
        return keep

    def _fuse(self, bm25: np.ndarray, dense: np.ndarray, mode: str) -> np.ndarray:
        if mode == "bm25":
            fused = bm25.copy()
        elif mode == "dense":
            fused = dense.copy()
        else:
            fused = 1.0 / (RRF_K + _ranks(bm25)) + 1.0 / (RRF_K + _ranks(dense))
        return np.where(fused > 0, fused * self._faq_prior, fused)

    def _best_paragraph(self, entry: Entry, query_words: set[str]) -> int | None:
        if entry.kind != "law" or len(entry.paragraphs) < 2:
            return None
        overlaps = [len(query_words & set(words(p))) for p in entry.paragraphs]
        return int(np.argmax(overlaps))

    def _coverage(self, weights: dict[str, float], entry_index: int) -> float:
        total = sum(weights.values()) or 1.0
        return sum(wt for w, wt in weights.items() if w in self.entry_tokens[entry_index]) / total

    def _query_weights(self, query_words: list[str]) -> dict[str, float]:
        return {w: self.idf.get(w, self._max_idf) for w in set(query_words)}

    def _rerank(self, order: list[int], fused: np.ndarray, query_words: list[str]) -> list[int]:
        """Second stage over the top candidates: favour entries that contain the rare words of the
        question (idf-weighted coverage), which rank fusion alone cannot see."""
        weights = self._query_weights(query_words)
        top = order[:RERANK_DEPTH]
        rescored = {i: fused[i] * (1.0 + RERANK_WEIGHT * self._coverage(weights, i)) for i in top}
        return sorted(top, key=lambda i: -rescored[i]) + order[RERANK_DEPTH:]

    # --- confidence ----------------------------------------------------------------------------
    def features(self, query_words: list[str], top: int, bm25: np.ndarray, dense: np.ndarray) -> dict:
        """Signals that tell a real match from a lucky one (see calibrate.py)."""
        weights = self._query_weights(query_words)
        total = sum(weights.values()) or 1.0
        return {"coverage": self._coverage(weights, top), "dense": float(dense[top]),
                "bm25": float(bm25[top]) / (total + 1e-6),
                "unknown": sum(1 for w in weights if w not in self.idf) / max(len(weights), 1)}

    def confidence(self, feats: dict) -> float:
        """The calibrated probability that the top hit answers the question, always in [0, 1].

        The features are not bounded (the bm25 one grows with every repetition of a query word:
        「产假」 × 350 gave z ≈ -1000), so the logistic is computed without overflow."""
        if not self.calibration:
            coverage = float(feats["coverage"])
            return 0.0 if math.isnan(coverage) else max(0.0, min(1.0, coverage))
        z = self.calibration["intercept"] + sum(
            c * feats[name] for name, c in zip(self.calibration["features"], self.calibration["coef"]))
        return _logistic(float(z))

    def decide(self, confidence: float) -> str:
        thresholds = (self.calibration or {}).get("thresholds", {"answer": 0.5, "caveat": 0.3})
        if confidence >= thresholds["answer"]:
            return "answer"
        return "caveat" if confidence >= thresholds["caveat"] else "abstain"

    # --- public --------------------------------------------------------------------------------
    def search(self, query: str, k: int = 5, province: str | None = None, on: date | None = None,
               topic: str | None = None, mode: str | None = None, include_drafts: bool = False,
               exclude_units: np.ndarray | None = None, rerank: bool | None = None) -> SearchResult:
        """Ranked hits with sources, a calibrated confidence and the answer/caveat/abstain decision.

        `province` defaults to the one the question names; `topic` (from the NLU intent) gently
        favours entries of that topic; `exclude_units` is for leave-one-out calibration.
        """
        query = query[:max_query_chars()]
        mode = mode or self.manifest.get("mode", "fusion")
        province = province or places.find_province(query)
        q_tokens = tokens(query)
        q_words = words(query)
        unit_bm25, unit_dense = self._unit_scores(q_tokens, query)
        if exclude_units is not None:
            unit_bm25[exclude_units], unit_dense[exclude_units] = 0.0, -1.0
        bm25, dense = _group_max(unit_bm25, self.starts), _group_max(unit_dense, self.starts)
        fused = self._fuse(bm25, dense, mode)
        if not province:  # a province's own rule is for someone who works there: national first
            fused = np.where(self._national, fused, fused * OTHER_REGION_PRIOR)
        if topic:
            fused = np.where(self._topics == topic, fused * 1.1, fused)
        fused = np.where(self._mask(province, on, include_drafts), fused, -np.inf)
        depth = max(k, 2, RERANK_DEPTH)
        order = [int(i) for i in np.argsort(-fused)[:depth] if np.isfinite(fused[i])]
        if self.rerank if rerank is None else rerank:
            order = self._rerank(order, fused, q_words)
        if not order:
            return SearchResult(query, [], 0.0, "abstain", province)
        feats = self.features(q_words, order[0], bm25, dense)
        conf = self.confidence(feats)
        qset = set(q_words)
        hits = [Hit(self.entries[i], float(fused[i]), float(bm25[i]), float(dense[i]),
                    self._best_paragraph(self.entries[i], qset)) for i in order[:k]]
        return SearchResult(query, hits, conf, self.decide(conf), province, feats)

    def explain(self, query: str, **kwargs) -> dict:
        """Everything a curator needs to see why the bot chose an answer (hit test)."""
        result = self.search(query, **kwargs)
        return {"query": query, "normalized_tokens": tokens(query), "province": result.province,
                "confidence": round(result.confidence, 3), "decision": result.decision,
                "features": {k: round(v, 3) for k, v in result.features.items()},
                "hits": [{**h.source(), "title": h.entry.title, "score": round(h.score, 4),
                          "bm25": round(h.bm25, 3), "dense": round(h.dense, 3)} for h in result.hits]}

    def get(self, entry_id: str) -> Entry | None:
        i = self.by_id.get(entry_id)
        return self.entries[i] if i is not None else None


def render_hit(hit: Hit) -> str:
    """An entry as the worker reads it: answer, then basis, then where it applies."""
    e = hit.entry
    if e.kind == "law":
        para = e.paragraphs[hit.paragraph] if hit.paragraph is not None else e.text
        body = f"相关法律规定（{hit.citation()}）：{para[:400]}\n如需结合你的具体情况分析，可以转人工。"
    elif e.kind == "case":
        body = f"类似案例：{e.title}\n{e.text}"
    elif e.kind == "policy":
        body = f"{e.title}：{e.text[:400]}"
    else:
        body = e.text
    lines = [body]
    citation = hit.citation()
    if citation and e.kind != "law":
        lines.append(f"法律依据：{citation}")
    lines.append("适用地区：" + ("全国" if e.region in ("", "全国") else e.region))
    return "\n".join(lines)
