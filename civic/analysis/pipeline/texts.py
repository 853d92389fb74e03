"""Clustering of short French contributions into labelled groups with representative quotes."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Hashable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer
from sklearn.preprocessing import normalize

from .duplicates import find_duplicates
from .identity import match_groups
from .kmeans import KMethod, choose_k, kmeans, single_threaded, spectral_kmeans
from .text import FrenchAnalyzer


@dataclass(frozen=True)
class TextCluster:
    id: int
    label: str
    keywords: list[str]
    members: list[Hashable]  # ids, in input order
    quotes: list[Hashable]  # ids of representative texts, best first
    size: int  # raw number of texts
    size_unique: int  # after merging duplicates
    frozen: bool = False


@dataclass(frozen=True)
class TextAnalysis:
    clusters: list[TextCluster]  # largest first
    duplicates: list[list[Hashable]]  # groups of ids with the same (or nearly the same) text
    isolated: list[Hashable]  # ids in no cluster
    stats: dict[str, int]  # raw and deduplicated figures
    params: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (the `analysis texts` command writes exactly this)."""
        return {
            "clusters": [asdict(c) for c in self.clusters],
            "duplicates": [{"members": list(g), "size": len(g)} for g in self.duplicates],
            "isolated": list(self.isolated),
            "stats": dict(self.stats),
            "params": dict(self.params),
        }


def default_k_max(n_points: int) -> int:
    """Upper bound of the automatic k: about sqrt(n/2), between 2 and 30 groups, since an
    official reads and answers every group."""
    return max(2, min(30, round(math.sqrt(n_points / 2))))


