"""Clustering of short French contributions into labelled groups with representative quotes."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Hashable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer
from sklearn.preprocessing import normalize

from .duplicates import find_duplicates
from .granularity import COHESIVE, COHESIVE_TFIDF, split_until
from .identity import match_groups
from .kmeans import KMethod, choose_k, kmeans, single_threaded, spectral_kmeans
from .openings import strip_opening
from .text import FrenchAnalyzer, title_phrase, words


@dataclass(frozen=True)
class TextCluster:
    id: int
    label: str  # the title: a representative phrase of the group's own texts
    keywords: list[str]
    members: list[Hashable]  # ids, in input order
    quotes: list[Hashable]  # ids of representative texts, best first
    size: int  # raw number of texts
    size_unique: int  # after merging duplicates
    frozen: bool = False
    theme: int | None = None  # id of its theme, when the analysis has two levels


@dataclass(frozen=True)
class TextTheme:
    """A theme of a two-level analysis: a title over some of the finest groups."""

    id: int
    label: str
    keywords: list[str]
    clusters: list[int]  # ids of its clusters, largest first
    size: int


@dataclass(frozen=True)
class TextAnalysis:
    clusters: list[TextCluster]  # largest first: the finest groups
    duplicates: list[list[Hashable]]  # groups of ids with the same (or nearly the same) text
    isolated: list[Hashable]  # ids in no cluster
    stats: dict[str, int]  # raw and deduplicated figures
    params: dict[str, Any] = field(default_factory=dict)
    themes: list[TextTheme] = field(default_factory=list)  # empty: one level

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (the `analysis texts` command writes exactly this)."""
        return {
            "clusters": [asdict(c) for c in self.clusters],
            "themes": [asdict(t) for t in self.themes],
            "duplicates": [{"members": list(g), "size": len(g)} for g in self.duplicates],
            "isolated": list(self.isolated),
            "stats": dict(self.stats),
            "params": dict(self.params),
        }


def default_k_max(n_points: int) -> int:
    """Upper bound of the eigengap and silhouette methods' k: about sqrt(n/2), between 2 and
    30 groups, since an official reads and answers every group."""
    return max(2, min(30, round(math.sqrt(n_points / 2))))


def fine_cap(weight: float) -> float:
    """Largest group inside a theme, in contributions: 2 % of the corpus, at least 30. With
    themes capped at 15 %, 20,000 contributions make tens of themes and groups of a few
    hundred at most, unless a group's texts all say the same thing."""
    return max(30.0, 0.02 * weight)


