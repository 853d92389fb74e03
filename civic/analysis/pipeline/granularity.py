"""The automatic number of groups: as many as the texts' structure shows, and no catch-all.

k-means on unit vectors, k first chosen by the spectral gap of the nearest-neighbour graph;
then every group heavier than a cap (15 % of the contributions for themes) is looked at again:
split where its own graph shows a clear gap (sub-themes), kept whole where its texts really
share one theme (they point the same way: their mean vector is long), and otherwise split into
enough parts to come under the cap. Real consultations have little structure at the top (two
catch-alls of 18,277 and 410 among 18,690 proposals were the best gap): the cap, not the gap,
then decides, so that the number of groups grows with the corpus.
"""

from __future__ import annotations

import math

import numpy as np

from .kmeans import choose_k, eigengap, kmeans, spectral_kmeans

# Cohesion (see `cohesion`) from which a heavy group is one theme and stays whole. Measured
# with sentence vectors: planted themes 0.37 to 0.44, two planted themes together 0.31, the
# groups of the 421 real proposals 0.20 to 0.34 at k = 2 to 7. With TF-IDF (LSA) vectors:
# planted themes 0.12 to 0.20, two together 0.09 to 0.11, real groups of 15 % or more 0.03
# to 0.11.
COHESIVE = 0.36
COHESIVE_TFIDF = 0.12
# Spectral gap from which a group is several themes: two planted themes together 0.24 to
# 0.38; one planted theme 0.04 to 0.14; real groups 0.03 to 0.19.
CLEAR_GAP = 0.2
# Two groups are pieces of one theme when the mean cosine across them reaches this share of
# the cohesion bound: pieces of planted themes about 0.33 with sentence vectors, two planted
# themes about 0.22.
MERGE = 0.8


def cohesion(points: np.ndarray) -> float:
    """Squared length of the mean of unit vectors: the mean cosine of all pairs (self pairs
    included). 1 when every text points the same way, near 0 for unrelated texts."""
    if not len(points):
        return 0.0
    centre = points.mean(axis=0)
    return float(centre @ centre)


def split_until(
    points: np.ndarray,
    weights: np.ndarray,
    *,
    cap: float,
    seed: int,
    cohesive: float = COHESIVE,
    k_max: int = 12,
    start: np.ndarray | None = None,
) -> np.ndarray:
    """Labels 0..k-1 of `points` (unit rows) such that no group weighs more than `cap` unless
    its texts share one theme (cohesion >= `cohesive`) or it cannot be split.

    The first partition is `start`, or k-means with k chosen by eigengap up to `k_max`.
    """
    n = len(points)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    if start is None:
        labels = spectral_kmeans(points, k=None, candidates=range(2, k_max + 1), seed=seed).labels
    else:
        labels = np.asarray(start, dtype=np.int64).copy()
    settled: set[int] = set()
    next_label = int(labels.max()) + 1
    while True:
        heavy = [
            c
            for c in np.unique(labels).tolist()
            if c not in settled and weights[labels == c].sum() > cap
        ]
        if not heavy:
            break
        for c in heavy:
            rows = np.flatnonzero(labels == c)
            sub = _split(points[rows], weights[rows].sum() / cap, cohesive, seed)
            if sub is None:
                settled.add(c)
                continue
            for s in np.unique(sub).tolist()[1:]:
                labels[rows[sub == s]] = next_label
                next_label += 1
    labels = _merge_cohesive(points, labels, cohesive, seed)
    _, compact = np.unique(labels, return_inverse=True)
    return compact.astype(np.int64)


def _merge_cohesive(
    points: np.ndarray, labels: np.ndarray, cohesive: float, seed: int
) -> np.ndarray:
    """Merge groups two by two while they are one theme: their texts as close across as
    inside a theme (pieces cut by k-means score a little less than the theme's cohesion,
    hence `MERGE`), and no clear gap in their union. k-means cuts a large planted theme in
    pieces (229 texts in 3, measured) that nothing else puts back together."""
    labels = labels.copy()
    blocked: set[tuple[int, int]] = set()
    while True:
        names = np.unique(labels)
        if len(names) < 2:
            return labels
        sizes = np.array([(labels == c).sum() for c in names], dtype=np.float64)
        sums = np.vstack([points[labels == c].sum(axis=0) for c in names])
        # Mean cosine between the texts of a and those of b: as high as inside a theme when
        # a and b are pieces of it. (The union's cohesion would not do: a small theme added to
        # a large one leaves it nearly as cohesive.)
        union = (sums @ sums.T) / (sizes[:, None] * sizes[None, :])
        np.fill_diagonal(union, -np.inf)
        for a, b in blocked:
            ia, ib = np.searchsorted(names, [a, b])
            if ia < len(names) and ib < len(names) and names[ia] == a and names[ib] == b:
                union[ia, ib] = union[ib, ia] = -np.inf
        ia, ib = np.unravel_index(int(np.argmax(union)), union.shape)
        if union[ia, ib] < MERGE * cohesive:
            return labels
        a, b = int(names[ia]), int(names[ib])
        rows = np.flatnonzero((labels == a) | (labels == b))
        if eigengap(points[rows], range(2, 9), seed=seed)[1] >= CLEAR_GAP:
            blocked.add((min(a, b), max(a, b)))
            continue
        labels[labels == b] = a


def _split(points: np.ndarray, over: float, cohesive: float, seed: int) -> np.ndarray | None:
    """Labels of a heavy group's parts (`over`: its weight over the cap), or None to keep it."""
    if len(points) < 4:
        return None
    k, gap = eigengap(points, range(2, 9), seed=seed)
    if gap >= CLEAR_GAP:
        sub = spectral_kmeans(points, k=k, candidates=[k], seed=seed).labels
    elif cohesion(points) >= cohesive:
        return None
    else:
        parts = min(8, math.ceil(over))
        sub = _best_split(points, seed=seed, k_min=parts, k_max=max(parts, 6))
    return sub if len(np.unique(sub)) >= 2 else None


def _best_split(points: np.ndarray, *, seed: int, k_min: int, k_max: int) -> np.ndarray:
    """k-means labels, k between `k_min` and `k_max` by silhouette (on a sample)."""
    n = len(points)
    k_max = min(k_max, n - 1)
    k_min = max(2, min(k_min, k_max))
    if k_max < 2:
        return np.zeros(n, dtype=np.int64)
    if k_min == k_max:
        best = k_min
    else:
        best, _ = choose_k(points, range(k_min, k_max + 1), seed=seed, sample_size=1500)
    # Starts tried on a sample of 5,000, then refined on every point: on 100,000 vectors the
    # k-means++ starts on all points were most of the time.
    return kmeans(points, best, seed=seed, n_init=4, fit_sample=5000).labels
