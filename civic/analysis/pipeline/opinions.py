"""Opinion groups from agree / disagree / pass votes, computed as Pol.is computes them.

The method is Pol.is's (compdemocracy/polis, `math/src/polismath/math/`: conversation.clj,
pca.clj, clusters.clj, repness.clj; Small et al. 2021), step by step:

1. Vote matrix: one row per participant, one column per statement; agree = 1, disagree = -1,
   pass = 0, NaN where the participant did not vote. Statements moderated out keep their column
   with every cell set to 0 (Pol.is's `zero-out-columns`): they weigh nothing in the PCA and
   are never shown as representative or consensus.
2. Participants in the conversation: those with at least min(7, number of statements) votes,
   counted before moderation; plus, as in Pol.is, whoever was in before (`previously_included`:
   once in, always in), and the most active voters while fewer than 15 are in.
3. PCA of the matrix with missing votes at the statement's mean, over every participant; each
   participant is projected on the first two components from their own votes only, and the
   projection is scaled by sqrt(statements / votes), so that someone who voted little is not
   pulled to the centre.
4. Two-stage clustering on the map of the included participants: up to 100 base clusters
   (k-means), then k-means of the base clusters, weighted by their sizes, for k = 2 to
   min(5, 2 + bases / 12); k by the silhouette of the base clusters, changed only once the
   same new k has won `k_buffer` runs in a row (Pol.is's group-k-smoother, `k_state`).
5. Repness: agree (disagree) probability with pseudo-counts (n + 1) / (N + 2), its z against
   1/2, its ratio to the rest of the participants and the two-proportion z against them; kept
   when both z are significant at 90 %, sorted by Pol.is's metric, the group's best agreement
   first, at most 5, agreements before disagreements; the best statement when none passes.
6. Group-informed consensus: the product over groups of the smoothed agree (disagree)
   probability.

Where Pol.is draws at random (its starting centres), every step here is seeded; rows are put
in a canonical order, and group ids follow the previous groups (Hungarian matching on members).
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import pairwise_distances, silhouette_score
from sklearn.utils.extmath import randomized_svd

from .identity import match_groups
from .kmeans import single_threaded

Z_90 = 1.2816  # one-sided 90 % (Pol.is z-sig-90)
BASE_K = 100  # Pol.is :base-k
GREEDY_N = 15  # Pol.is in-conv: the most active voters while fewer than this are in
K_BUFFER = 4  # Pol.is :group-k-buffer
MAX_REPNESS = 5  # Pol.is takes 5 representative statements per group


@dataclass(frozen=True)
class VoteMatrix:
    participants: list[Hashable]
    statements: list[Hashable]
    values: np.ndarray  # participants x statements, float, NaN = not voted


@dataclass(frozen=True)
class Repness:
    """Why a statement represents a group (Pol.is repness)."""

    statement: Hashable
    direction: Literal["agree", "disagree"]
    n_success: int  # members of the group who agreed (or disagreed)
    n_votes: int  # members of the group who voted on it, passes included
    probability: float  # smoothed (n_success + 1) / (n_votes + 2)
    probability_test: float  # z of "the group leans this way" (vs 1/2)
    ratio: float  # probability in the group / probability in the other groups
    ratio_test: float  # two-proportion z, group vs the others
    best_agree: bool = False  # Pol.is's "best agreement" of the group, put first


@dataclass(frozen=True)
class OpinionGroup:
    id: int
    participants: list[Hashable]
    repness: list[Repness]
    # Pol.is's group-votes: per statement of `OpinionAnalysis.statements`, how many members
    # agreed, disagreed, and voted at all.
    n_agree: list[int] = field(default_factory=list)
    n_disagree: list[int] = field(default_factory=list)
    n_seen: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class Consensus:
    statement: Hashable
    score: float  # product over groups of the smoothed agree (or disagree) probability
    probabilities: list[float]  # per group, in the order of `groups`


@dataclass(frozen=True)
class KState:
    """Pol.is's group-k-smoother: k changes once the same new k has won `K_BUFFER` runs."""

    last_k: int
    last_k_count: int
    smoothed_k: int


