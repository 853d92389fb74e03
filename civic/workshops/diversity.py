"""The "Toujours Les Mêmes" indicators: is it always the same people who take part?

Pure functions on plain numbers: no Flask, no database, so that they can be tested, checked
by hand and run on any export. `dashboard.py` gathers the numbers; these functions judge them.

Definitions (the dashboard page repeats them for its readers):

- `gini`: the Gini coefficient of the contributions per participant, the mean absolute
  difference between any two participants divided by twice the mean. 0 when everybody
  contributed as much; it tends to 1 when one person wrote everything (its largest value with
  n participants is (n - 1) / n). Defined as 0 for no participant, one participant, or when
  nobody contributed anything.
- `top_share`: the share of all contributions written by the most active 10 % of the
  participants. "10 %" of n participants is rounded up, ceil(0.1 * n), and is at least one
  person as soon as there is someone: 1 participant out of 1 to 10, 2 out of 11 to 20, etc.
  When contributions are equal it equals that rounded fraction (so it is never below 10 %).
- `representation`: for each commune, its share of the participants, its share of the
  population, and their ratio (1 = as many as its weight; 0.5 = half; 2 = twice).
- `first_time_share`: the share of participants taking part for the first time.
- `suppress`: statistical secrecy for counts of people that would reveal their declared
  characteristics: counts from 1 to 4 are hidden, and one more cell when a single one is
  hidden (otherwise it could be recomputed from the total).
"""

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from numbers import Real

TOP_FRACTION = 0.1
MIN_CELL = 5  # statistical secrecy: no published count of fewer than 5 people


def _exact(value: Real) -> Fraction:
    """An exact rational for a count or a fraction ("0.1" is one tenth, not its binary float)."""
    if isinstance(value, float):
        return Fraction(repr(value))
    return Fraction(value)


def _checked(counts: Iterable[Real]) -> list[Fraction]:
    values = [_exact(c) for c in counts]
    if any(v < 0 for v in values):
        raise ValueError("contribution counts cannot be negative")
    return values


def gini(counts: Iterable[Real]) -> float:
    """The Gini coefficient of contributions per participant, in [0, 1).

    With the values sorted in increasing order x_1 <= ... <= x_n and their total S:
    G = 2 * sum(i * x_i) / (n * S) - (n + 1) / n, which equals
    sum over all pairs |x_i - x_j| / (2 * n * S). Computed exactly, then rounded once, so it
    does not depend on the order of the counts nor on their unit.
    """
    values = sorted(_checked(counts))
    n, total = len(values), sum(values)
    if n < 2 or total == 0:
        return 0.0
    weighted = sum(i * x for i, x in enumerate(values, start=1))
    return float(2 * weighted / (n * total) - Fraction(n + 1, n))


def top_count(participants: int, fraction: Real = TOP_FRACTION) -> int:
    """How many people "the most active `fraction`" of `participants` people are: rounded up,
    at least one when there is anyone."""
    if participants <= 0:
        return 0
    return max(1, math.ceil(_exact(fraction) * participants))


def top_share(counts: Iterable[Real], fraction: Real = TOP_FRACTION) -> float:
    """The share of all contributions written by the ceil(fraction * n) most active
    participants; 0 when there is no contribution at all."""
    if not 0 < _exact(fraction) <= 1:
        raise ValueError("fraction must be in (0, 1]")
    values = sorted(_checked(counts), reverse=True)
    total = sum(values)
    if total == 0:
        return 0.0
    k = top_count(len(values), fraction)
    return float(sum(values[:k]) / total)


def first_time_share(first_time: Iterable[bool]) -> float | None:
    """The share of True among the participants' first-time flags; None for nobody."""
    flags = list(first_time)
    if not flags:
        return None
    return sum(1 for f in flags if f) / len(flags)


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class Representation:
    key: Hashable
    participants: int
    share: float | None  # of the participants counted in this territory
    population: int
    population_share: float | None
    ratio: float | None  # share / population share


def representation(
    participants_by_commune: Mapping[Hashable, int],
    population_by_commune: Mapping[Hashable, int],
) -> list[Representation]:
    """One row per commune of the population (in its order), including those where nobody
    took part. Participants counted under a key that is not in the population (unknown or
    outside the territory) are left out of the shares: the caller reports them apart.

    The ratio is the commune's share of the participants divided by its share of the
    population: None when the commune has no inhabitant or when nobody took part at all."""
    inside = {k: participants_by_commune.get(k, 0) for k in population_by_commune}
    total = sum(inside.values())
    population = sum(population_by_commune.values())
    rows = []
    for key, inhabitants in population_by_commune.items():
        part = share(inside[key], total)
        weight = share(inhabitants, population)
        ratio = part / weight if part is not None and weight else None
        rows.append(Representation(key, inside[key], part, inhabitants, weight, ratio))
    return rows


def lorenz(counts: Iterable[Real]) -> list[tuple[float, float]]:
    """The Lorenz curve: (share of participants, share of contributions they wrote), from the
    least to the most active, starting at (0, 0). Twice the area between it and the diagonal
    is the Gini coefficient."""
    values = sorted(_checked(counts))
    n, total = len(values), sum(values)
    points = [(0.0, 0.0)]
    running = Fraction(0)
    for i, x in enumerate(values, start=1):
        running += x
        points.append((i / n, float(running / total) if total else 0.0))
    return points


def distribution(counts: Iterable[int], bounds: Sequence[int]) -> list[int]:
    """How many participants fall in each bucket [bounds[i], bounds[i + 1]), the last one
    open: bounds (1, 2, 3, 6) gives 1, 2, 3 to 5, and 6 or more. Counts below bounds[0] are
    not counted."""
    buckets = [0] * len(bounds)
    for count in counts:
        for i in range(len(bounds) - 1, -1, -1):
            if count >= bounds[i]:
                buckets[i] += 1
                break
    return buckets


def suppress(counts: Mapping[Hashable, int], minimum: int = MIN_CELL) -> dict[Hashable, int | None]:
    """The counts of people of one table (one characteristic: age, commune...), with None in
    place of each count that must not be shown.

    Primary suppression hides every count from 1 to minimum - 1. If that hides exactly one
    cell, the smallest other cell is hidden too (zeros included), or the hidden one could be
    recomputed from the total. Zeros are otherwise shown: they name nobody."""
    result: dict[Hashable, int | None] = {
        k: (None if 0 < n < minimum else n) for k, n in counts.items()
    }
    hidden = [k for k, v in result.items() if v is None]
    if len(hidden) == 1:
        others = [k for k, v in result.items() if v is not None]
        if others:
            smallest = min(others, key=lambda k: counts[k])
            result[smallest] = None
    return result
