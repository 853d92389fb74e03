"""The table's vote, computed: majority judgment and dot-vote totals.

Pure functions over plain lists and dicts: no Flask, no database, so that they can be tested on
known cases and run on any data.

Majority judgment (Balinski & Laraki)
-------------------------------------
Every participant grades every item on one common scale (here 0 = « À rejeter » ... 6 =
« Excellent »). References:

- M. Balinski, R. Laraki, "A theory of measuring, electing, and ranking", PNAS 104 (21),
  2007, pp. 8720-8725;
- M. Balinski, R. Laraki, *Majority Judgment: Measuring, Ranking, and Electing*, MIT Press,
  2011, chapters 13 ("majority-ranking") and 14.

*Majority grade*: the median of an item's grades; with an even number of grades, the lower of
the two middle ones (Balinski & Laraki's "lower middlemost"), so that a majority of the judges
gave at least that grade and a majority gave at most that grade.

*Tie-break, the formulation used here*: the **majority value** of an item is the sequence of
majority grades obtained by taking the majority grade, removing one grade equal to it from the
item's grades, taking the majority grade of what remains, and so on until no grade remains.
Items are ranked by comparing their majority values lexicographically (the "majority-ranking").
This is the official rule, of which "remove one median grade from each tied item and compare
again" is the step-by-step description: both stop at the first position where the sequences
differ. Items whose grades are the same multiset have the same majority value and stay tied.

The majority value only compares items graded by the same number of judges: a ballot that left
an item out counts as giving it the lowest grade, as Balinski & Laraki recommend (an item nobody
cares to grade is rejected by default). `rank_majority` pads the missing grades itself.

*Majority gauge* (for display): p, the share of grades strictly above the majority grade, and q,
the share strictly below. The majority grade is shown with "+" when p > q and "−" otherwise
(Balinski & Laraki's α+ / α−). Whenever the gauge orders two items with the same majority grade
strictly (α+ before α−; between two α+, the larger p first; between two α−, the smaller q
first), the majority-ranking gives the same order; when the gauge ties, the majority value goes
further. The tests check this equivalence.
"""

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

LOWEST = 0


def majority_grade(grades: Sequence[int]) -> int:
    """The lower median of the grades."""
    if not grades:
        raise ValueError("no grades")
    ordered = sorted(grades)
    return ordered[(len(ordered) - 1) // 2]


def majority_value(grades: Sequence[int]) -> tuple[int, ...]:
    """The majority grades found by removing one majority grade at a time (see the module)."""
    remaining = sorted(grades)
    sequence = []
    while remaining:
        sequence.append(remaining.pop((len(remaining) - 1) // 2))
    return tuple(sequence)


@dataclass(frozen=True)
class Gauge:
    """Balinski & Laraki's majority gauge (p, α, q), with the counts behind the shares."""

    grade: int
    above: int  # number of grades strictly above the majority grade (proponents)
    below: int  # number of grades strictly below it (opponents)
    total: int

    @property
    def share_above(self) -> Fraction:
        return Fraction(self.above, self.total)

    @property
    def share_below(self) -> Fraction:
        return Fraction(self.below, self.total)

    @property
    def share_at(self) -> Fraction:
        return 1 - self.share_above - self.share_below

    @property
    def plus(self) -> bool:
        """α+ when more judges graded above the majority grade than below it."""
        return self.above > self.below

    def key(self) -> tuple:
        """The gauge's own order: higher is better; equal keys mean the gauge cannot decide."""
        if self.plus:
            return (self.grade, 1, self.share_above)
        return (self.grade, 0, -self.share_below)


def gauge(grades: Sequence[int]) -> Gauge:
    alpha = majority_grade(grades)
    return Gauge(
        grade=alpha,
        above=sum(1 for g in grades if g > alpha),
        below=sum(1 for g in grades if g < alpha),
        total=len(grades),
    )


@dataclass(frozen=True)
class MajorityResult:
    item: Hashable
    rank: int  # 1 is the best; tied items share a rank ("1, 1, 3")
    grade: int | None  # None when nobody graded anything
    gauge: Gauge | None
    counts: tuple[int, ...]  # how many judges gave each grade, lowest grade first
    value: tuple[int, ...]  # the majority value, for audit


def rank_majority(
    grades_by_item: Mapping[Hashable, Sequence[int]], scale: int = 7
) -> list[MajorityResult]:
    """Rank the items by majority judgment, best first; ties keep the input order.

    Grades are integers from 0 (lowest) to scale - 1. Items with fewer grades than the others
    are completed with the lowest grade (a ballot that left the item out).
    """
    judges = max((len(g) for g in grades_by_item.values()), default=0)
    rows = []
    for item, grades in grades_by_item.items():
        if any(not 0 <= g < scale for g in grades):
            raise ValueError(f"grade out of the scale for {item!r}")
        full = [*grades, *[LOWEST] * (judges - len(grades))]
        counts = tuple(full.count(g) for g in range(scale))
        rows.append((item, full, counts, majority_value(full)))
    rows.sort(key=lambda row: row[3], reverse=True)  # stable: ties keep the input order
    results: list[MajorityResult] = []
    for position, (item, full, counts, value) in enumerate(rows, start=1):
        rank = results[-1].rank if results and results[-1].value == value else position
        results.append(
            MajorityResult(
                item=item,
                rank=rank,
                grade=majority_grade(full) if full else None,
                gauge=gauge(full) if full else None,
                counts=counts,
                value=value,
            )
        )
    return results


# --- dot voting ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DotResult:
    item: Hashable
    rank: int
    dots: int
    voters: int  # how many ballots gave the item at least one dot


def dot_totals(ballots: Iterable[Mapping[Hashable, int]]) -> dict[Hashable, int]:
    totals: dict[Hashable, int] = {}
    for ballot in ballots:
        for item, dots in ballot.items():
            if dots < 0:
                raise ValueError("a negative number of dots")
            totals[item] = totals.get(item, 0) + dots
    return totals


def rank_dots(
    items: Sequence[Hashable], ballots: Iterable[Mapping[Hashable, int]]
) -> list[DotResult]:
    """Rank the items by their number of dots, best first; equal totals share a rank."""
    ballots = list(ballots)
    totals = dot_totals(ballots)
    voters = {item: sum(1 for b in ballots if b.get(item, 0) > 0) for item in items}
    ordered = sorted(items, key=lambda item: totals.get(item, 0), reverse=True)
    results: list[DotResult] = []
    for position, item in enumerate(ordered, start=1):
        dots = totals.get(item, 0)
        rank = results[-1].rank if results and results[-1].dots == dots else position
        results.append(DotResult(item=item, rank=rank, dots=dots, voters=voters[item]))
    return results


def check_dots(values: Mapping[Hashable, int], budget: int) -> None:
    """Refuse a dot ballot that is negative or spends more than the budget."""
    if any(v < 0 for v in values.values()):
        raise ValueError("a negative number of dots")
    if sum(values.values()) > budget:
        raise ValueError("over budget")