@single_threaded
def cluster_texts(
    texts: Sequence[str],
    ids: Sequence[Hashable] | None = None,
    *,
    k: int | None = None,
    k_max: int | None = None,
    k_method: KMethod = "eigengap",
    seed: int = 0,
    previous: Mapping[int, Collection[Hashable]] | None = None,
    frozen: Mapping[int, Collection[Hashable]] | None = None,
    duplicate_threshold: float = 0.6,
    min_cluster_size: int = 2,
    n_keywords: int = 8,
    n_label_words: int = 3,
    n_quotes: int = 3,
    mmr_lambda: float = 0.7,
    svd_components: int = 100,
    extra_stop_words: Collection[str] = (),
) -> TextAnalysis:
    """Group short French texts by topic.

    `ids` name the rows (default: 0-based row numbers) and must be unique; every id ends up in
    exactly one cluster or in `isolated`. `k` fixes the number of clusters (frozen ones
    excepted); without it k is chosen between 2 and `k_max` by `k_method`: "eigengap" (the
    default: the spectral gap of the texts' nearest-neighbour graph, whose spectral clustering
    also gives k-means its starting centres) or "silhouette" (k-means++ starts). On short texts
    the silhouette of k-means keeps rising with k, as sub-topics split off: on four planted
    themes it chose 12 where the eigengap finds 4.

    `previous` maps the cluster ids of an earlier run to their members: new clusters that match
    one of them keep its id. `frozen` maps the ids of clusters validated by an agent to their
    members: those are kept as they are (minus ids no longer in the input) and the rest is
    clustered around them.
    """
    n = len(texts)
    row_ids: list[Hashable] = list(range(n)) if ids is None else list(ids)
    if len(row_ids) != n:
        raise ValueError("texts and ids must have the same length")
    index_of = {row_id: i for i, row_id in enumerate(row_ids)}
    if len(index_of) != n:
        raise ValueError("ids must be unique")

    frozen = frozen or {}
    frozen_rows: dict[int, list[int]] = {}
    is_frozen = np.zeros(n, dtype=bool)
    for cluster_id, members in frozen.items():
        rows = sorted({index_of[m] for m in members if m in index_of})
        if is_frozen[rows].any():
            raise ValueError(f"frozen cluster {cluster_id} shares members with another one")
        is_frozen[rows] = True
        frozen_rows[cluster_id] = rows

    # Duplicates: one representative per group, weighted by the group's size, so that a
    # campaign counts as one text for the vocabulary and the label, and as many for the weight.
    duplicate_groups = find_duplicates(texts, threshold=duplicate_threshold, seed=seed)
    representative = np.arange(n)  # first active row of the row's duplicate group
    group_of = np.arange(n)  # first row of the row's duplicate group, frozen or not
    for group in duplicate_groups:
        group_of[group] = group[0]
        active = [i for i in group if not is_frozen[i]]
        if active:
            representative[active] = active[0]
    active_rows = np.flatnonzero(~is_frozen)
    support = np.bincount(representative[active_rows], minlength=n)
    reps = np.flatnonzero(support)

    analyzer = FrenchAnalyzer(extra_stop_words=extra_stop_words)
    rep_features = [analyzer.features(texts[i]) for i in reps]
    frozen_features = {
        cid: [analyzer.features(texts[i]) for i in rows] for cid, rows in frozen_rows.items()
    }

    vectorizer = CountVectorizer(analyzer=_identity, min_df=2, dtype=np.float64)
    try:
        counts = vectorizer.fit_transform(rep_features).tocsr()
    except ValueError:  # no term occurs twice: nothing can be grouped
        counts = sparse.csr_matrix((len(reps), 0))
    terms = np.asarray(vectorizer.get_feature_names_out()) if counts.shape[1] else np.array([])

    # LSA: TF-IDF, reduced by truncated SVD, rows re-normalised so that euclidean k-means on
    # the reduced vectors behaves like cosine similarity on the texts.
    tfidf = TfidfTransformer(sublinear_tf=True).fit(counts) if counts.shape[1] else None
    weighted = tfidf.transform(counts) if tfidf is not None else counts
    svd: TruncatedSVD | None = None
    n_comp = min(svd_components, weighted.shape[1] - 1, weighted.shape[0] - 1)
    if n_comp >= 2:
        svd = TruncatedSVD(n_components=n_comp, random_state=seed)
        embedded = normalize(svd.fit_transform(weighted))
    else:
        embedded = normalize(weighted.toarray()) if weighted.shape[1] else np.zeros((len(reps), 1))
    has_signal = np.linalg.norm(embedded, axis=1) > 1e-6
    points = np.flatnonzero(has_signal)  # positions in `reps`

    # Each distinct text counts once in the shape of the clusters: a campaign is one idea,
    # however many sent it (its weight shows in the sizes and in the choice of quotes).
    labels_of_points = np.zeros(0, dtype=np.int64)
    k_scores: dict[int, float] = {}
    chosen_k = 0
    if len(points):
        upper = k_max if k_max is not None else default_k_max(len(points))
        if k is None and k_method == "silhouette":
            best, k_scores = choose_k(embedded[points], range(2, upper + 1), seed=seed)
            result = kmeans(embedded[points], best, seed=seed)
        else:
            result = spectral_kmeans(
                embedded[points], k=k, candidates=range(2, upper + 1), seed=seed
            )
            k_scores = result.scores
        labels_of_points, chosen_k = result.labels, result.k

    # Clusters as lists of representative positions; too small ones go to "isolated".
    by_label: dict[int, list[int]] = {}
    for position, label in zip(points.tolist(), labels_of_points.tolist(), strict=True):
        by_label.setdefault(label, []).append(position)
    groups = [g for g in by_label.values() if support[reps[g]].sum() >= min_cluster_size]
    # A text whose words are shared with no other text, but that many people sent, is still
    # a group: its own.
    groups += [
        [p] for p in np.flatnonzero(~has_signal).tolist() if support[reps[p]] >= min_cluster_size
    ]
    groups.sort(key=lambda g: (-int(support[reps[g]].sum()), g[0]))
    clustered = np.zeros(len(reps), dtype=bool)
    for g in groups:
        clustered[g] = True

    members_of_rep: dict[int, list[int]] = {}
    for row in active_rows.tolist():
        members_of_rep.setdefault(int(representative[row]), []).append(row)

    def expand(positions: Sequence[int]) -> list[int]:
        return sorted(row for p in positions for row in members_of_rep[int(reps[p])])

    group_rows = [expand(g) for g in groups]
    new_ids = match_groups(
        {cid: m for cid, m in (previous or {}).items() if cid not in frozen},
        [[row_ids[r] for r in rows] for rows in group_rows],
        reserved_ids=list(frozen),
    )

    # Labels: class-based TF-IDF over every cluster, frozen ones included, so that each
    # label says what sets its cluster apart from the others.
    class_counts = [counts[g].sum(axis=0) for g in groups]
    for cid in frozen_rows:
        rows_features = frozen_features[cid]
        block = vectorizer.transform(rows_features) if counts.shape[1] and rows_features else None
        class_counts.append(
            block.sum(axis=0) if block is not None else np.zeros((1, counts.shape[1]))
        )
    keywords = _class_keywords(
        np.asarray(np.vstack(class_counts)) if class_counts else np.zeros((0, 0)),
        terms,
        n_keywords,
    )
    # Clusters with no term of the shared vocabulary: their own most frequent words.
    class_features = [[rep_features[p] for p in g] for g in groups]
    class_features += [frozen_features[cid] for cid in frozen_rows]
    for position, features in enumerate(class_features):
        if not keywords[position]:
            counter = Counter(f for doc in features for f in doc if " " not in f)
            keywords[position] = [term for term, _ in counter.most_common(n_keywords)]
    class_texts = [[texts[int(reps[p])] for p in g] for g in groups]
    class_texts += [[texts[r] for r in rows] for rows in frozen_rows.values()]
    readable = _Readable(analyzer, class_texts, keywords)

    clusters: list[TextCluster] = []
    for position, (g, rows, cid) in enumerate(zip(groups, group_rows, new_ids, strict=True)):
        quotes = _quotes(embedded[g], support[reps[g]], n_quotes, mmr_lambda)
        words = [readable(position, t) for t in keywords[position]]
        clusters.append(
            TextCluster(
                id=cid,
                label=", ".join(words[:n_label_words]),
                keywords=words,
                members=[row_ids[r] for r in rows],
                quotes=[row_ids[int(reps[g[q]])] for q in quotes],
                size=len(rows),
                size_unique=len(g),
            )
        )
    for offset, (cid, rows) in enumerate(frozen_rows.items()):
        quotes = _frozen_quotes(
            rows, vectorizer, tfidf, svd, frozen_features[cid], n_quotes, mmr_lambda
        )
        words = [readable(len(groups) + offset, t) for t in keywords[len(groups) + offset]]
        clusters.append(
            TextCluster(
                id=cid,
                label=", ".join(words[:n_label_words]),
                keywords=words,
                members=[row_ids[r] for r in rows],
                quotes=[row_ids[r] for r in quotes],
                size=len(rows),
                size_unique=len(set(group_of[rows].tolist())),
                frozen=True,
            )
        )
    clusters.sort(key=lambda c: (-c.size, c.id))

    isolated_reps = reps[~clustered]
    isolated_rows = sorted(row for r in isolated_reps.tolist() for row in members_of_rep[r])
    stats = {
        "texts": n,
        "texts_unique": len(set(group_of.tolist())),
        "clustered": sum(c.size for c in clusters),
        "clustered_unique": sum(c.size_unique for c in clusters),
        "isolated": len(isolated_rows),
        "isolated_unique": int(len(isolated_reps)),
        "duplicate_groups": len(duplicate_groups),
        "duplicated_texts": sum(len(g) for g in duplicate_groups),
    }
    params: dict[str, Any] = {
        "k": chosen_k,
        "k_requested": k,
        "k_max": k_max,
        "seed": seed,
        "k_method": k_method if k is None else "given",
        "k_scores": {str(key): round(val, 6) for key, val in k_scores.items()},
        "duplicate_threshold": duplicate_threshold,
        "min_cluster_size": min_cluster_size,
        "vocabulary": int(len(terms)),
        "svd_components": int(svd.n_components) if svd is not None else 0,
    }
    return TextAnalysis(
        clusters=clusters,
        duplicates=[[row_ids[i] for i in g] for g in duplicate_groups],
        isolated=[row_ids[r] for r in isolated_rows],
        stats=stats,
        params=params,
    )


