"""The "Toujours Les Mêmes" indicators, on hand-computed cases and on their properties."""

from fractions import Fraction
from itertools import combinations, pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from civic.workshops.diversity import (
    MIN_CELL,
    distribution,
    first_time_share,
    gini,
    lorenz,
    representation,
    suppress,
    top_count,
    top_share,
)

counts = st.lists(st.integers(min_value=0, max_value=1000), max_size=60)
some_counts = st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=60).filter(
    lambda c: sum(c) > 0
)
fractions = st.sampled_from([0.05, 0.1, 0.2, 0.25, 1 / 3, 0.5, 1.0])


# --- Gini ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([], 0.0),  # nobody
        ([7], 0.0),  # one participant: nobody to be unequal with
        ([0, 0, 0], 0.0),  # nobody contributed
        ([1, 1, 1, 1], 0.0),  # perfect equality
        ([3, 3], 0.0),
        # sum |xi - xj| over ordered pairs = 2 * 2 = 4; 2 * n * S = 2 * 2 * 4 = 16
        ([1, 3], 0.25),
        # pairs: 1 + 2 + 3 + 1 + 2 + 1 = 10, ordered 20; 2 * 4 * 10 = 80
        ([4, 1, 3, 2], 0.25),
        # one person wrote everything: the largest value for n = 4 is (n - 1) / n
        ([0, 0, 5, 0], 0.75),
        # 9 people wrote 1, one wrote 11 (S = 20): pairs 9 * 10 * 2 = 180 / (2 * 10 * 20) = 0.45
        ([1] * 9 + [11], 0.45),
    ],
)
def test_gini_by_hand(values, expected):
    assert gini(values) == pytest.approx(expected)


def test_gini_rejects_negative_counts():
    with pytest.raises(ValueError, match="negative"):
        gini([1, -1])


def _pairwise_gini(values: list[int]) -> Fraction:
    n, total = len(values), sum(values)
    if n < 2 or total == 0:
        return Fraction(0)
    pairs = sum(abs(a - b) for a, b in combinations(values, 2)) * 2
    return Fraction(pairs, 2 * n * total)


@given(counts)
def test_gini_is_the_mean_absolute_difference(values):
    assert gini(values) == float(_pairwise_gini(values))


@given(counts)
def test_gini_is_in_0_1(values):
    value = gini(values)
    assert 0 <= value < 1
    if len(values) >= 1:
        assert value <= (len(values) - 1) / len(values) + 1e-12


@given(counts, st.randoms(use_true_random=False))
def test_gini_does_not_depend_on_order(values, random):
    shuffled = list(values)
    random.shuffle(shuffled)
    assert gini(shuffled) == gini(values)


@given(counts, st.integers(min_value=1, max_value=1000))
def test_gini_does_not_depend_on_the_unit(values, factor):
    assert gini([v * factor for v in values]) == gini(values)


@given(st.integers(min_value=2, max_value=200), st.integers(min_value=1, max_value=50))
def test_gini_of_equal_counts_is_zero_and_concentration_tends_to_one(n, each):
    assert gini([each] * n) == 0
    assert gini([0] * (n - 1) + [each]) == pytest.approx((n - 1) / n)


@given(counts)
def test_twice_the_area_between_lorenz_curve_and_diagonal_is_gini(values):
    points = lorenz(values)
    assert points[0] == (0.0, 0.0)
    if not values or sum(values) == 0:
        return
    assert points[-1] == (1.0, 1.0)
    under = sum((x2 - x1) * (y1 + y2) / 2 for (x1, y1), (x2, y2) in pairwise(points))
    assert 1 - 2 * under == pytest.approx(gini(values), abs=1e-9)


def test_lorenz_by_hand():
    assert lorenz([3, 0, 1]) == [(0.0, 0.0), (1 / 3, 0.0), (2 / 3, 0.25), (1.0, 1.0)]


# --- Top 10 % -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "expected"),
    [(0, 0), (1, 1), (9, 1), (10, 1), (11, 2), (20, 2), (21, 3), (30, 3), (100, 10)],
)
def test_ten_percent_is_rounded_up_and_at_least_one_person(n, expected):
    # 30 * 0.1 is 3.0000000000000004 in binary floats: the rounding must not make it 4.
    assert top_count(n) == expected


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([], 0.0),
        ([0, 0], 0.0),
        ([4], 1.0),  # one participant is "the most active 10 %"
        ([1] * 10, 0.1),  # equality: exactly 10 %
        ([1] * 11, 2 / 11),  # 11 people: the top 10 % is 2 people
        ([10, 5] + [1] * 18, 15 / 33),  # 20 people, the 2 most active wrote 15 of 33
        ([0] * 9 + [6], 1.0),
    ],
)
def test_top_share_by_hand(values, expected):
    assert top_share(values) == pytest.approx(expected)


