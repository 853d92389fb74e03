"""Figures for the audit page: quotas next to the pool and the panel, and probability spread."""

from __future__ import annotations

from collections.abc import Collection, Mapping

import numpy as np

from .model import PersonId, ProbabilitySummary, QuotaComposition, SelectionProblem
from .pool import compile_problem


def summarize(marginals: Mapping[PersonId, float]) -> ProbabilitySummary:
    """Minimum, median and maximum selection probability."""
    values = np.fromiter(marginals.values(), dtype=float)
    if values.size == 0:
        return ProbabilitySummary(0.0, 0.0, 0.0)
    return ProbabilitySummary(float(values.min()), float(np.median(values)), float(values.max()))


def composition(
    problem: SelectionProblem,
    panel: Collection[PersonId] = (),
    marginals: Mapping[PersonId, float] | None = None,
) -> list[QuotaComposition]:
    """One line per quota: its bounds, the volunteers, the seats on `panel`, and the expected
    seats under the lottery when `marginals` is given."""
    pool = compile_problem(problem)
    n_rows = len(pool.quotas)
    in_pool = np.bincount(pool.person_rows.ravel(), minlength=n_rows)
    seated = [pool.index[p] for p in panel]
    on_panel = np.bincount(pool.person_rows[seated].ravel(), minlength=n_rows)
    expected = None
    if marginals is not None:
        chance = np.array([marginals.get(pid, 0.0) for pid in pool.ids])
        expected = np.bincount(
            pool.person_rows.ravel(),
            weights=np.repeat(chance, len(pool.categories)),
            minlength=n_rows,
        )
    return [
        QuotaComposition(
            category=q.category,
            value=q.value,
            min=q.min,
            max=q.max,
            pool=int(in_pool[r]),
            panel=int(on_panel[r]),
            expected=None if expected is None else float(expected[r]),
        )
        for r, q in enumerate(pool.quotas)
    ]
