"""Finding single panels: the integer program (HiGHS through scipy) and a cheap swap search.

A panel is a vector of seats per group (see pool.Pool). Both searches maximise a weight per
seat of each group over the panels that meet every quota.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import Bounds, LinearConstraint, milp

from .pool import IntArray, Pool


@dataclass(frozen=True)
class MilpOutcome:
    counts: IntArray | None  # best panel found, None if none
    value: float  # its weight (-inf without a panel)
    bound: float  # proven upper bound of the best weight (-inf if infeasible)


class PanelSearch:
    """The integer program "best panel for these weights", built once per pool."""

    def __init__(self, pool: Pool) -> None:
        self.pool = pool
        lower, upper = pool.constraint_bounds()
        self._constraint = LinearConstraint(pool.constraint_matrix(), lower, upper)
        self._integrality = np.ones(pool.n_groups)
        self.solves = 0

    def best(
        self,
        weights: NDArray[np.float64],
        *,
        force: int | None = None,
        time_limit: float | None = None,
    ) -> MilpOutcome:
        """Panel maximising sum(weights * seats); `force` asks for one seat of that group."""
        pool = self.pool
        lower = np.zeros(pool.n_groups)
        if force is not None:
            lower[force] = 1.0
        # Why: HiGHS stops at an absolute gap of 1e-6; scaling the weights to at most 1 keeps
        # that gap negligible next to our tolerance whatever the size of the dual prices.
        scale = float(np.max(np.abs(weights))) if weights.size else 0.0
        scale = 1.0 / scale if scale > 0 else 1.0
        options: dict[str, float] = {"mip_rel_gap": 1e-9}
        if time_limit is not None:
            options["time_limit"] = max(time_limit, 0.1)
        res = milp(
            -weights * scale,
            integrality=self._integrality,
            bounds=Bounds(lower, pool.group_size.astype(float)),
            constraints=self._constraint,
            options=options,
        )
        self.solves += 1
        if res.x is None:
            if res.status == 2:
                return MilpOutcome(None, -np.inf, -np.inf)
            raise RuntimeError(f"the panel integer program failed: {res.message}")
        counts = np.rint(res.x).astype(np.int64)
        value = float(weights @ counts)
        bound = -float(getattr(res, "mip_dual_bound", res.fun)) / scale
        if res.status != 0:  # time limit: the solution stands, the bound is loose
            bound = max(bound, value)
        return MilpOutcome(counts, value, max(bound, value))


def row_counts(pool: Pool, counts: IntArray) -> IntArray:
    """Seats per quota row of a panel given by group counts."""
    return np.rint(pool.membership @ counts).astype(np.int64)


def meets_quotas(pool: Pool, counts: IntArray) -> bool:
    if counts.sum() != pool.seats or np.any(counts < 0) or np.any(counts > pool.group_size):
        return False
    rows = row_counts(pool, counts)
    if np.any(rows < pool.qmin) or np.any(rows > pool.qmax):
        return False
    return not len(pool.households) or bool(np.all(pool.household_seats(counts) <= 1))


def swap_search(
    pool: Pool,
    counts: IntArray,
    weights: NDArray[np.float64],
    *,
    max_steps: int = 10_000,
) -> IntArray:
    """Best-improvement local search: move one seat from a group to another while it pays.

    Why: most pricing rounds of the column generation only need *some* panel that beats the
    current dual bound; one seat swap at a time finds one in well under a millisecond, and the
    integer program is then kept to prove that none is left.
    """
    c = counts.copy()
    rows = row_counts(pool, c)
    size = pool.group_size
    group_rows = pool.group_rows
    hh_of = pool.household_of_group
    has_households = len(pool.households) > 0
    hh_seats = pool.household_seats(c)
    for _ in range(max_steps):
        seated = np.flatnonzero(c > 0)
        w_seated = weights[seated]
        candidates = np.flatnonzero((c < size) & (weights > w_seated.min() + 1e-15))
        if candidates.size == 0:
            break
        gain = weights[candidates][None, :] - w_seated[:, None]
        ok = gain > 1e-15
        for j in range(group_rows.shape[1]):
            r_out = group_rows[seated, j]
            r_in = group_rows[candidates, j]
            can_leave = rows[r_out] > pool.qmin[r_out]
            can_enter = rows[r_in] < pool.qmax[r_in]
            ok &= (r_out[:, None] == r_in[None, :]) | (can_leave[:, None] & can_enter[None, :])
        if has_households:
            h_in = hh_of[candidates]
            h_out = hh_of[seated]
            busy = (h_in >= 0) & (hh_seats[np.maximum(h_in, 0)] > 0)
            ok &= ~busy[None, :] | ((h_out[:, None] == h_in[None, :]) & (h_in[None, :] >= 0))
        if not ok.any():
            break
        gain = np.where(ok, gain, -np.inf)
        flat = int(np.argmax(gain))
        out_g = int(seated[flat // len(candidates)])
        in_g = int(candidates[flat % len(candidates)])
        c[out_g] -= 1
        c[in_g] += 1
        rows[group_rows[out_g]] -= 1
        rows[group_rows[in_g]] += 1
        if has_households:
            if hh_of[out_g] >= 0:
                hh_seats[hh_of[out_g]] -= 1
            if hh_of[in_g] >= 0:
                hh_seats[hh_of[in_g]] += 1
    return c