@single_threaded
def cluster_texts(
    texts: Sequence[str],
    ids: Sequence[Hashable] | None = None,
    *,
    vectors: np.ndarray | None = None,
    combine: bool = False,
    k: int | None = None,
    k_max: int | None = None,
    k_method: KMethod = "auto",
    max_share: float = 0.15,
    two_levels_from: int = 1000,
    seed: int = 0,
    previous: Mapping[int, Collection[Hashable]] | None = None,
    frozen: Mapping[int, Collection[Hashable]] | None = None,
    duplicate_threshold: float = 0.6,
    min_cluster_size: int = 2,
    n_keywords: int = 8,
    n_quotes: int = 3,
    mmr_lambda: float = 0.7,
    svd_components: int = 100,
    extra_stop_words: Collection[str] = (),
) -> TextAnalysis:
    """Group short French texts by topic.

    `ids` name the rows (default: 0-based row numbers) and must be unique; every id ends up in
    exactly one cluster or in `isolated`. `vectors` (one unit row per text, e.g. stored
    sentence vectors) are the texts' representation when given, alone or, with `combine`,
    beside the TF-IDF (LSA) vectors; TF-IDF alone otherwise.

    `k` fixes the number of clusters (frozen ones excepted). Without it, `k_method` "auto"
    (the default) lets the texts decide, with no catch-all: no group above `max_share` of the
    contributions unless its texts really share one theme (see granularity.py); from
    `two_levels_from` distinct texts on, those groups are themes, each split again into
    groups of at most `fine_cap` contributions (same exception), and the result has `themes`.
    "eigengap" and "silhouette" choose a flat k between 2 and `k_max`.

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
    if vectors is not None and len(vectors) != n:
        raise ValueError("texts and vectors must have the same length")

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
    rep_features = [analyzer.features(strip_opening(texts[i])) for i in reps]
    frozen_features = {
        cid: [analyzer.features(strip_opening(texts[i])) for i in rows]
        for cid, rows in frozen_rows.items()
    }

    vectorizer = CountVectorizer(analyzer=_identity, min_df=2, dtype=np.float64)
    try:
        counts = vectorizer.fit_transform(rep_features).tocsr()
    except ValueError:  # no term occurs twice: nothing can be grouped
        counts = sparse.csr_matrix((len(reps), 0))
    terms = np.asarray(vectorizer.get_feature_names_out()) if counts.shape[1] else np.array([])

    # LSA: TF-IDF, reduced by truncated SVD, rows re-normalised so that euclidean k-means on
    # the reduced vectors behaves like cosine similarity on the texts. Not needed when given
    # vectors are used alone.
    tfidf = TfidfTransformer(sublinear_tf=True).fit(counts) if counts.shape[1] else None
    weighted = tfidf.transform(counts) if tfidf is not None else counts
    svd: TruncatedSVD | None = None
    lsa = np.zeros((len(reps), 1))
    if vectors is None or combine:
        n_comp = min(svd_components, weighted.shape[1] - 1, weighted.shape[0] - 1)
        if n_comp >= 2:
            svd = TruncatedSVD(n_components=n_comp, random_state=seed)
            lsa = normalize(svd.fit_transform(weighted))
        elif weighted.shape[1]:
            lsa = normalize(weighted.toarray())
    if vectors is None:
        embedded = lsa
        has_signal = np.linalg.norm(embedded, axis=1) > 1e-6
        cohesive = COHESIVE_TFIDF
    else:
        # float32: 100,000 vectors of 512 dimensions take 200 MB, not 400.
        given = normalize(np.asarray(vectors, dtype=np.float32)[reps])
        # Equal weights: each part is a unit vector scaled by sqrt(1/2).
        embedded = normalize(np.hstack([given, lsa]) / math.sqrt(2)) if combine else given
        cohesive = (COHESIVE + COHESIVE_TFIDF) / 2 if combine else COHESIVE
        # A text with no content word ("!!!", "Nous devrions !") says nothing to group by,
        # whatever its vector.
        has_signal = np.array([bool(f) for f in rep_features], dtype=bool) & (
            np.linalg.norm(given, axis=1) > 1e-6
        )
    points = np.flatnonzero(has_signal)  # positions in `reps`

    # Each distinct text counts once in the shape of the clusters: a campaign is one idea,
    # however many sent it (its weight shows in the sizes, the caps and the quotes).
    labels_of_points = np.zeros(0, dtype=np.int64)
    theme_of_label: dict[int, int] = {}
    k_scores: dict[int, float] = {}
    chosen_k = 0
    method = k_method if k is None else "given"
    if len(points):
        upper = k_max if k_max is not None else default_k_max(len(points))
        if k is None and k_method == "auto":
            labels_of_points, theme_of_label = _auto_groups(
                embedded[points],
                support[reps[points]].astype(np.float64),
                max_share=max_share,
                two_levels=len(points) >= two_levels_from,
                cohesive=cohesive,
                k_max=min(12, upper) if k_max is not None else 12,
                seed=seed,
            )
            chosen_k = int(labels_of_points.max()) + 1 if len(labels_of_points) else 0
        elif k is None and k_method == "silhouette":
            best, k_scores = choose_k(embedded[points], range(2, upper + 1), seed=seed)
            result = kmeans(embedded[points], best, seed=seed)
            labels_of_points, chosen_k = result.labels, result.k
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
    kept = [
        (label, g) for label, g in by_label.items() if support[reps[g]].sum() >= min_cluster_size
    ]
    # A text whose words are shared with no other text, but that many people sent, is still
    # a group: its own.
    kept += [
        (-1, [p])
        for p in np.flatnonzero(~has_signal).tolist()
        if support[reps[p]] >= min_cluster_size
    ]
    kept.sort(key=lambda item: (-int(support[reps[item[1]]].sum()), item[1][0]))
    groups = [g for _, g in kept]
    group_theme = [theme_of_label.get(label) for label, _ in kept]
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

    # Frozen clusters' vectors, in the same space, for their quotes and titles.
    frozen_vectors = {
        cid: _vectors_of(rows, vectors, vectorizer, tfidf, svd, frozen_features[cid])
        for cid, rows in frozen_rows.items()
    }
    describe = _Describer(analyzer, texts, counts, vectorizer, terms, n_keywords)
    class_counts = [counts[g].sum(axis=0) for g in groups]
    class_counts += [describe.counts_of(frozen_features[cid]) for cid in frozen_rows]
    class_members = [[(int(reps[p]), rep_features[p]) for p in g] for g in groups]
    class_members += [
        list(zip(rows, frozen_features[cid], strict=True)) for cid, rows in frozen_rows.items()
    ]
    keywords = describe.keywords(class_counts, class_members)

    clusters: list[TextCluster] = []
    for position, (g, rows, cid) in enumerate(zip(groups, group_rows, new_ids, strict=True)):
        quotes = _quotes(embedded[g], support[reps[g]], n_quotes, mmr_lambda)
        central = _central(embedded[g], support[reps[g]], limit=8)
        clusters.append(
            TextCluster(
                id=cid,
                label=describe.title([int(reps[g[q]]) for q in central], keywords.stems[position]),
                keywords=keywords.words[position],
                members=[row_ids[r] for r in rows],
                quotes=[row_ids[int(reps[g[q]])] for q in quotes],
                size=len(rows),
                size_unique=len(g),
                theme=group_theme[position],
            )
        )
    for offset, (cid, rows) in enumerate(frozen_rows.items()):
        position = len(groups) + offset
        own = frozen_vectors[cid]
        quotes = _quotes(own, np.ones(len(rows)), n_quotes, mmr_lambda) if len(own) else []
        central = _central(own, np.ones(len(rows)), limit=8) if len(own) else []
        clusters.append(
            TextCluster(
                id=cid,
                label=describe.title([rows[q] for q in central], keywords.stems[position]),
                keywords=keywords.words[position],
                members=[row_ids[r] for r in rows],
                quotes=[row_ids[rows[q]] for q in quotes],
                size=len(rows),
                size_unique=len(set(group_of[rows].tolist())),
                frozen=True,
            )
        )
    clusters.sort(key=lambda c: (-c.size, c.id))
    themes = _themes(clusters, groups, group_theme, embedded, support, reps, describe, counts)

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
        "k_method": method,
        "k_scores": {str(key): round(val, 6) for key, val in k_scores.items()},
        "themes": len(themes),
        "max_share": max_share,
        "representation": (
            "tfidf" if vectors is None else "vectors+tfidf" if combine else "vectors"
        ),
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
        themes=themes,
    )


def _auto_groups(
    points: np.ndarray,
    weights: np.ndarray,
    *,
    max_share: float,
    two_levels: bool,
    cohesive: float,
    k_max: int,
    seed: int,
) -> tuple[np.ndarray, dict[int, int]]:
    """Labels of the finest groups, and the theme (0-based) of each label when two levels."""
    total = float(weights.sum())
    themes = split_until(
        points,
        weights,
        # At least 10: a few groups for a few dozen contributions, not ten groups of 2.
        cap=max(max_share * total, 10.0),
        seed=seed,
        cohesive=cohesive,
        k_max=k_max,
    )
    if not two_levels:
        return themes, {}
    labels = np.zeros(len(points), dtype=np.int64)
    theme_of_label: dict[int, int] = {}
    cap = fine_cap(total)
    next_label = 0
    for theme in range(int(themes.max()) + 1):
        rows = np.flatnonzero(themes == theme)
        sub = split_until(
            points[rows],
            weights[rows],
            cap=cap,
            seed=seed,
            cohesive=cohesive,
            k_max=8,
            start=np.zeros(len(rows), dtype=np.int64),
        )
        labels[rows] = sub + next_label
        for label in range(next_label, next_label + int(sub.max()) + 1):
            theme_of_label[label] = theme
        next_label += int(sub.max()) + 1
    return labels, theme_of_label


def _themes(
    clusters: list[TextCluster],
    groups: list[list[int]],
    group_theme: list[int | None],
    embedded: np.ndarray,
    support: np.ndarray,
    reps: np.ndarray,
    describe: _Describer,
    counts: sparse.csr_matrix,
) -> list[TextTheme]:
    """The themes of a two-level analysis, numbered 1.. by size; each cluster's `theme` is
    set to its theme's number (clusters are frozen dataclasses: replaced in place)."""
    by_theme: dict[int, list[int]] = {}
    for position, theme in enumerate(group_theme):
        if theme is not None:
            by_theme.setdefault(theme, []).extend(groups[position])
    if not by_theme:
        return []
    order = sorted(by_theme, key=lambda t: (-int(support[reps[by_theme[t]]].sum()), t))
    number = {t: i + 1 for i, t in enumerate(order)}
    class_counts = [counts[by_theme[t]].sum(axis=0) for t in order]
    keywords = describe.keywords(class_counts, None)
    themes: list[TextTheme] = []
    for i, t in enumerate(order):
        positions = by_theme[t]
        central = _central(embedded[positions], support[reps[positions]], limit=8)
        themes.append(
            TextTheme(
                id=number[t],
                label=describe.title([int(reps[positions[q]]) for q in central], keywords.stems[i]),
                keywords=keywords.words[i],
                clusters=[],
                size=0,
            )
        )
    for index, cluster in enumerate(clusters):
        if cluster.theme is not None:
            cluster = replace(cluster, theme=number[cluster.theme])
            clusters[index] = cluster
            theme = themes[cluster.theme - 1]
            theme.clusters.append(cluster.id)
    return [replace(t, size=sum(c.size for c in clusters if c.theme == t.id)) for t in themes]


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