@dataclass(frozen=True)
class OpinionAnalysis:
    k: int
    groups: list[OpinionGroup]  # largest first
    consensus: list[Consensus]  # group-informed consensus on agreement, best first
    consensus_disagree: list[Consensus]  # ... and on disagreement
    excluded_participants: list[Hashable]  # not in the conversation (too few votes)
    excluded_statements: list[Hashable]  # moderated out
    coordinates: dict[Hashable, tuple[float, float]]  # map of the included participants
    silhouettes: dict[int, float]
    k_state: KState | None = None  # to pass to the next run
    statements: list[Hashable] = field(default_factory=list)  # kept (not moderated out)
    params: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (the `analysis opinions` command writes exactly this)."""
        return {
            "k": self.k,
            "groups": [
                {
                    "id": g.id,
                    "participants": list(g.participants),
                    "n_agree": g.n_agree,
                    "n_disagree": g.n_disagree,
                    "n_seen": g.n_seen,
                }
                for g in self.groups
            ],
            "statements": list(self.statements),
            "coordinates": [
                [p, round(x, 4), round(y, 4)] for p, (x, y) in self.coordinates.items()
            ],
            "repness": {str(g.id): [r.statement for r in g.repness] for g in self.groups},
            "repness_details": {str(g.id): [asdict(r) for r in g.repness] for g in self.groups},
            "consensus": [c.statement for c in self.consensus],
            "consensus_disagree": [c.statement for c in self.consensus_disagree],
            "excluded_participants": list(self.excluded_participants),
            "excluded_statements": list(self.excluded_statements),
            "silhouettes": {str(k): round(v, 6) for k, v in self.silhouettes.items()},
            "k_state": asdict(self.k_state) if self.k_state else None,
            "params": dict(self.params),
        }


def _sort_key(value: Hashable) -> tuple[int, Any]:
    """Numbers before strings, each in natural order: a canonical order for mixed ids."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (0, value)
    return (1, str(value))


def vote_matrix(votes: Iterable[tuple[Hashable, Hashable, float]]) -> VoteMatrix:
    """Matrix of (participant, statement, vote) triples; the last vote on a pair wins.

    Rows and columns are sorted by id, so that the result, and the groups computed from it, do
    not depend on the order in which the database returned the votes.
    """
    triples = list(votes)
    if not triples:
        return VoteMatrix([], [], np.full((0, 0), np.nan))
    # Comprehensions, not zip(*triples): unpacking 500,000 arguments takes seconds.
    people = [t[0] for t in triples]
    items = [t[1] for t in triples]
    given = [t[2] for t in triples]
    participants, rows = _index(people)
    statements, cols = _index(items)
    vals = np.asarray(given, dtype=np.float64)
    if not np.isin(vals, (-1.0, 0.0, 1.0)).all():
        raise ValueError("votes must be 1 (agree), -1 (disagree) or 0 (pass)")
    # The last vote on each (participant, statement) pair: first occurrence in reverse order.
    keys = rows * len(statements) + cols
    _, last = np.unique(keys[::-1], return_index=True)
    last = len(keys) - 1 - last
    values = np.full((len(participants), len(statements)), np.nan)
    values[rows[last], cols[last]] = vals[last]
    return VoteMatrix(participants, statements, values)


def _index(ids: Sequence[Hashable]) -> tuple[list[Hashable], np.ndarray]:
    """Sorted distinct ids, and the position of each id among them."""
    kinds = set(map(type, ids))
    if kinds == {int} or kinds == {str}:
        # All integers or all strings: numpy sorts them as _sort_key would, much faster. (Mixed
        # ones would be turned into strings by numpy.)
        distinct, inverse = np.unique(np.asarray(ids), return_inverse=True)
        return distinct.tolist(), inverse.astype(np.int64)
    distinct_ids = sorted(set(ids), key=_sort_key)
    position = {value: i for i, value in enumerate(distinct_ids)}
    return distinct_ids, np.fromiter((position[v] for v in ids), dtype=np.int64, count=len(ids))


