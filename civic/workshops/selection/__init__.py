"""Fair selection of workshop panels (sortition): pure functions on plain data.

Typical use from the workshop services:

    problem = SelectionProblem(people={vid: {"commune": ..., "age": ...}}, quotas=[...],
                               seats=24, households={vid: address_key})
    check_feasibility(problem)            # raises InfeasibleQuotasError naming the quotas
    result = run_selection(problem, "leximin", seed)
    result.panel, result.reserve, result.marginals, result.distribution.as_dict()
    replace(problem, panel, declined_id, result.reserve, unavailable=already_declined)
"""

from .audit import composition, summarize
from .distribution import find_distribution
from .draw import (
    draw_panel,
    new_seed,
    replace,
    replacement_candidates,
    replacement_table,
    reserve_order,
    run_selection,
)
from .feasibility import check_feasibility
from .legacy import estimate_legacy_probabilities, legacy_panel
from .model import (
    METHODS,
    InfeasibleQuotasError,
    InvalidSelectionDataError,
    LegacyEstimate,
    Method,
    NoReplacementError,
    PanelDistribution,
    PersonId,
    ProbabilitySummary,
    Quota,
    QuotaComposition,
    QuotaIssue,
    SelectionError,
    SelectionProblem,
    SelectionResult,
    SolveStats,
)

__all__ = [
    "METHODS",
    "InfeasibleQuotasError",
    "InvalidSelectionDataError",
    "LegacyEstimate",
    "Method",
    "NoReplacementError",
    "PanelDistribution",
    "PersonId",
    "ProbabilitySummary",
    "Quota",
    "QuotaComposition",
    "QuotaIssue",
    "SelectionError",
    "SelectionProblem",
    "SelectionResult",
    "SolveStats",
    "check_feasibility",
    "composition",
    "draw_panel",
    "estimate_legacy_probabilities",
    "find_distribution",
    "legacy_panel",
    "new_seed",
    "replace",
    "replacement_candidates",
    "replacement_table",
    "reserve_order",
    "run_selection",
    "summarize",
]