def _identity(features: list[str]) -> list[str]:
    return features


def _class_keywords(
    class_counts: np.ndarray, terms: np.ndarray, n_keywords: int
) -> list[list[str]]:
    """Top terms of each class by class-based TF-IDF (as in BERTopic).

    weight(t, c) = tf(t, c) / |c| * log(1 + A / f(t)), where |c| is the number of terms in the
    class, A the average number of terms per class and f(t) the frequency of t over all
    classes: frequent in this cluster, rare in the others. A term whose stems are all already
    in the chosen keywords is skipped ("transport" after "transports en commun").
    """
    if class_counts.size == 0 or not len(terms):
        return [[] for _ in range(class_counts.shape[0])]
    totals = class_counts.sum(axis=1, keepdims=True)
    frequency = class_counts.sum(axis=0)
    average = class_counts.sum() / class_counts.shape[0]
    with np.errstate(divide="ignore", invalid="ignore"):
        tf = np.where(totals > 0, class_counts / np.maximum(totals, 1), 0.0)
        idf = np.log1p(average / np.maximum(frequency, 1))
    weights = tf * idf
    out: list[list[str]] = []
    for row in weights:
        # Sort by weight, then by term, so that ties do not depend on the vocabulary order.
        order = np.lexsort((terms, -row))
        chosen: list[str] = []
        covered: set[str] = set()
        for t in order:
            if row[t] <= 0 or len(chosen) >= n_keywords:
                break
            stems = set(str(terms[t]).split(" "))
            if stems <= covered:
                continue
            chosen.append(str(terms[t]))
            covered |= stems
        out.append(chosen)
    return out


