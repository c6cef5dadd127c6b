"""Group similar questions, so a curator sees "23 people asked about 产检假 pay" once, not 23 rows.

Questions are compared by TF-IDF cosine over the retrieval tokens (knowledge.tokenize.tokens:
jieba words plus single characters, synonyms folded), so 产检假 and 产前检查 still meet. Groups
come from average-linkage agglomerative clustering cut at a similarity threshold: unlike a
greedy pass, the result does not depend on the order the questions arrived in, and the same
questions always give the same groups.
"""
from __future__ import annotations

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.sparse import csr_matrix
from scipy.spatial.distance import squareform
from sklearn.feature_extraction.text import TfidfVectorizer

from knowledge.tokenize import tokens

# Average cosine within a group: paraphrases of one question stay above it (tests/unit/test_cluster.py).
DEFAULT_THRESHOLD = 0.3


def _vectors(texts: list[str]) -> csr_matrix:
    """L2-normalised sparse TF-IDF rows; a text without any token (emoji, punctuation) is all zeros."""
    analysed = [tokens(t) for t in texts]
    if not any(analysed):
        return csr_matrix((len(texts), 0))
    vectorizer = TfidfVectorizer(analyzer=lambda doc: doc, sublinear_tf=True)
    return vectorizer.fit_transform(analysed).tocsr()


def _distances(vectors: csr_matrix) -> np.ndarray:
    """Condensed cosine distances from one sparse product: the rows are unit length, so X·Xᵀ is the
    cosine, and the questions' vocabulary (thousands of words) never becomes a dense matrix."""
    similarity = (vectors @ vectors.T).toarray()
    distance = np.clip(1.0 - similarity, 0.0, 2.0)
    np.fill_diagonal(distance, 0.0)
    return squareform(distance, checks=False)


def cluster(texts: list[str], threshold: float = DEFAULT_THRESHOLD) -> list[list[int]]:
    """Indices of `texts` grouped by similarity: biggest group first, ties by first appearance.

    Texts with no usable token each stay alone, since nothing can be said about what they ask.
    """
    if not texts:
        return []
    vectors = _vectors(texts)
    usable = [int(i) for i in np.flatnonzero(vectors.getnnz(axis=1))]
    labels: dict[int, int] = {}
    if len(usable) == 1:
        labels[usable[0]] = 0
    elif usable:
        tree = linkage(_distances(vectors[usable]), method="average")
        for i, label in zip(usable, fcluster(tree, t=1.0 - threshold, criterion="distance")):
            labels[i] = int(label)
    groups: dict[object, list[int]] = {}
    for i in range(len(texts)):
        groups.setdefault(labels.get(i, ("alone", i)), []).append(i)
    return sorted(groups.values(), key=lambda members: (-len(members), members[0]))
