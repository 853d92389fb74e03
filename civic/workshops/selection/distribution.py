"""Maximin and LEXIMIN lotteries over panels (Flanigan et al., Nature 2021).

The lottery gives each panel P a probability x_P; a volunteer's chance of selection is the sum
of x_P over the panels that include them. Maximin makes the smallest chance as large as the
quotas allow; LEXIMIN then raises the second smallest, and so on.

Volunteers interchangeable under the quotas form one group: their chances are equal in the
LEXIMIN lottery anyway, and a panel becomes a vector of seats per group.

Two ways to the answer:

1. Fast path (relaxation.py): LEXIMIN of the fractional panels by a few small linear programs,
   then an exact split of that point into whole panels. When the split succeeds the bound is
   reached, so the lottery is optimal; this is the usual case.
2. Column generation, as in Flanigan et al.: a restricted linear program over the panels found
   so far gives dual prices per group, and pricing looks for a panel worth more than the
   current bound at those prices; a one-seat swap search tries first, the integer program
   (HiGHS) runs only when the swaps find nothing, to find the panel or prove that none is left.
   LEXIMIN fixes the groups stuck at the current level (positive dual price) and starts again,
   keeping the panels. It runs when the split fails, seeded with the panels it found.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from scipy.optimize import linprog

from .feasibility import find_feasible_panel
from .model import METHODS, Method, PanelDistribution, SelectionError, SelectionProblem, SolveStats
from .panels import PanelSearch, meets_quotas, swap_search
from .pool import IntArray, Pool, compile_problem
from .relaxation import decompose, relaxed_leximin

FloatArray = NDArray[np.float64]

# A dual price above this marks a group as stuck at the current minimum (complementary
# slackness); HiGHS' dual values carry noise far below it.
FIX_THRESHOLD = 1e-9


def find_distribution(
    problem: SelectionProblem,
    method: Method = "leximin",
    *,
    tolerance: float = 1e-6,
    time_limit: float | None = None,
) -> PanelDistribution:
    """The fairest lottery over panels that meet the quotas.

    `tolerance` is the optimality gap accepted on each probability level. `time_limit`
    (seconds) bounds the column generation, which only runs when the fast path fails: the best
    lottery found so far is then returned; it still meets every quota, and `stats.optimal`
    says that it is not proven fairest.
    Raises InvalidSelectionDataError or InfeasibleQuotasError.
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}, expected one of {METHODS}")
    return distribution_for_pool(
        compile_problem(problem), method, tolerance=tolerance, time_limit=time_limit
    )


def distribution_for_pool(
    pool: Pool,
    method: Method = "leximin",
    *,
    tolerance: float = 1e-6,
    time_limit: float | None = None,
    fast_path: bool = True,
) -> PanelDistribution:
    """See find_distribution; `fast_path=False` forces the column generation (for tests)."""
    started = time.perf_counter()
    deadline = None if time_limit is None else started + time_limit
    search = PanelSearch(pool)
    first = find_feasible_panel(pool, search)
    extra: list[IntArray] = []
    if fast_path:
        relaxed = relaxed_leximin(pool, stop_after_first=method == "maximin")
        split = decompose(pool, relaxed.expected)
        panels_ok = all(meets_quotas(pool, counts) for counts in split.panels)
        if split.complete and panels_ok:
            stats = SolveStats(
                seconds=time.perf_counter() - started,
                groups=pool.n_groups,
                stages=relaxed.stages,
                master_solves=relaxed.stages,
                milp_solves=search.solves + split.milp_solves,
                optimal=True,
                strategy="relaxation",
            )
            columns = np.array(split.panels, dtype=np.int64)
            lam = np.array(split.weights)
            return build_distribution(pool, method, columns, lam, relaxed.excluded, stats)
        extra = split.panels if panels_ok else []
        # The greedy split went astray (it can leave the hull of whole panels near its end):
        # let column generation find a lottery that reaches the relaxed levels, if one exists.
        reach = _ColumnGeneration(pool, search, tolerance, deadline, target=relaxed.levels)
        reach.columns.add(first)
        for counts in extra:
            reach.columns.add(counts)
        reach.excluded = relaxed.excluded.copy()
        reach.fixed[reach.excluded] = 0.0
        reach.stages = relaxed.stages
        master, optimal = reach.stage()
        if optimal and master.z >= 1.0 - 2 * tolerance:
            return reach.distribution(
                method, master.lam, True, time.perf_counter() - started, "relaxation + pricing"
            )
        extra = list(reach.columns.matrix)
    engine = _ColumnGeneration(pool, search, tolerance, deadline)
    engine.initial_columns(first, extra)
    if method == "maximin":
        lam, optimal = engine.maximin()
    else:
        lam, optimal = engine.leximin()
    return engine.distribution(method, lam, optimal, time.perf_counter() - started)


