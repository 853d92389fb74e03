"""Drawing the panel from the lottery, the reserve order, and replacements.

Why only `Generator.random()`: numpy keeps the PCG64 bit stream stable across versions but not
the algorithms of `choice` or `integers`; built on uniform doubles alone, a draw can be replayed
(and re-implemented by an auditor) from the published seed and lottery.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection, Sequence

import numpy as np

from .distribution import distribution_for_pool
from .model import (
    Method,
    NoReplacementError,
    PanelDistribution,
    PersonId,
    SelectionError,
    SelectionProblem,
    SelectionResult,
    id_sort_key,
)
from .pool import Pool, compile_problem


def new_seed() -> int:
    """A fresh seed to publish before the draw (64 bits from the OS)."""
    return secrets.randbits(63)


def _streams(seed: int) -> tuple[np.random.Generator, np.random.Generator]:
    # Two independent streams, so that the reserve order does not depend on how many numbers
    # the panel draw consumed.
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"the seed must be a non-negative integer, got {seed!r}")
    draw, reserve = np.random.SeedSequence(seed).spawn(2)
    return np.random.Generator(np.random.PCG64(draw)), np.random.Generator(np.random.PCG64(reserve))


def _below(rng: np.random.Generator, n: int) -> int:
    return min(int(rng.random() * n), n - 1)


def _shuffled(rng: np.random.Generator, items: Sequence[PersonId], k: int) -> list[PersonId]:
    """The first k items of a Fisher-Yates shuffle."""
    pool = list(items)
    for i in range(min(k, len(pool))):
        j = i + _below(rng, len(pool) - i)
        pool[i], pool[j] = pool[j], pool[i]
    return pool[:k]


def draw_panel(distribution: PanelDistribution, seed: int) -> tuple[PersonId, ...]:
    """Draw one panel: a panel of the lottery by its probability, then members inside groups."""
    rng, _ = _streams(seed)
    return _draw(distribution, rng)


def _draw(distribution: PanelDistribution, rng: np.random.Generator) -> tuple[PersonId, ...]:
    cumulative = np.cumsum(distribution.probabilities)
    u = rng.random() * cumulative[-1]
    chosen = min(int(np.searchsorted(cumulative, u, side="right")), len(cumulative) - 1)
    panel: list[PersonId] = []
    for group, seats in distribution.panels[chosen]:
        panel.extend(_shuffled(rng, distribution.groups[group], seats))
    return tuple(sorted(panel, key=id_sort_key))


def reserve_order(
    distribution: PanelDistribution, panel: Collection[PersonId], seed: int
) -> tuple[PersonId, ...]:
    """Everyone not on the panel (and not excluded by the quotas), in a seeded random order."""
    _, rng = _streams(seed)
    taken = set(panel) | set(distribution.excluded)
    others = sorted((p for p in distribution.marginals if p not in taken), key=id_sort_key)
    return tuple(_shuffled(rng, others, len(others)))


def run_selection(
    problem: SelectionProblem,
    method: Method = "leximin",
    seed: int | None = None,
    *,
    tolerance: float = 1e-6,
    time_limit: float | None = None,
) -> SelectionResult:
    """Compute the lottery, draw the panel and order the reserve, all from one seed."""
    pool = compile_problem(problem)
    distribution = distribution_for_pool(pool, method, tolerance=tolerance, time_limit=time_limit)
    seed = new_seed() if seed is None else seed
    panel = draw_panel(distribution, seed)
    if not pool.panel_meets_quotas([pool.index[p] for p in panel]):  # never expected
        raise SelectionError("internal error: the drawn panel breaks a quota")
    return SelectionResult(seed, distribution, panel, reserve_order(distribution, panel, seed))


# --- replacements -----------------------------------------------------------------------------


def _fits(pool: Pool, rest: list[int], person: int) -> bool:
    return pool.panel_meets_quotas([*rest, person])


def replacement_candidates(
    problem: SelectionProblem,
    panel: Sequence[PersonId],
    declined_id: PersonId,
    reserve: Sequence[PersonId],
    unavailable: Collection[PersonId] = (),
    *,
    limit: int | None = None,
) -> list[PersonId]:
    """Reserve members, in reserve order, who can take the declined seat without breaking a
    quota (nor the household limit). `unavailable` lists people already asked who said no."""
    pool = compile_problem(problem)
    return _candidates(pool, panel, declined_id, reserve, unavailable, limit)


def _candidates(
    pool: Pool,
    panel: Sequence[PersonId],
    declined_id: PersonId,
    reserve: Sequence[PersonId],
    unavailable: Collection[PersonId],
    limit: int | None,
) -> list[PersonId]:
    if declined_id not in panel:
        raise SelectionError(f"{declined_id} is not on the panel")
    unknown = [p for p in panel if p not in pool.index]
    if unknown:
        raise SelectionError(f"unknown volunteer(s) on the panel: {unknown[:3]}")
    rest = [pool.index[p] for p in panel if p != declined_id]
    skip = set(panel) | set(unavailable)
    found: list[PersonId] = []
    for pid in reserve:
        if pid in skip or pid not in pool.index:
            continue
        if _fits(pool, rest, pool.index[pid]):
            found.append(pid)
            if limit is not None and len(found) >= limit:
                break
    return found


def replace(
    problem: SelectionProblem,
    panel: Sequence[PersonId],
    declined_id: PersonId,
    reserve: Sequence[PersonId],
    unavailable: Collection[PersonId] = (),
) -> PersonId:
    """The next person in reserve order who keeps every quota when `declined_id` declines.

    Raises NoReplacementError, naming the quotas the panel would miss, when nobody fits.
    """
    pool = compile_problem(problem)
    found = _candidates(pool, panel, declined_id, reserve, unavailable, limit=1)
    if found:
        return found[0]
    rest = [pool.index[p] for p in panel if p != declined_id]
    seated = np.bincount(pool.person_rows[rest].ravel(), minlength=len(pool.quotas))
    gaps = [
        f"{q.label} (has {seated[r]}, min {q.min})"
        for r, q in enumerate(pool.quotas)
        if seated[r] < q.min
    ]
    need = "; the panel then lacks " + ", ".join(gaps) if gaps else ""
    raise NoReplacementError(
        f"nobody left in the reserve can replace {declined_id} without breaking a quota{need}"
    )


def replacement_table(
    problem: SelectionProblem,
    panel: Sequence[PersonId],
    reserve: Sequence[PersonId],
    *,
    per_person: int = 3,
) -> dict[PersonId, list[PersonId]]:
    """For each panel member, the first `per_person` reserve members who could replace them."""
    pool = compile_problem(problem)
    return {p: _candidates(pool, panel, p, reserve, (), per_person) for p in panel}
