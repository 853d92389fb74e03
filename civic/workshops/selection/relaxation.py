"""The fast path: LEXIMIN of the linear relaxation, then an exact split into whole panels.

The expected seats of each group under any lottery lie in the polytope P of fractional panels
(seats between 0 and the group size, quotas, total = seats). So the LEXIMIN of P, a sequence of
small linear programs over one variable per group, bounds what any lottery can do. When that
point is also an average of whole panels, it *is* the LEXIMIN lottery, proven optimal without
any column generation; finding those panels is a Caratheodory decomposition: take a whole panel
on the smallest face of P that holds the point, move away from it until another constraint
becomes tight, repeat. Each step drops a dimension, so at most groups + 1 panels come out.

The greedy split can still go astray near its end (its last points may leave the hull of whole
panels), and the relaxed point itself may be out of reach when quotas clash in combination.
The caller then lets column generation finish the lottery towards the relaxed levels from the
panels found here, and runs the full LEXIMIN column generation only if they prove out of reach.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from .model import SelectionError
from .pool import IntArray, Pool

FloatArray = NDArray[np.float64]

TIGHT = 1e-7  # a constraint within this of its bound is treated as tight
FIX_THRESHOLD = 1e-9  # dual price marking a group as stuck at the current level
ZERO_LEVEL = 1e-9  # a level below this is "cannot be selected"


@dataclass(frozen=True)
class RelaxedLevels:
    levels: FloatArray  # per group: probability of each member
    expected: FloatArray  # per group: expected seats (levels * size)
    excluded: NDArray[np.bool_]  # groups that not even a fractional panel can seat
    stages: int


def relaxed_leximin(pool: Pool, *, stop_after_first: bool = False) -> RelaxedLevels:
    """LEXIMIN over fractional panels, or with `stop_after_first` only its maximin level.

    Groups that no panel can seat come out first, at level 0; the maximin is then taken over
    the others (as Flanigan et al. do), otherwise it would be 0 and say nothing.
    """
    n_groups = pool.n_groups
    size = pool.group_size.astype(float)
    a_panel = pool.constraint_matrix()
    lower, upper = pool.constraint_bounds()
    eye = sparse.identity(n_groups, format="csr")
    no_z = sparse.csr_matrix((a_panel.shape[0], 1))
    fixed = np.full(n_groups, np.nan)
    stages = 0
    objective = np.concatenate([np.zeros(n_groups), [-1.0]])
    bounds = [(0.0, float(s)) for s in size] + [(0.0, 1.0)]
    res = None
    while np.isnan(fixed).any():
        stages += 1
        unfixed = np.flatnonzero(np.isnan(fixed))
        done = np.flatnonzero(~np.isnan(fixed))
        # rows: panel constraints as two inequalities; z * size - e <= 0 for unfixed groups;
        # -e <= -level * size for fixed ones.
        a_ub = sparse.vstack(
            [
                sparse.hstack([a_panel, no_z]),
                sparse.hstack([-a_panel, no_z]),
                sparse.hstack([-eye[unfixed], sparse.csr_matrix(size[unfixed][:, None])]),
                sparse.hstack([-eye[done], sparse.csr_matrix((len(done), 1))]),
            ]
        ).tocsc()
        levels = fixed[done].copy()
        for attempt in range(6):
            b_ub = np.concatenate([upper, -lower, np.zeros(len(unfixed)), -levels * size[done]])
            res = linprog(objective, A_ub=a_ub, b_ub=b_ub, bounds=bounds, method="highs")
            if res.status == 0:
                break
            levels = np.maximum(levels - 10.0 ** (attempt - 9), 0.0)
        else:
            raise SelectionError(f"the relaxed lottery linear program failed: {res.message}")
        fixed[done] = levels
        z = float(np.clip(res.x[-1], 0.0, 1.0))
        if stop_after_first and z > ZERO_LEVEL:
            break
        start = 2 * len(lower)
        duals = -np.asarray(res.ineqlin.marginals[start : start + len(unfixed)])
        stuck = unfixed[duals > FIX_THRESHOLD]
        if len(stuck) == 0:
            stuck = unfixed[[int(np.argmax(duals))]]
        fixed[stuck] = 0.0 if z <= ZERO_LEVEL else z
    assert res is not None
    expected = np.clip(res.x[:n_groups], 0.0, size)
    excluded = fixed == 0.0
    expected[excluded] = 0.0
    if stop_after_first:
        fixed = expected / size
    return RelaxedLevels(levels=fixed, expected=expected, excluded=excluded, stages=stages)


# --- Caratheodory decomposition -------------------------------------------------------------


@dataclass
class _Face:
    """Bounds that a whole panel must meet to lie on the smallest face holding the point."""

    low: IntArray  # per group
    high: IntArray
    row_low: IntArray  # per quota row
    row_high: IntArray
    household_exact: NDArray[np.bool_]  # household must have exactly one seat


def _face(pool: Pool, point: FloatArray) -> _Face:
    size = pool.group_size
    low = np.where(point >= size - TIGHT, size, 0)
    high = np.where(point <= TIGHT, 0, size)
    rows = pool.membership @ point
    row_low = pool.qmin.copy()
    row_high = pool.qmax.copy()
    at_min = rows <= pool.qmin + TIGHT
    at_max = rows >= pool.qmax - TIGHT
    row_high[at_min] = pool.qmin[at_min]
    row_low[at_max] = pool.qmax[at_max]
    exact = pool.household_seats_fractional(point) >= 1 - TIGHT
    return _Face(low, high, row_low, row_high, exact)


def _round(pool: Pool, point: FloatArray, face: _Face) -> IntArray:
    """Round down, then round up the largest fractional parts until the seats are filled."""
    counts = np.clip(np.floor(point + TIGHT), face.low, face.high).astype(np.int64)
    missing = pool.seats - int(counts.sum())
    if missing > 0:
        room = np.flatnonzero(counts < face.high)
        frac = point[room] - counts[room]
        order = room[np.argsort(-frac, kind="stable")]
        counts[order[:missing]] += 1
    elif missing < 0:
        spare = np.flatnonzero(counts > face.low)
        excess = counts[spare] - point[spare]
        order = spare[np.argsort(-excess, kind="stable")]
        counts[order[:-missing]] -= 1
    return counts


def _violation(pool: Pool, counts: IntArray, face: _Face) -> int:
    rows = np.rint(pool.membership @ counts).astype(np.int64)
    bad = np.maximum(face.row_low - rows, 0).sum() + np.maximum(rows - face.row_high, 0).sum()
    if len(pool.households):
        seated = pool.household_seats(counts)
        bad += np.maximum(seated - 1, 0).sum() + np.sum(face.household_exact & (seated < 1))
    return int(bad) + abs(int(counts.sum()) - pool.seats)


def _repair(
    pool: Pool,
    counts: IntArray,
    point: FloatArray,
    face: _Face,
    *,
    max_steps: int = 400,
    plateau_steps: int = 60,
) -> IntArray:
    """Swap seats between groups to remove quota violations, staying close to the point.

    A swap that lowers the violation is taken first; among those, the one moving a seat from a
    group above the point to a group below it, so that the next Caratheodory step is long.
    When none helps, a neutral swap that is not undoing a recent one is taken (a short tabu
    walk): with most quotas tight, the fix often needs two swaps that only pay together.
    """
    c = counts.copy()
    rows = np.rint(pool.membership @ c).astype(np.int64)
    group_rows = pool.group_rows
    rng = np.random.default_rng(len(point))
    recent_out: list[int] = []
    recent_in: list[int] = []
    plateau = 0
    for _ in range(max_steps):
        under = rows < face.row_low
        over = rows > face.row_high
        if not under.any() and not over.any():
            break
        out_groups = np.flatnonzero(c > face.low)
        in_groups = np.flatnonzero(c < face.high)
        if out_groups.size == 0 or in_groups.size == 0:
            break
        delta = np.zeros((len(out_groups), len(in_groups)))
        for j in range(group_rows.shape[1]):
            r_out = group_rows[out_groups, j]
            r_in = group_rows[in_groups, j]
            # leaving a row: good if it is over its bound, bad if it falls under
            leave = np.where(
                over[r_out], -1.0, np.where(rows[r_out] <= face.row_low[r_out], 1.0, 0.0)
            )
            enter = np.where(
                under[r_in], -1.0, np.where(rows[r_in] >= face.row_high[r_in], 1.0, 0.0)
            )
            differ = r_out[:, None] != r_in[None, :]
            delta += differ * (leave[:, None] + enter[None, :])
        if len(pool.households):
            hh_in = pool.household_of_group[in_groups]
            hh_out = pool.household_of_group[out_groups]
            seated = np.append(pool.household_seats(c), 0)  # index -1: not in a household
            exact = np.append(face.household_exact, False)
            # leaving: good if the household has two seats, bad if it must keep its one
            leave = np.where(
                hh_out < 0,
                0.0,
                np.where(seated[hh_out] > 1, -1.0, np.where(exact[hh_out], 1.0, 0.0)),
            )
            # entering: bad if the household is already seated, good if it must get a seat
            enter = np.where(
                hh_in < 0,
                0.0,
                np.where(seated[hh_in] > 0, 1.0, np.where(exact[hh_in], -1.0, 0.0)),
            )
            same = (hh_out[:, None] == hh_in[None, :]) & (hh_in[None, :] >= 0)
            delta += np.where(same, 0.0, leave[:, None] + enter[None, :])
        closeness = (c[out_groups] - point[out_groups])[:, None] + (
            point[in_groups] - c[in_groups]
        )[None, :]
        score = np.where(delta < 0, -delta * 1e6 + closeness, -np.inf)
        if not np.isfinite(score.max()):
            if plateau >= plateau_steps:
                break
            plateau += 1
            tabu = np.isin(out_groups, recent_in)[:, None] | np.isin(in_groups, recent_out)[None, :]
            neutral = (delta == 0) & ~tabu
            if not neutral.any():
                break
            score = np.where(neutral, closeness + rng.uniform(0.0, 1.0, neutral.shape), -np.inf)
        flat = int(np.argmax(score))
        g_out = int(out_groups[flat // len(in_groups)])
        g_in = int(in_groups[flat % len(in_groups)])
        c[g_out] -= 1
        c[g_in] += 1
        rows[group_rows[g_out]] -= 1
        rows[group_rows[g_in]] += 1
        recent_out = [*recent_out[-5:], g_out]
        recent_in = [*recent_in[-5:], g_in]
    return c


def _panel_on_face(
    pool: Pool, point: FloatArray, face: _Face, previous: list[IntArray]
) -> IntArray | None:
    """A whole panel on the face by cheap means, or None.

    Why start from the last panels: the point has just moved away from them, so they break
    only the one or two constraints that became tight, and a few swaps mend that; rounding the
    point from scratch breaks dozens of quotas when most of them are tight.
    """
    starts = [np.clip(counts, face.low, face.high) for counts in previous[-3:][::-1]]
    starts.append(_round(pool, point, face))
    for start in starts:
        if start.sum() != pool.seats:
            continue
        panel = _repair(pool, start, point, face)
        if not _violation(pool, panel, face):
            return panel
    return None


class _FaceSearch:
    """Integer program for a whole panel on a face, when rounding and swaps do not find one."""

    def __init__(self, pool: Pool) -> None:
        self.pool = pool
        self.matrix = pool.constraint_matrix()
        self.solves = 0

    def find(self, point: FloatArray, face: _Face) -> IntArray | None:
        pool = self.pool
        n_hh = len(pool.households)
        lower = np.concatenate(
            [[pool.seats], face.row_low, face.household_exact.astype(float)]
        ).astype(float)
        upper = np.concatenate([[pool.seats], face.row_high, np.ones(n_hh)]).astype(float)
        # prefer the groups the point favours, so that the step away from the panel is long
        weights = point / pool.group_size
        res = milp(
            -weights,
            integrality=np.ones(pool.n_groups),
            bounds=Bounds(face.low.astype(float), face.high.astype(float)),
            constraints=LinearConstraint(self.matrix, lower, upper),
            # any whole panel on the face will do: stop at the first one found
            options={"time_limit": 30.0, "mip_rel_gap": 1.0},
        )
        self.solves += 1
        if res.x is None:
            return None
        return np.rint(res.x).astype(np.int64)


def _step_length(pool: Pool, point: FloatArray, panel: IntArray, face: _Face) -> float:
    """How far the point can move away from the panel before leaving P."""
    size = pool.group_size.astype(float)
    panel_f = panel.astype(float)
    theta = 1.0

    def limit(slack_point: FloatArray, slack_panel: FloatArray) -> float:
        # constraint value must stay on the right side: slack_point - t*slack_panel >= 0 scaled
        mask = slack_panel > TIGHT / 10
        if not mask.any():
            return 1.0
        return float(np.min(np.maximum(slack_point[mask], 0.0) / slack_panel[mask]))

    theta = min(theta, limit(size - point, size - panel_f), limit(point, panel_f))
    rows_point = pool.membership @ point
    rows_panel = pool.membership @ panel_f
    theta = min(theta, limit(pool.qmax - rows_point, pool.qmax - rows_panel))
    theta = min(theta, limit(rows_point - pool.qmin, rows_panel - pool.qmin))
    if pool.households:
        hh_point = pool.household_seats_fractional(point)
        hh_panel = pool.household_seats_fractional(panel_f)
        theta = min(theta, limit(1.0 - hh_point, 1.0 - hh_panel))
    return theta


@dataclass
class Decomposition:
    panels: list[IntArray]
    weights: list[float]
    complete: bool
    milp_solves: int


def decompose(pool: Pool, expected: FloatArray) -> Decomposition:
    """Write `expected` (seats per group) as an average of whole panels, if it is one."""
    point = expected.astype(float).copy()
    mass = 1.0
    panels: list[IntArray] = []
    weights: list[float] = []
    faces = _FaceSearch(pool)
    for _ in range(2 * pool.n_groups + 10):
        if mass < 1e-10:
            # Why stop: what is left weighs less than rounding noise, and each further step
            # divides by (1 - theta), which amplifies that noise.
            return Decomposition(panels, weights, True, faces.solves)
        face = _face(pool, point)
        panel = _panel_on_face(pool, point, face, panels)
        if panel is None:
            panel = faces.find(point, face)
            if panel is None:
                return Decomposition(panels, weights, False, faces.solves)
        theta = _step_length(pool, point, panel, face)
        if theta >= 1.0 - 1e-9:
            panels.append(panel)
            weights.append(mass)
            return Decomposition(panels, weights, True, faces.solves)
        if theta <= 1e-12:  # numerical dead end: the face was misjudged
            return Decomposition(panels, weights, False, faces.solves)
        panels.append(panel)
        weights.append(mass * theta)
        point = np.clip((point - theta * panel) / (1.0 - theta), 0.0, pool.group_size)
        mass *= 1.0 - theta
    return Decomposition(panels, weights, False, faces.solves)