def build_distribution(
    pool: Pool,
    method: Method,
    columns: IntArray,
    lam: FloatArray,
    excluded: NDArray[np.bool_],
    stats: SolveStats,
) -> PanelDistribution:
    size = pool.group_size.astype(float)
    # Why drop the dust: the published lottery should list panels that can really come out.
    lam = np.maximum(lam, 0.0)
    keep = lam > 1e-10 * lam.sum()
    lam = lam[keep] / lam[keep].sum()
    columns = columns[keep]
    group_chance = (lam @ columns) / size
    marginals = {
        pool.ids[i]: float(min(max(group_chance[pool.group_of[i]], 0.0), 1.0))
        for i in range(pool.n_people)
    }
    panels = tuple(tuple((int(g), int(c[g])) for g in np.flatnonzero(c)) for c in columns)
    left_out = tuple(pool.ids[i] for g in np.flatnonzero(excluded) for i in pool.group_members[g])
    return PanelDistribution(
        method=method,
        seats=pool.seats,
        groups=tuple(tuple(pool.ids[i] for i in m) for m in pool.group_members),
        panels=panels,
        probabilities=tuple(float(p) for p in lam),
        marginals=marginals,
        excluded=left_out,
        stats=stats,
    )


class _Columns:
    """The panels found so far, as rows of seats per group, without duplicates."""

    def __init__(self, n_groups: int) -> None:
        self._data = np.zeros((64, n_groups), dtype=np.int64)
        self._keys: set[bytes] = set()
        self.size = 0

    def add(self, counts: IntArray) -> bool:
        key = counts.astype(np.int64).tobytes()
        if key in self._keys:
            return False
        if self.size == len(self._data):
            self._data = np.vstack([self._data, np.zeros_like(self._data)])
        self._data[self.size] = counts
        self._keys.add(key)
        self.size += 1
        return True

    @property
    def matrix(self) -> IntArray:
        return self._data[: self.size]


@dataclass
class _Master:
    z: float  # smallest probability among the groups not fixed yet
    lam: FloatArray  # probability of each column
    y: FloatArray  # dual price per group
    mu: float  # dual price of "probabilities add up to 1"