@single_threaded
def opinion_groups(
    votes: Iterable[tuple[Hashable, Hashable, float]] | VoteMatrix,
    *,
    moderated_out: Collection[Hashable] = (),
    seed: int = 0,
    min_votes: int = 7,
    k: int | None = None,
    previous: Mapping[int, Collection[Hashable]] | None = None,
    previously_included: Collection[Hashable] = (),
    k_state: KState | Mapping[str, int] | None = None,
    max_repness: int | None = MAX_REPNESS,
    n_consensus: int = 5,
) -> OpinionAnalysis:
    """Opinion groups of the participants, what sets each group apart, and what unites them.

    Pol.is's method (see the module's docstring). `k` forces the number of groups; `previous`
    (group id -> members) keeps the ids of a previous run's groups; `previously_included` and
    `k_state` carry Pol.is's memory from one run to the next (who is in the conversation, and
    the k smoother); `max_repness=None` lists every significant statement.
    """
    matrix = votes if isinstance(votes, VoteMatrix) else vote_matrix(votes)
    excluded = set(moderated_out)
    active = np.array([s not in excluded for s in matrix.statements], dtype=bool)
    raw = matrix.values
    n_rows, n_cols = raw.shape
    counts = (~np.isnan(raw)).sum(axis=1)  # before moderation, as Pol.is counts them
    included = _in_conversation(
        counts,
        np.array([p in set(previously_included) for p in matrix.participants], dtype=bool),
        min(min_votes, n_cols),
    )
    statements = [s for s, keep in zip(matrix.statements, active, strict=True) if keep]
    participants = [p for p, keep in zip(matrix.participants, included, strict=True) if keep]
    excluded_participants = [
        p for p, keep in zip(matrix.participants, included, strict=True) if not keep
    ]
    params: dict[str, Any] = {
        "seed": seed,
        "min_votes": min_votes,
        "k_requested": k,
        "participants": n_rows,
        "participants_kept": len(participants),
        "statements": n_cols,
        "statements_kept": len(statements),
        "votes": int(counts.sum()),
    }
    empty = OpinionAnalysis(
        k=0,
        groups=[],
        consensus=[],
        consensus_disagree=[],
        excluded_participants=excluded_participants,
        excluded_statements=[s for s in matrix.statements if s in excluded],
        coordinates={},
        silhouettes={},
        params=params,
    )
    if not participants or not statements:
        # Nothing to group on: everyone is left out.
        return replace(empty, excluded_participants=list(matrix.participants))

    rating = raw.copy()
    rating[:, ~active] = 0.0  # Pol.is zeroes moderated-out columns for everyone
    projection = pca_projection(rating, seed=seed)[included]
    values = rating[included][:, active]  # the votes repness and consensus count

    base_labels, base_centres = _base_clusters(projection, seed=seed)
    weights = np.bincount(base_labels, minlength=len(base_centres)).astype(np.float64)
    group_of_base, scores, state = _group_clusters(
        base_centres, weights, seed=seed, k=k, k_state=_as_state(k_state)
    )
    labels = group_of_base[base_labels]

    # Groups ordered by size, then by first member, so that ids do not depend on k-means's
    # arbitrary label numbers.
    member_rows = [np.flatnonzero(labels == g) for g in range(int(labels.max()) + 1)]
    member_rows = [rows for rows in member_rows if len(rows)]
    member_rows.sort(key=lambda rows: (-len(rows), int(rows[0])))
    ids = match_groups(previous or {}, [[participants[r] for r in rows] for rows in member_rows])

    agree = values == 1
    disagree = values == -1
    voted = ~np.isnan(values)
    n_agree = np.stack([agree[rows].sum(axis=0) for rows in member_rows]).astype(float)
    n_disagree = np.stack([disagree[rows].sum(axis=0) for rows in member_rows]).astype(float)
    n_seen = np.stack([voted[rows].sum(axis=0) for rows in member_rows]).astype(float)
    repness = select_repness(n_agree, n_disagree, n_seen, statements, max_repness)
    groups = [
        OpinionGroup(
            id=gid,
            participants=[participants[r] for r in rows],
            repness=repness[g],
            n_agree=n_agree[g].astype(int).tolist(),
            n_disagree=n_disagree[g].astype(int).tolist(),
            n_seen=n_seen[g].astype(int).tolist(),
        )
        for g, (gid, rows) in enumerate(zip(ids, member_rows, strict=True))
    ]
    params["k"] = len(groups)
    params["base_clusters"] = len(base_centres)
    return OpinionAnalysis(
        k=len(groups),
        groups=groups,
        consensus=_consensus(n_agree, n_seen, statements, n_consensus),
        consensus_disagree=_consensus(n_disagree, n_seen, statements, n_consensus),
        excluded_participants=excluded_participants,
        excluded_statements=empty.excluded_statements,
        coordinates={
            p: (float(xy[0]), float(xy[1])) for p, xy in zip(participants, projection, strict=True)
        },
        silhouettes=scores,
        k_state=state,
        statements=statements,
        params=params,
    )


