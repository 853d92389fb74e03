"""The greedy "legacy" method of the Sortition Foundation, kept as a baseline.

Seats are filled one by one: take the quota value whose unmet minimum is largest relative to
the volunteers still available, (min - seated) / available, and seat one of them at random;
when a value reaches its maximum, everyone else with it leaves the pool. An attempt that gets
stuck starts over. Its selection probabilities are unknown in closed form, so they are
estimated by repeating it; they are often very unequal, which is why LEXIMIN replaced it.
"""

from __future__ import annotations

import time

import numpy as np

from .model import LegacyEstimate, PersonId, SelectionError, SelectionProblem
from .pool import IntArray, Pool, compile_problem


class _LegacyState:
    """Arrays shared by all attempts on one pool.

    Why per group and not per person: the method picks uniformly among the volunteers who have
    the neediest value, so interchangeable volunteers are equally likely; drawing a group by
    its number of available members, then a member, is the same process on smaller arrays.
    """

    def __init__(self, pool: Pool) -> None:
        self.pool = pool
        n_rows = len(pool.quotas)
        self.groups_of_row = [np.flatnonzero(pool.membership[r] > 0) for r in range(n_rows)]
        self.row_block = [pool.membership[:, g] for g in self.groups_of_row]
        self.household_block = [pool.membership[:, h] for h in pool.households]
        self.start_available = pool.group_size.astype(np.float64)
        for r in np.flatnonzero(pool.qmax == 0):
            self.start_available[self.groups_of_row[r]] = 0.0
        self.start_left = pool.membership @ self.start_available


def legacy_attempt(
    pool: Pool, rng: np.random.Generator, state: _LegacyState | None = None
) -> IntArray | None:
    """One greedy attempt: seats per group, or None when it gets stuck."""
    state = state or _LegacyState(pool)
    qmin, qmax = pool.qmin, pool.qmax
    available = state.start_available.copy()
    left = state.start_left.copy()
    total = float(available.sum())
    seated = np.zeros(len(qmin), dtype=np.int64)
    counts = np.zeros(pool.n_groups, dtype=np.int64)
    for step in range(pool.seats):
        needed = np.maximum(qmin - seated, 0)
        if (left < needed - 0.5).any():
            return None
        open_rows = (left > 0.5) & (qmax > 0)
        if not open_rows.any():
            return None
        ratio = np.where(open_rows, needed / np.maximum(left, 1.0), -np.inf)
        r = int(ratio.argmax())  # first best in quota order, like the original's strict ">"
        groups = state.groups_of_row[r]
        weights = available[groups].cumsum()
        pick = int(weights.searchsorted(rng.random() * weights[-1], side="right"))
        g = int(groups[min(pick, len(groups) - 1)])
        counts[g] += 1
        rows = pool.group_rows[g]
        seated[rows] += 1
        available[g] -= 1.0
        left[rows] -= 1.0
        total -= 1.0
        h = pool.household_of_group[g]
        if h >= 0:  # housemates leave the pool (each is alone in a group)
            mates = pool.households[h]
            gone = available[mates]
            left -= state.household_block[h] @ gone
            total -= float(gone.sum())
            available[mates] = 0.0
        for row in rows[seated[rows] >= qmax[rows]]:  # a full value: the others with it leave
            members = state.groups_of_row[row]
            gone = available[members]
            left -= state.row_block[row] @ gone
            total -= float(gone.sum())
            available[members] = 0.0
        if step < pool.seats - 1 and total < 0.5:
            return None
    if (seated < qmin).any() or (seated > qmax).any():
        return None
    return counts


def legacy_panel(
    problem: SelectionProblem, seed: int, *, max_attempts: int = 100
) -> tuple[PersonId, ...]:
    """One panel drawn by the legacy method (raises SelectionError if every attempt fails)."""
    pool = compile_problem(problem)
    rng = np.random.default_rng(seed)
    state = _LegacyState(pool)
    for _ in range(max_attempts):
        counts = legacy_attempt(pool, rng, state)
        if counts is not None:
            chosen: list[int] = []
            for g in np.flatnonzero(counts):
                members = pool.group_members[g]
                picked = rng.permutation(len(members))[: counts[g]]
                chosen.extend(members[picked].tolist())
            return tuple(pool.ids[i] for i in sorted(chosen))
    raise SelectionError(f"the legacy method failed {max_attempts} times in a row")


def estimate_legacy_probabilities(
    problem: SelectionProblem, *, runs: int = 10_000, seed: int = 0, max_attempts: int = 100
) -> LegacyEstimate:
    """Selection frequency of each volunteer over `runs` legacy panels.

    Interchangeable volunteers are equally likely, so each one gets the mean frequency of
    their group (a sharper estimate than counting each person alone).
    """
    started = time.perf_counter()
    pool = compile_problem(problem)
    rng = np.random.default_rng(seed)
    state = _LegacyState(pool)
    seats = np.zeros(pool.n_groups, dtype=np.int64)
    failures = 0
    for _ in range(runs):
        for _ in range(max_attempts):
            counts = legacy_attempt(pool, rng, state)
            if counts is not None:
                seats += counts
                break
            failures += 1
        else:
            raise SelectionError(f"the legacy method failed {max_attempts} times in a row")
    chance = seats / (runs * pool.group_size)
    return LegacyEstimate(
        marginals={pid: float(chance[pool.group_of[i]]) for i, pid in enumerate(pool.ids)},
        runs=runs,
        failures=failures,
        seconds=time.perf_counter() - started,
    )