class _ColumnGeneration:
    def __init__(
        self,
        pool: Pool,
        search: PanelSearch,
        tolerance: float,
        deadline: float | None,
        target: FloatArray | None = None,
    ) -> None:
        self.pool = pool
        # With a target, the master maximises z with every group at >= z * target: z = 1
        # means the target levels are reached (used to finish the relaxation's lottery).
        self.target = target
        self.search = search
        self.tol = tolerance
        self.deadline = deadline
        self.columns = _Columns(pool.n_groups)
        self.size = pool.group_size.astype(float)
        self.excluded = np.zeros(pool.n_groups, dtype=bool)
        self.fixed = np.full(pool.n_groups, np.nan)  # fixed probability per group
        self.stages = 0
        self.master_solves = 0
        self.heuristic_columns = 0

    def _out_of_time(self) -> bool:
        return self.deadline is not None and time.perf_counter() > self.deadline

    # --- starting panels --------------------------------------------------------------------

    def initial_columns(self, first: IntArray, extra: list[IntArray] | None = None) -> None:
        """A varied start (multiplicative weights), then one panel for every group that can sit.

        Why: the first duals of the column generation are poor when whole groups are missing
        from every known panel; Flanigan et al. start the same way.
        """
        pool = self.pool
        self.columns.add(first)
        for counts in extra or []:
            self.columns.add(counts)
        rng = np.random.default_rng(0)
        omega = rng.uniform(0.99, 1.0, pool.n_groups)
        rounds = min(400, 20 + 2 * -(-pool.n_groups // pool.seats))
        for _ in range(rounds):
            cols = self.columns.matrix
            start = cols[int(np.argmax(cols @ omega))]
            counts = swap_search(pool, start, omega)
            if self.columns.add(counts):
                # the volunteers just seated weigh less next time, to spread the seats
                omega = omega * 0.8 ** (counts / self.size)
            else:
                omega = 0.9 * omega + 0.1 * omega.mean()
            omega *= pool.n_groups / omega.sum()
        covered = self.columns.matrix.sum(axis=0) > 0
        for g in np.flatnonzero(~covered):
            if covered[g] or self._out_of_time():
                continue
            weights = (~covered).astype(float)
            weights[g] = pool.seats + 1.0
            cols = self.columns.matrix
            counts = swap_search(pool, cols[int(np.argmax(cols @ weights))], weights)
            if counts[g] == 0:
                outcome = self.search.best(weights, force=int(g))
                if outcome.counts is None:
                    self.excluded[g] = True  # no panel meeting the quotas can seat them
                    continue
                counts = outcome.counts
            self.columns.add(counts)
            covered |= counts > 0
        if self._out_of_time():
            self.excluded |= ~covered  # not proven, but they are in no panel we know
        self.fixed[self.excluded] = 0.0

    # --- the restricted master linear program ----------------------------------------------

    def _solve_master(self) -> _Master:
        """max z s.t. each unfixed group gets >= z (or z * target), each fixed group >= its
        level, and the panel probabilities add up to 1."""
        cols = self.columns.matrix
        m = len(cols)
        share = (cols / self.size).T  # (groups, columns): chance of one member per panel
        unfixed = np.flatnonzero(np.isnan(self.fixed))
        fixed = np.flatnonzero(~np.isnan(self.fixed) & (self.fixed > 0))
        if self.target is not None:
            unfixed = unfixed[self.target[unfixed] > 0]
            z_coefficient = self.target[unfixed][:, None]
        else:
            z_coefficient = np.ones((len(unfixed), 1))
        a_unfixed = sparse.hstack([-sparse.csr_matrix(share[unfixed]), z_coefficient])
        a_fixed = sparse.hstack([-sparse.csr_matrix(share[fixed]), np.zeros((len(fixed), 1))])
        a_ub = sparse.vstack([a_unfixed, a_fixed]).tocsc()
        a_eq = np.concatenate([np.ones(m), [0.0]])[None, :]
        objective = np.concatenate([np.zeros(m), [-1.0]])
        levels = self.fixed[fixed].copy()
        for attempt in range(6):
            b_ub = np.concatenate([np.zeros(len(unfixed)), -levels])
            res = linprog(
                objective,
                A_ub=a_ub,
                b_ub=b_ub,
                A_eq=a_eq,
                b_eq=[1.0],
                bounds=[(0, None)] * m + [(0, 1)],
                method="highs",
            )
            self.master_solves += 1
            if res.status == 0:
                break
            # Why: fixed levels come from earlier solves; rounding can make them a hair too
            # high for the panels known, so lower them slightly (Flanigan et al. do the same).
            levels = np.maximum(levels - 10.0 ** (attempt - 9), 0.0)
        else:
            raise SelectionError(f"the lottery linear program failed: {res.message}")
        self.fixed[fixed] = levels
        duals = -np.asarray(res.ineqlin.marginals)
        y = np.zeros(self.pool.n_groups)
        y[unfixed] = duals[: len(unfixed)]
        y[fixed] = duals[len(unfixed) :]
        y = np.maximum(y, 0.0)
        mu = float(np.max(cols @ (y / self.size)))
        return _Master(float(res.x[m]), np.maximum(res.x[:m], 0.0), y, mu)

    # --- one stage: column generation until no panel beats the bound ------------------------

    def stage(self) -> tuple[_Master, bool]:
        pool = self.pool
        while True:
            master = self._solve_master()
            if self.target is not None and master.z >= 1.0 - 1e-9:
                return master, True  # the target is reached: nothing left to price
            if self._out_of_time():
                return master, False
            weights = master.y / self.size
            target = master.mu + self.tol
            cols = self.columns.matrix
            starts = np.argsort(-(cols @ weights), kind="stable")[:3]
            found = 0
            for s in starts:
                counts = swap_search(pool, cols[s], weights)
                if weights @ counts > target and self.columns.add(counts):
                    found += 1
            if found:
                self.heuristic_columns += found
                continue
            outcome = self.search.best(weights)
            assert outcome.counts is not None  # the quotas are feasible
            if outcome.value > target and self.columns.add(outcome.counts):
                continue
            return master, True

    def maximin(self) -> tuple[FloatArray, bool]:
        self.stages = 1
        master, optimal = self.stage()
        return master.lam, optimal

    def leximin(self) -> tuple[FloatArray, bool]:
        optimal = True
        while np.isnan(self.fixed).any():
            self.stages += 1
            master, optimal = self.stage()
            unfixed = np.isnan(self.fixed)
            if not optimal:
                # Out of time: every group keeps at least the level reached so far.
                self.fixed[unfixed] = max(master.z, 0.0)
                break
            stuck = unfixed & (master.y > FIX_THRESHOLD)
            if not stuck.any():
                stuck[np.flatnonzero(unfixed)[int(np.argmax(master.y[unfixed]))]] = True
            self.fixed[stuck] = min(max(master.z, 0.0), 1.0)
        return self._final_lottery(), optimal

    def _final_lottery(self) -> FloatArray:
        """A lottery over the known panels that gives every group its fixed level.

        Why minimise a shortfall rather than impose the levels: it always has a solution, and
        the shortfall is nil up to rounding.
        """
        cols = self.columns.matrix
        m = len(cols)
        share = (cols / self.size).T
        rows = np.flatnonzero(self.fixed > 0)
        a_ub = sparse.hstack([-sparse.csr_matrix(share[rows]), -np.ones((len(rows), 1))]).tocsc()
        res = linprog(
            np.concatenate([np.zeros(m), [1.0]]),
            A_ub=a_ub,
            b_ub=-self.fixed[rows],
            A_eq=np.concatenate([np.ones(m), [0.0]])[None, :],
            b_eq=[1.0],
            bounds=[(0, None)] * (m + 1),
            method="highs",
        )
        self.master_solves += 1
        if res.status != 0:
            raise SelectionError(f"the final lottery linear program failed: {res.message}")
        return np.maximum(res.x[:m], 0.0)

    # --- result -----------------------------------------------------------------------------

    def distribution(
        self,
        method: Method,
        lam: FloatArray,
        optimal: bool,
        seconds: float,
        strategy: str = "column generation",
    ) -> PanelDistribution:
        stats = SolveStats(
            seconds=seconds,
            groups=self.pool.n_groups,
            stages=self.stages,
            master_solves=self.master_solves,
            heuristic_columns=self.heuristic_columns,
            milp_solves=self.search.solves,
            optimal=optimal,
            strategy=strategy,
        )
        return build_distribution(self.pool, method, self.columns.matrix, lam, self.excluded, stats)