def _in_conversation(counts: np.ndarray, before: np.ndarray, threshold: int) -> np.ndarray:
    """Pol.is's in-conv: enough votes, or in before; topped up with the most active voters
    while fewer than 15 are in."""
    included = (counts >= max(threshold, 1)) | (before & (counts > 0))
    missing = GREEDY_N - int(included.sum())
    if missing > 0:
        # Most votes first, then the earlier participant (stable sort on the canonical order).
        order = np.argsort(-counts, kind="stable")
        extra = [i for i in order if not included[i] and counts[i] > 0][:missing]
        included[extra] = True
    return included


def pca_projection(rating: np.ndarray, *, seed: int = 0) -> np.ndarray:
    """Every participant on the map: Pol.is's sparsity-aware projection on 2 components.

    The components are those of the matrix whose missing votes are at the statement's mean
    (Pol.is's power iteration converges to the same ones); a participant's coordinates use
    only the statements they voted on, scaled by sqrt(statements / votes).
    """
    n_rows, n_cols = rating.shape
    voted = ~np.isnan(rating)
    counts = voted.sum(axis=0)
    means = np.divide(
        np.where(voted, rating, 0.0).sum(axis=0), counts, out=np.zeros(n_cols), where=counts > 0
    )
    centred = np.where(voted, rating - means, 0.0)
    n_components = min(2, n_rows, n_cols)
    _, _, components = randomized_svd(
        centred, n_components=n_components, n_iter=5, random_state=seed
    )
    # The sign of a component is arbitrary: fix it so that the map does not mirror from one
    # run to the next (largest loading positive).
    signs = np.sign(components[np.arange(n_components), np.abs(components).argmax(axis=1)])
    components = components * np.where(signs == 0, 1.0, signs)[:, None]
    projection = centred @ components.T
    projection *= np.sqrt(n_cols / np.maximum(voted.sum(axis=1), 1))[:, None]
    if n_components < 2:
        projection = np.column_stack((projection, np.zeros((n_rows, 2 - n_components))))
    return projection


def _kmeans(points: np.ndarray, k: int, *, seed: int, weights=None, n_init: int = 10) -> KMeans:
    model = KMeans(n_clusters=k, init="k-means++", n_init=n_init, random_state=seed, max_iter=100)
    return model.fit(points, sample_weight=weights)