def _central(vectors: np.ndarray, support: np.ndarray, limit: int) -> list[int]:
    """Positions of the `limit` texts closest to the group's (support-weighted) centre."""
    centre = vectors.T @ support.astype(np.float64)
    norm = np.linalg.norm(centre)
    if norm == 0:
        return list(range(min(limit, len(vectors))))
    closeness = vectors @ (centre / norm) * (1.0 + 0.1 * np.log(support.astype(np.float64)))
    return np.argsort(-closeness, kind="stable")[:limit].tolist()


def _vectors_of(
    rows: list[int],
    vectors: np.ndarray | None,
    vectorizer: CountVectorizer,
    tfidf: TfidfTransformer | None,
    svd: TruncatedSVD | None,
    features: list[list[str]],
) -> np.ndarray:
    """Vectors of a frozen cluster's rows: the given ones, or TF-IDF in the space fitted on
    the other texts (for its quotes and title)."""
    if not rows:
        return np.zeros((0, 1))
    if vectors is not None:
        return normalize(np.asarray(vectors, dtype=np.float64)[rows])
    if tfidf is None:
        return np.zeros((len(rows), 1))
    weighted = tfidf.transform(vectorizer.transform(features))
    return normalize(svd.transform(weighted) if svd is not None else weighted.toarray())


