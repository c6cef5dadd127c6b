"""Dense sentence encoders that work without a model hub.

Two kinds, both real sentence-transformers models:
- "trained": a StaticEmbedding over our own jieba-word and character vocabulary, trained at build
  time with MultipleNegativesRankingLoss on (question variant -> answer) pairs from the curated KB.
  No Chinese model can be downloaded here, and an English one sees Chinese as [UNK].
- a local path: any sentence-transformers model a deployer copied to disk (e.g. bge-small-zh).
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from knowledge.tokenize import tokens

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
log = logging.getLogger(__name__)
UNK = "[UNK]"
PRETOKENIZED_FLAG = "pretokenized.txt"  # marks a model that expects our space-joined tokens


def pretokenize(text: str) -> str:
    return " ".join(tokens(text)) or UNK


@dataclass
class Encoder:
    """A loaded model plus how to feed it (our tokens, or raw text for a pre-trained model)."""

    model: object  # SentenceTransformer
    pretokenized: bool
    name: str

    def encode(self, texts: list[str]) -> np.ndarray:
        inputs = [pretokenize(t) for t in texts] if self.pretokenized else list(texts)
        vectors = self.model.encode(inputs, batch_size=256, convert_to_numpy=True,
                                    normalize_embeddings=True, show_progress_bar=False)
        return np.ascontiguousarray(vectors, dtype=np.float32)


def _vocabulary(texts: list[str], min_count: int = 1) -> dict[str, int]:
    counts: dict[str, int] = {}
    for text in texts:
        for tok in pretokenize(text).split():
            counts[tok] = counts.get(tok, 0) + 1
    vocab = {UNK: 0}
    for tok in sorted(t for t, c in counts.items() if c >= min_count):
        vocab.setdefault(tok, len(vocab))
    return vocab


def train_static_encoder(pairs: list[tuple[str, str]], corpus: list[str], out_dir: Path,
                         dim: int = 256, epochs: int = 8, seed: int = 13) -> Encoder:
    """Train a StaticEmbedding encoder on (query, positive) pairs and save it to out_dir."""
    import torch
    from datasets import Dataset
    from sentence_transformers import (SentenceTransformer, SentenceTransformerTrainer,
                                       SentenceTransformerTrainingArguments)
    from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss
    from sentence_transformers.sentence_transformer.modules import StaticEmbedding
    from sentence_transformers.sentence_transformer.training_args import BatchSamplers
    from tokenizers import Tokenizer
    from tokenizers.models import WordLevel
    from tokenizers.pre_tokenizers import WhitespaceSplit

    torch.manual_seed(seed)
    tokenizer = Tokenizer(WordLevel(_vocabulary(corpus + [t for p in pairs for t in p]), unk_token=UNK))
    tokenizer.pre_tokenizer = WhitespaceSplit()
    model = SentenceTransformer(modules=[StaticEmbedding(tokenizer, embedding_dim=dim)], device="cpu")
    data = Dataset.from_dict({"anchor": [pretokenize(a) for a, _ in pairs],
                              "positive": [pretokenize(p) for _, p in pairs]})
    args = SentenceTransformerTrainingArguments(
        output_dir=str(out_dir / "_train"), num_train_epochs=epochs, per_device_train_batch_size=128,
        learning_rate=0.05, batch_sampler=BatchSamplers.NO_DUPLICATES, seed=seed,
        report_to="none", save_strategy="no", logging_strategy="no", use_cpu=True,
        disable_tqdm=True, dataloader_num_workers=0,
    )
    trainer = SentenceTransformerTrainer(model=model, args=args, train_dataset=data,
                                         loss=MultipleNegativesRankingLoss(model))
    trainer.train()
    model.save(str(out_dir))
    (out_dir / PRETOKENIZED_FLAG).write_text("1")
    return Encoder(model, True, "trained")


def load_encoder(path: Path) -> Encoder:
    """Load a saved encoder from a local folder; never reaches a hub."""
    from sentence_transformers import SentenceTransformer

    if not (path / "modules.json").is_file() and not (path / "config.json").is_file():
        raise FileNotFoundError(f"no sentence-transformers model at {path}")
    model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
    return Encoder(model, (path / PRETOKENIZED_FLAG).is_file(), path.name)
