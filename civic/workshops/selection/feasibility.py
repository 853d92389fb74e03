"""Can the quotas be met at all? If not, say which quota is at fault."""

from __future__ import annotations

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from .model import InfeasibleQuotasError, QuotaIssue, SelectionProblem
from .panels import PanelSearch, meets_quotas
from .pool import IntArray, Pool, compile_problem


def check_feasibility(problem: SelectionProblem) -> None:
    """Raise InvalidSelectionDataError or InfeasibleQuotasError, or return if a panel exists."""
    find_feasible_panel(compile_problem(problem))


def find_feasible_panel(pool: Pool, search: PanelSearch | None = None) -> IntArray:
    """One panel meeting every quota, as seats per group; raises InfeasibleQuotasError."""
    issues = simple_issues(pool)
    if issues:
        raise InfeasibleQuotasError(issues)
    search = search or PanelSearch(pool)
    # Any panel will do: without an objective HiGHS stops at the first one it finds.
    outcome = search.best(np.zeros(pool.n_groups))
    if outcome.counts is not None:
        assert meets_quotas(pool, outcome.counts)
        return outcome.counts
    raise InfeasibleQuotasError(relaxation_issues(pool))


def _slots(pool: Pool, people: IntArray) -> int:
    """How many of these volunteers can sit together: one per shared household."""
    hh = pool.household_of_person[people]
    return int(np.count_nonzero(hh < 0) + len(np.unique(hh[hh >= 0])))


def simple_issues(pool: Pool) -> list[QuotaIssue]:
    """The obvious contradictions, each with the quota (or category) that causes it."""
    issues: list[QuotaIssue] = []
    everyone = np.arange(pool.n_people)
    total = _slots(pool, everyone)
    if total < pool.seats:
        housed = " (counting one per shared address)" if len(pool.households) else ""
        issues.append(
            QuotaIssue(
                None,
                None,
                "seats",
                pool.seats,
                total,
                f"{pool.seats} seats but only {total} volunteers{housed}",
            )
        )
    available = np.zeros(len(pool.quotas), dtype=np.int64)
    for j in range(len(pool.categories)):
        rows = pool.person_rows[:, j]
        for r in np.unique(rows):
            available[r] = _slots(pool, everyone[rows == r])
    for r, quota in enumerate(pool.quotas):
        if quota.min > available[r]:
            issues.append(
                QuotaIssue(
                    quota.category,
                    quota.value,
                    "min",
                    quota.min,
                    int(available[r]),
                    f"quota {quota.label} asks for at least {quota.min} seats but only "
                    f"{available[r]} volunteers have this value",
                )
            )
    for category in pool.categories:
        rows = [r for r, q in enumerate(pool.quotas) if q.category == category]
        min_sum = int(sum(pool.qmin[r] for r in rows))
        max_sum = int(sum(min(pool.qmax[r], available[r]) for r in rows))
        if min_sum > pool.seats:
            issues.append(
                QuotaIssue(
                    category,
                    None,
                    "min",
                    min_sum,
                    pool.seats,
                    f"the minimums of category {category} add up to {min_sum}, "
                    f"more than the {pool.seats} seats",
                )
            )
        if max_sum < pool.seats:
            issues.append(
                QuotaIssue(
                    category,
                    None,
                    "max",
                    max_sum,
                    pool.seats,
                    f"the maximums of category {category} (capped by the number of volunteers "
                    f"with each value) add up to {max_sum}, fewer than the {pool.seats} seats",
                )
            )
    return issues


def relaxation_issues(pool: Pool) -> list[QuotaIssue]:
    """The smallest change of minimums and maximums that makes the quotas feasible.

    Why an elastic integer program: when the quotas only clash in combination (say women and
    young people both need many seats but few young women volunteered), no single line is
    wrong on its own; the quotas whose slack is used are the ones to discuss.
    """
    n_groups, n_rows = pool.n_groups, len(pool.quotas)
    membership = sparse.csr_matrix(pool.membership)
    identity = sparse.identity(n_rows, format="csr")
    zero = sparse.csr_matrix((n_rows, n_rows))
    seats_row = sparse.hstack([np.ones((1, n_groups)), sparse.csr_matrix((1, 2 * n_rows))])
    min_rows = sparse.hstack([membership, identity, zero])  # seats + lowered >= min
    max_rows = sparse.hstack([membership, zero, -identity])  # seats - raised <= max
    blocks = [seats_row, min_rows, max_rows]
    lower = [np.array([pool.seats]), pool.qmin, np.full(n_rows, -np.inf)]
    upper = [np.array([pool.seats]), np.full(n_rows, np.inf), pool.qmax]
    if pool.households:
        hh = np.zeros((len(pool.households), n_groups + 2 * n_rows))
        for h, members in enumerate(pool.households):
            hh[h, members] = 1.0
        blocks.append(sparse.csr_matrix(hh))
        lower.append(np.zeros(len(pool.households)))
        upper.append(np.ones(len(pool.households)))
    constraint = LinearConstraint(
        sparse.vstack(blocks).tocsr(),
        np.concatenate(lower).astype(float),
        np.concatenate(upper).astype(float),
    )
    # Lowering a small minimum weighs more (losing the only seat of a group is serious), the
    # same idea as the Sortition Foundation's relaxation; then prefer few changed quotas.
    min_cost = np.array([0.0 if q.min == 0 else 1.0 + 2.0 / q.min for q in pool.quotas])
    cost = np.concatenate([np.zeros(n_groups), min_cost, np.ones(n_rows)])
    upper_bounds = np.concatenate(
        [pool.group_size.astype(float), pool.qmin.astype(float), np.full(n_rows, pool.seats)]
    )
    res = milp(
        cost,
        integrality=np.ones(n_groups + 2 * n_rows),
        bounds=Bounds(np.zeros(n_groups + 2 * n_rows), upper_bounds),
        constraints=constraint,
    )
    if res.x is None:
        return [
            QuotaIssue(
                None,
                None,
                "seats",
                pool.seats,
                None,
                f"no panel of {pool.seats} seats exists even with relaxed quotas "
                "(too few volunteers at distinct addresses)",
            )
        ]
    x = np.rint(res.x).astype(np.int64)
    lowered, raised = x[n_groups : n_groups + n_rows], x[n_groups + n_rows :]
    issues: list[QuotaIssue] = []
    for r, quota in enumerate(pool.quotas):
        if lowered[r] > 0:
            new = quota.min - int(lowered[r])
            issues.append(
                QuotaIssue(
                    quota.category,
                    quota.value,
                    "min",
                    quota.min,
                    new,
                    f"quota {quota.label}: the minimum of {quota.min} cannot be met together "
                    f"with the other quotas; a minimum of {new} can",
                )
            )
        if raised[r] > 0:
            new = quota.max + int(raised[r])
            issues.append(
                QuotaIssue(
                    quota.category,
                    quota.value,
                    "max",
                    quota.max,
                    new,
                    f"quota {quota.label}: the maximum of {quota.max} cannot be met together "
                    f"with the other quotas; a maximum of {new} can",
                )
            )
    if not issues:  # the solvers disagree at the margin: still say something useful
        issues.append(
            QuotaIssue(
                None,
                None,
                "seats",
                pool.seats,
                None,
                "the quotas are contradictory (numerical edge case: check them by hand)",
            )
        )
    return issues