class _Readable:
    """Shows a cluster's keywords as people wrote them in that cluster: the most frequent word
    behind a stem ("étudiantes" in one cluster, "étudier" in another), and the most frequent
    span behind a bigram ("transports en commun")."""

    # Texts read per cluster: the spelling that most people use shows up long before the end,
    # and reading every text again would add a third to the time on 100,000 texts.
    SAMPLE = 2000

    def __init__(
        self,
        analyzer: FrenchAnalyzer,
        class_texts: Sequence[Sequence[str]],
        keywords: Sequence[Sequence[str]],
    ):
        self._analyzer = analyzer
        self._forms: list[dict[str, str]] = []
        for texts, terms in zip(class_texts, keywords, strict=True):
            wanted = set(terms)
            seen: dict[str, Counter[str]] = {}
            for text in texts[: self.SAMPLE] if wanted else ():
                for feature, surface in analyzer.surfaces(text):
                    if feature in wanted:
                        seen.setdefault(feature, Counter())[surface] += 1
            self._forms.append(
                {
                    term: min(counter.items(), key=lambda item: (-item[1], item[0]))[0]
                    for term, counter in seen.items()
                }
            )

    def __call__(self, position: int, term: str) -> str:
        form = self._forms[position].get(term)
        if form is not None:
            return form
        return " ".join(self._analyzer.surface(s) for s in term.split(" "))


def _mmr(vectors: np.ndarray, relevance: np.ndarray, n: int, mmr_lambda: float) -> list[int]:
    """Maximal marginal relevance: relevant texts that do not repeat each other."""
    chosen: list[int] = []
    if not len(vectors):
        return chosen
    redundancy = np.full(len(vectors), -np.inf)
    available = np.ones(len(vectors), dtype=bool)
    for _ in range(min(n, len(vectors))):
        penalty = np.where(np.isfinite(redundancy), redundancy, 0.0)
        score = mmr_lambda * relevance - (1 - mmr_lambda) * penalty
        score[~available] = -np.inf
        best = int(np.argmax(score))  # first index on ties: deterministic
        chosen.append(best)
        available[best] = False
        redundancy = np.maximum(redundancy, vectors @ vectors[best])
    return chosen


def _quotes(vectors: np.ndarray, support: np.ndarray, n: int, mmr_lambda: float) -> list[int]:
    """Positions of the representative texts of one cluster.

    Relevance is the cosine to the cluster's centre times (1 + log support), scaled to [0, 1]:
    a text that 30 people sent is more representative than one written once.
    """
    centre = vectors.T @ support.astype(np.float64)
    norm = np.linalg.norm(centre)
    if norm == 0:
        return list(range(min(n, len(vectors))))
    closeness = np.clip(vectors @ (centre / norm), 0.0, None)
    relevance = closeness * (1.0 + np.log(support.astype(np.float64)))
    top = relevance.max()
    if top > 0:
        relevance = relevance / top
    return _mmr(vectors, relevance, n, mmr_lambda)


def _frozen_quotes(
    rows: list[int],
    vectorizer: CountVectorizer,
    tfidf: TfidfTransformer | None,
    svd: TruncatedSVD | None,
    features: list[list[str]],
    n: int,
    mmr_lambda: float,
) -> list[int]:
    """Representative rows of a frozen cluster, in the space fitted on the other texts."""
    if not rows:
        return []
    if tfidf is None:
        return rows[:n]
    weighted = tfidf.transform(vectorizer.transform(features))
    vectors = normalize(svd.transform(weighted) if svd is not None else weighted.toarray())
    return [rows[i] for i in _quotes(vectors, np.ones(len(rows)), n, mmr_lambda)]