def test_top_share_rejects_a_fraction_outside_0_1():
    with pytest.raises(ValueError):
        top_share([1, 2], fraction=0)
    with pytest.raises(ValueError):
        top_share([1, 2], fraction=1.5)


@given(some_counts, fractions)
def test_top_share_is_at_least_the_fraction(values, fraction):
    assert fraction <= top_share(values, fraction) <= 1


@given(some_counts, st.randoms(use_true_random=False), st.integers(min_value=1, max_value=100))
def test_top_share_does_not_depend_on_order_nor_unit(values, random, factor):
    shuffled = [v * factor for v in values]
    random.shuffle(shuffled)
    assert top_share(shuffled) == top_share(values)


@given(st.integers(min_value=1, max_value=500), st.integers(min_value=1, max_value=20))
def test_top_share_of_equal_counts_is_the_rounded_fraction(n, each):
    assert top_share([each] * n) == pytest.approx(top_count(n) / n)


# --- Representation, first time, distribution ---------------------------------------------


def test_representation_by_hand():
    population = {"A": 600, "B": 300, "C": 100}
    # 5 people whose commune is unknown are left out of the shares.
    rows = representation({"A": 2, "B": 6, None: 5}, population)
    assert [r.key for r in rows] == ["A", "B", "C"]
    a, b, c = rows
    assert (a.participants, a.share, a.population_share) == (2, 0.25, 0.6)
    assert a.ratio == pytest.approx(0.25 / 0.6)
    assert (b.share, b.population_share, b.ratio) == (0.75, 0.3, pytest.approx(2.5))
    assert (c.participants, c.share, c.ratio) == (0, 0.0, 0.0)


def test_representation_without_participants_or_inhabitants():
    rows = representation({}, {"A": 10, "B": 0})
    assert all(r.share is None and r.ratio is None for r in rows)
    rows = representation({"B": 3}, {"A": 10, "B": 0})
    assert rows[1].share == 1.0 and rows[1].population_share == 0.0 and rows[1].ratio is None


@given(
    st.dictionaries(st.sampled_from("ABCDEF"), st.integers(0, 50)),
    st.dictionaries(st.sampled_from("ABCDEF"), st.integers(1, 10_000), min_size=1),
)
def test_shares_add_up_to_one(participants, population):
    rows = representation(participants, population)
    assert sum(r.population_share for r in rows) == pytest.approx(1)
    if sum(participants.get(k, 0) for k in population):
        assert sum(r.share for r in rows) == pytest.approx(1)
        for r in rows:
            assert r.ratio == pytest.approx(r.share / r.population_share)


def test_first_time_share():
    assert first_time_share([]) is None
    assert first_time_share([True, False, False, True]) == 0.5
    assert first_time_share(iter([True])) == 1.0


def test_distribution_buckets():
    assert distribution([1, 1, 2, 4, 7, 0, 5, 6], (1, 2, 3, 6)) == [2, 1, 2, 2]
    assert distribution([0, 0, 3], (0, 1)) == [2, 1]
    assert distribution([], (1, 2)) == [0, 0]


# --- Statistical secrecy ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        ({"a": 12, "b": 0}, {"a": 12, "b": 0}),  # zeros name nobody
        ({"a": 5}, {"a": 5}),
        ({"a": 3, "b": 2}, {"a": None, "b": None}),
        # one small cell: the smallest other one goes too, or the total would give it away
        ({"a": 12, "b": 3, "c": 0}, {"a": 12, "b": None, "c": None}),
        ({"a": 7, "b": 6, "c": 2}, {"a": 7, "b": None, "c": None}),
        ({"a": 4}, {"a": None}),
        ({"a": 9, "b": 1, "c": 4, "d": 8}, {"a": 9, "b": None, "c": None, "d": 8}),
    ],
)
def test_suppress_by_hand(cells, expected):
    assert suppress(cells) == expected


@given(st.dictionaries(st.text(max_size=3), st.integers(0, 40), max_size=8))
def test_suppress_never_shows_a_small_count_nor_a_single_hidden_one(cells):
    shown = suppress(cells)
    assert shown.keys() == cells.keys()
    for key, value in shown.items():
        assert value is None or value == cells[key]
        assert value is None or value == 0 or value >= MIN_CELL
    hidden = [k for k, v in shown.items() if v is None]
    assert len(hidden) != 1 or len(cells) == 1