def _base_clusters(projection: np.ndarray, *, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Pol.is's base clusters: k-means with k = 100 (fewer when fewer distinct points)."""
    distinct = np.unique(projection, axis=0)
    k = min(BASE_K, len(distinct))
    if k <= 1:
        return np.zeros(len(projection), dtype=np.int64), projection[:1].copy()
    # One start, as Pol.is: with 100 small clusters, more starts change little but the time.
    model = _kmeans(projection, k, seed=seed, n_init=1)
    labels = model.labels_.astype(np.int64)
    used, labels = np.unique(labels, return_inverse=True)  # drop empty clusters
    return labels, model.cluster_centers_[used]


def _group_clusters(
    centres: np.ndarray,
    weights: np.ndarray,
    *,
    seed: int,
    k: int | None,
    k_state: KState | None,
) -> tuple[np.ndarray, dict[int, float], KState | None]:
    """Group of each base cluster: weighted k-means of the base clusters, k by silhouette."""
    n = len(centres)
    max_k = min(5, 2 + n // 12, n - 1)
    if k is not None or max_k < 2:
        wanted = max(1, min(k if k is not None else 1, n))
        if wanted == 1:
            return np.zeros(n, dtype=np.int64), {}, k_state
        return _kmeans(centres, wanted, seed=seed, weights=weights).labels_, {}, k_state
    distances = pairwise_distances(centres)
    clusterings: dict[int, np.ndarray] = {}
    scores: dict[int, float] = {}
    for candidate in range(2, max_k + 1):
        labels = _kmeans(centres, candidate, seed=seed, weights=weights).labels_
        clusterings[candidate] = labels
        n_labels = len(np.unique(labels))
        scores[candidate] = (
            float(silhouette_score(distances, labels, metric="precomputed"))
            if 2 <= n_labels < n
            else -1.0
        )
    this_k = max(scores, key=lambda c: (scores[c], -c))  # ties: the smaller k
    if k_state is None:
        state = KState(this_k, 1, this_k)
    else:
        count = k_state.last_k_count + 1 if this_k == k_state.last_k else 1
        smoothed = this_k if count >= K_BUFFER else k_state.smoothed_k
        if smoothed not in clusterings:
            smoothed = this_k
        state = KState(this_k, count, smoothed)
    return clusterings[state.smoothed_k], scores, state


def _as_state(state: KState | Mapping[str, int] | None) -> KState | None:
    if state is None or isinstance(state, KState):
        return state
    return KState(int(state["last_k"]), int(state["last_k_count"]), int(state["smoothed_k"]))


def prop_test(successes: np.ndarray, n: np.ndarray) -> np.ndarray:
    """z of "more than half", with Pol.is's +1 smoothing."""
    successes, n = successes + 1.0, n + 1.0
    return 2.0 * np.sqrt(n) * (successes / n - 0.5)


def two_prop_test(
    succ_in: np.ndarray, succ_out: np.ndarray, n_in: np.ndarray, n_out: np.ndarray
) -> np.ndarray:
    """Two-proportion z-test, group vs the rest, with Pol.is's +1 smoothing."""
    succ_in, succ_out, n_in, n_out = succ_in + 1.0, succ_out + 1.0, n_in + 1.0, n_out + 1.0
    p_in, p_out = succ_in / n_in, succ_out / n_out
    pooled = (succ_in + succ_out) / (n_in + n_out)
    spread = np.sqrt(pooled * (1.0 - pooled) * (1.0 / n_in + 1.0 / n_out))
    return np.divide(p_in - p_out, spread, out=np.zeros_like(p_in), where=spread > 0)


def select_repness(
    n_agree: np.ndarray,
    n_disagree: np.ndarray,
    n_seen: np.ndarray,
    statements: Sequence[Hashable],
    max_repness: int | None = MAX_REPNESS,
    *,
    distinct: bool = True,
) -> list[list[Repness]]:
    """Representative statements of each group (rows of the groups x statements counts), by
    Pol.is's rules (repness.clj `select-rep-comments`).

    With `distinct` (a deliberate difference from Pol.is), a statement represents only the
    group it represents best: with two groups, what one group agrees with more is what the
    other disagrees with more, and Pol.is would list the same statements for both.
    """
    n_groups = len(n_seen)
    total_agree, total_disagree, total_seen = n_agree.sum(0), n_disagree.sum(0), n_seen.sum(0)
    candidates: list[list[Repness]] = []
    for g in range(n_groups):
        na, nd, ns = n_agree[g], n_disagree[g], n_seen[g]
        ra_n, rd_n, rs_n = total_agree - na, total_disagree - nd, total_seen - ns
        pa, pd = (na + 1) / (ns + 2), (nd + 1) / (ns + 2)
        ra, rd = pa / ((ra_n + 1) / (rs_n + 2)), pd / ((rd_n + 1) / (rs_n + 2))
        pat, pdt = prop_test(na, ns), prop_test(nd, ns)
        rat, rdt = two_prop_test(na, ra_n, ns, rs_n), two_prop_test(nd, rd_n, ns, rs_n)

        stats = {"na": na, "nd": nd, "ns": ns, "pa": pa, "pd": pd, "ra": ra, "rd": rd}
        stats |= {"pat": pat, "pdt": pdt, "rat": rat, "rdt": rdt}

        def entry(j: int, best_agree: bool = False, stats=stats) -> Repness:
            return _repness_entry(stats, statements[j], j, best_agree)

        passes = ((rat > Z_90) & (pat > Z_90)) | ((rdt > Z_90) & (pdt > Z_90))
        # Pol.is's best agreement: walk the statements in order, as its reduce does.
        best_agree: int | None = None
        for j in range(len(statements)):
            if na[j] == 0 and nd[j] == 0:
                continue
            if best_agree is None:
                better = pat[j] > Z_90 or (ra[j] > 1.0 and pa[j] > 0.5)
            elif ra[best_agree] > 1.0:
                b = best_agree
                better = ra[j] * rat[j] * pa[j] * pat[j] > ra[b] * rat[b] * pa[b] * pat[b]
            else:
                better = pa[j] * pat[j] > pa[best_agree] * pat[best_agree]
            if better:
                best_agree = j
        sufficient = np.flatnonzero(passes).tolist()
        if not sufficient:
            if best_agree is not None:
                candidates.append([entry(best_agree, best_agree=True)])
            elif len(statements):
                best = int(np.argmax(np.maximum(rat, rdt)))  # beats-best-by-test
                candidates.append([entry(best)])
            else:
                candidates.append([])
            continue
        found = [entry(j) for j in sufficient if j != best_agree]
        found.sort(key=lambda r: (-_metric(r), _sort_key(r.statement)))
        if best_agree is not None:
            found.insert(0, entry(best_agree, best_agree=True))
        candidates.append(found)
    if distinct:
        candidates = _distinct(candidates)
    chosen = []
    for found in candidates:
        found = found[:max_repness] if max_repness is not None else found
        chosen.append(
            [r for r in found if r.direction == "agree"]
            + [r for r in found if r.direction == "disagree"]
        )
    return chosen


def _metric(r: Repness) -> float:
    """Pol.is's repness metric: representative, and clearly so."""
    return r.ratio * r.ratio_test * r.probability * r.probability_test


def _distinct(candidates: list[list[Repness]]) -> list[list[Repness]]:
    """Each statement kept only in one group: one that agrees with it if any (a group is best
    described by what it holds), else the one where its metric is highest; a group keeps its
    first statement if it would otherwise have none."""
    owner: dict[Hashable, tuple[bool, float, int]] = {}
    for g, found in enumerate(candidates):
        for r in found:
            score = (r.direction == "agree", _metric(r), -g)
            if r.statement not in owner or score > owner[r.statement]:
                owner[r.statement] = score
    kept = []
    for g, found in enumerate(candidates):
        mine = [r for r in found if owner[r.statement][2] == -g]
        kept.append(mine or found[:1])
    return kept


def _repness_entry(
    stats: Mapping[str, np.ndarray], statement: Hashable, j: int, best_agree: bool
) -> Repness:
    """Pol.is's finalize-cmt-stats: the direction with the larger two-proportion z."""
    side = "a" if stats["rat"][j] > stats["rdt"][j] or best_agree else "d"
    return Repness(
        statement=statement,
        direction="agree" if side == "a" else "disagree",
        n_success=int(stats[f"n{side}"][j]),
        n_votes=int(stats["ns"][j]),
        probability=float(stats[f"p{side}"][j]),
        probability_test=float(stats[f"p{side}t"][j]),
        ratio=float(stats[f"r{side}"][j]),
        ratio_test=float(stats[f"r{side}t"][j]),
        best_agree=best_agree,
    )


def _consensus(
    n_success: np.ndarray, n_seen: np.ndarray, statements: Sequence[Hashable], n: int
) -> list[Consensus]:
    """Group-informed consensus (Pol.is's group-aware-consensus): the product over groups of
    the smoothed probability, best first, among statements that every group leans towards."""
    probability = (n_success + 1.0) / (n_seen + 2.0)  # groups x statements
    score = probability.prod(axis=0)
    everyone = (probability > 0.5).all(axis=0)
    candidates = np.flatnonzero(everyone).tolist()
    candidates.sort(key=lambda j: (-score[j], _sort_key(statements[j])))
    return [
        Consensus(
            statement=statements[j],
            score=float(score[j]),
            probabilities=[float(p) for p in probability[:, j]],
        )
        for j in candidates[:n]
    ]