@dataclass(frozen=True)
class _Keywords:
    stems: list[list[str]]  # features, for matching
    words: list[list[str]]  # as people wrote them, for reading


class _Describer:
    """Keywords and titles of groups of texts."""

    def __init__(
        self,
        analyzer: FrenchAnalyzer,
        texts: Sequence[str],
        counts: sparse.csr_matrix,
        vectorizer: CountVectorizer,
        terms: np.ndarray,
        n_keywords: int,
    ):
        self._analyzer, self._texts, self._counts = analyzer, texts, counts
        self._vectorizer, self._terms, self._n = vectorizer, terms, n_keywords

    def counts_of(self, features: list[list[str]]) -> np.ndarray:
        if self._counts.shape[1] and features:
            return self._vectorizer.transform(features).sum(axis=0)
        return np.zeros((1, self._counts.shape[1]))

    def keywords(
        self, class_counts: list[np.ndarray], members: list[list[tuple[int, list[str]]]] | None
    ) -> _Keywords:
        """Class-based TF-IDF over every class, so that each class's keywords say what sets it
        apart from the others; a class with no term of the shared vocabulary gets its own most
        frequent words. `members`: (row, features) of each class, None to skip both the
        fallback and the spelling of each class's own texts."""
        stems = _class_keywords(
            np.asarray(np.vstack(class_counts)) if class_counts else np.zeros((0, 0)),
            self._terms,
            self._n,
        )
        if members is None:
            analyzer = self._analyzer
            words = [
                [" ".join(analyzer.surface(s) for s in t.split(" ")) for t in terms]
                for terms in stems
            ]
            return _Keywords(stems, words)
        for position, rows in enumerate(members):
            if not stems[position]:
                counter = Counter(f for _, doc in rows for f in doc if " " not in f)
                stems[position] = [term for term, _ in counter.most_common(self._n)]
        readable = _Readable(
            self._analyzer, [[self._texts[r] for r, _ in rows] for rows in members], stems
        )
        words = [[readable(p, t) for t in terms] for p, terms in enumerate(stems)]
        return _Keywords(stems, words)

    def title(self, central_rows: Sequence[int], stems: Sequence[str]) -> str:
        """A short phrase from one of the group's most central texts: its first clause, prompt
        opening removed, cut at a word boundary. Among the central texts, the closer to the
        centre, the more of the group's keywords, and the less cut, the better."""
        wanted = {s for s in stems[:5] if " " not in s}
        best, best_score = "", -math.inf
        for rank, row in enumerate(central_rows):
            phrase = title_phrase(self._texts[row])
            if not phrase:
                continue
            stems_in = {self._analyzer.stem(w) for w in words(phrase)}
            score = (
                1.0
                - 0.5 * rank / max(1, len(central_rows))
                + 0.15 * len(wanted & stems_in)
                - (0.3 if phrase.endswith("…") else 0.0)
                - (0.3 if len(phrase) < 15 else 0.0)
                - 0.003 * len(phrase)  # a short title reads better
            )
            if score > best_score:
                best, best_score = phrase, score
        if not best:
            best = ", ".join(
                " ".join(self._analyzer.surface(s) for s in t.split()) for t in stems[:3]
            )
        return best
