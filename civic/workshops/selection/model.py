"""Plain data of a fair selection: volunteers, quotas, errors and results.

Nothing here knows about Flask or the database: the workshop code maps each volunteer to a
dict of category -> value and calls the functions of this package.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, TypeAlias

PersonId: TypeAlias = str | int
Method: TypeAlias = Literal["leximin", "maximin"]
METHODS: tuple[Method, ...] = ("leximin", "maximin")


def id_sort_key(person_id: PersonId) -> tuple[int, int, str]:
    # Why: a canonical order (numbers numerically, then strings) makes a run independent of
    # the order in which the volunteers were loaded, so a published seed replays the same draw.
    if isinstance(person_id, bool) or not isinstance(person_id, int | str):
        raise TypeError(f"volunteer ids must be str or int, not {type(person_id).__name__}")
    if isinstance(person_id, int):
        return (0, person_id, "")
    return (1, 0, person_id)


@dataclass(frozen=True)
class Quota:
    """Between `min` and `max` of the panel seats go to volunteers with `category` = `value`."""

    category: str
    value: str
    min: int
    max: int

    @property
    def label(self) -> str:
        return f"{self.category}={self.value}"


@dataclass(frozen=True)
class SelectionProblem:
    """Everything a selection depends on.

    `people` maps each volunteer id to its value for every quota category (extra keys are
    ignored). Each category used in `quotas` must list every value that volunteers have (give a
    value min 0 and max `seats` to leave it free): an unknown value is reported as a data error,
    since it is usually a typo. `households` optionally maps volunteer ids to an address key;
    at most one volunteer per key sits on a panel.
    """

    people: Mapping[PersonId, Mapping[str, str]]
    quotas: Sequence[Quota]
    seats: int
    households: Mapping[PersonId, str] | None = None


# --- errors ---------------------------------------------------------------------------------


class SelectionError(Exception):
    """Base class of every error raised by the selection engine."""


class InvalidSelectionDataError(SelectionError, ValueError):
    """The input is malformed (unknown value, min above max, duplicated quota...)."""


@dataclass(frozen=True)
class QuotaIssue:
    """One reason why the quotas cannot be met, with the bound to change when there is one.

    `bound` is "min" or "max" for a quota, "seats" when the pool is too small for the panel.
    `suggested` is a value of that bound that would remove this obstacle (None if unknown).
    """

    category: str | None
    value: str | None
    bound: Literal["min", "max", "seats"]
    current: int
    suggested: int | None
    reason: str

    @property
    def label(self) -> str:
        if self.category is None:
            return "seats"
        if self.value is None:
            return self.category
        return f"{self.category}={self.value}"


class InfeasibleQuotasError(SelectionError):
    """No panel of the requested size meets all the quotas; `issues` names the culprits."""

    def __init__(self, issues: Sequence[QuotaIssue]) -> None:
        self.issues: tuple[QuotaIssue, ...] = tuple(issues)
        lines = ["No panel can satisfy all the quotas:"] + [f"- {i.reason}" for i in self.issues]
        super().__init__("\n".join(lines))


class NoReplacementError(SelectionError):
    """Nobody left in the reserve can replace a volunteer without breaking a quota."""


# --- results --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SolveStats:
    """How the distribution was computed (for the audit page and the bench)."""

    seconds: float
    groups: int
    stages: int = 0
    master_solves: int = 0
    heuristic_columns: int = 0
    milp_solves: int = 0
    optimal: bool = True  # False when a time limit cut the search short
    strategy: str = "relaxation"  # or "column generation" (see distribution.py)


@dataclass(frozen=True)
class PanelDistribution:
    """A lottery over panels that all meet the quotas.

    Volunteers with the same values in every quota category (and no housemate among the
    volunteers) are interchangeable: they form a `group`, and a panel is stored as the number of
    seats of each group, filled by a uniform draw inside the group. This keeps the lottery small
    and gives interchangeable volunteers exactly the same probability.
    """

    method: Method
    seats: int
    groups: tuple[tuple[PersonId, ...], ...]
    panels: tuple[tuple[tuple[int, int], ...], ...]  # per panel: (group index, seats) pairs
    probabilities: tuple[float, ...]
    marginals: Mapping[PersonId, float]  # each volunteer's probability of selection
    excluded: tuple[PersonId, ...] = ()  # volunteers that no panel meeting the quotas includes
    stats: SolveStats | None = None

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data, to publish the lottery next to the seed.

        With it, anyone can replay the draw (`draw_panel(PanelDistribution.from_dict(d), seed)`)
        whatever the solver version that computed it.
        """
        return {
            "method": self.method,
            "seats": self.seats,
            "groups": [list(g) for g in self.groups],
            "panels": [
                {"probability": p, "seats": [[g, n] for g, n in panel]}
                for panel, p in zip(self.panels, self.probabilities, strict=True)
            ],
            # pairs rather than an object: JSON would turn integer ids into strings
            "marginals": [[pid, p] for pid, p in self.marginals.items()],
            "excluded": list(self.excluded),
            "stats": asdict(self.stats) if self.stats is not None else None,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PanelDistribution:
        stats = data.get("stats")
        return cls(
            method=data["method"],
            seats=int(data["seats"]),
            groups=tuple(tuple(g) for g in data["groups"]),
            panels=tuple(
                tuple((int(g), int(n)) for g, n in panel["seats"]) for panel in data["panels"]
            ),
            probabilities=tuple(float(panel["probability"]) for panel in data["panels"]),
            marginals={pid: float(p) for pid, p in data["marginals"]},
            excluded=tuple(data.get("excluded", ())),
            stats=SolveStats(**stats) if stats else None,
        )


@dataclass(frozen=True)
class ProbabilitySummary:
    minimum: float
    median: float
    maximum: float


@dataclass(frozen=True)
class SelectionResult:
    """A published selection: the lottery, the seed, the panel drawn and the reserve order."""

    seed: int
    distribution: PanelDistribution
    panel: tuple[PersonId, ...]
    reserve: tuple[PersonId, ...]

    @property
    def marginals(self) -> Mapping[PersonId, float]:
        return self.distribution.marginals


@dataclass(frozen=True)
class QuotaComposition:
    """One line of the audit table: a quota next to the pool and the panel."""

    category: str
    value: str
    min: int
    max: int
    pool: int
    panel: int
    expected: float | None = None  # expected seats under the lottery


@dataclass(frozen=True)
class LegacyEstimate:
    """Selection probabilities of the greedy "legacy" method, estimated by repetition."""

    marginals: Mapping[PersonId, float]
    runs: int
    failures: int = 0
    seconds: float = 0.0
    panels: tuple[tuple[PersonId, ...], ...] = field(default=(), repr=False)
