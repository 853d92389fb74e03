"""Majority judgment and dot voting, on known cases and on properties (civic/workshops/judgment)."""

from collections import Counter
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from civic.workshops.judgment import (
    check_dots,
    gauge,
    majority_grade,
    majority_value,
    rank_dots,
    rank_majority,
)

# The workshop scale, worst first (models.GRADES).
REJ, INS, PAS, AB, B, TB, EXC = range(7)


@pytest.fixture(autouse=True)
def db():
    """Pure functions: no application, no database (replaces the suite's fixture)."""
    yield None


def order(grades_by_item):
    return [r.item for r in rank_majority(grades_by_item)]


def ranks(grades_by_item):
    return {r.item: r.rank for r in rank_majority(grades_by_item)}


# --- the majority grade ------------------------------------------------------------------


def test_majority_grade_is_the_median_of_an_odd_number_of_grades():
    assert majority_grade([EXC, REJ, AB, B, PAS]) == AB


def test_majority_grade_is_the_lower_middle_of_an_even_number_of_grades():
    # Not the mean of the two middle grades, nor the higher one: a majority (2 of 2) gave at
    # least « Insuffisant », only half gave « Très bien » or more.
    assert majority_grade([INS, TB]) == INS
    assert majority_grade([REJ, PAS, B, EXC]) == PAS


def test_majority_grade_of_nothing_is_an_error():
    with pytest.raises(ValueError):
        majority_grade([])


def test_majority_value_removes_one_majority_grade_at_a_time():
    # [0, 2, 2, 3, 6]: median 2; then [0, 2, 3, 6] -> 2; [0, 3, 6] -> 3; [0, 6] -> 0; [6].
    assert majority_value([6, 2, 0, 3, 2]) == (2, 2, 3, 0, 6)
    # Even count: [1, 2, 4, 5] -> 2; [1, 4, 5] -> 4; [1, 5] -> 1; [5].
    assert majority_value([5, 1, 4, 2]) == (2, 4, 1, 5)


# --- the tie-break on known cases ----------------------------------------------------------


def test_wikipedia_example_of_the_tie_break():
    # The worked example of the article "Majority judgment" (English Wikipedia, section on
    # ties), on the scale Poor < Fair < Good < Excellent: X = (Good, Good, Fair, Poor) and
    # Y = (Excellent, Fair, Fair, Fair) both have the majority grade Fair; removing one Fair
    # from each leaves X with Good and Y with Fair: X wins.
    poor, fair, good, excellent = PAS, AB, B, TB
    x = [good, good, fair, poor]
    y = [excellent, fair, fair, fair]
    assert majority_grade(x) == majority_grade(y) == fair
    assert order({"Y": y, "X": x}) == ["X", "Y"]
    # The gauge says the same: both are Fair+, X with more proponents (2 of 4 against 1 of 4).
    assert gauge(x).plus and gauge(y).plus
    assert gauge(x).share_above == Fraction(1, 2) > gauge(y).share_above == Fraction(1, 4)


def test_plus_beats_minus_at_the_same_majority_grade():
    # Both « Assez bien »; A has 2 judges above and 1 below (α+), B 1 above and 2 below (α−).
    a = [PAS, AB, AB, B, TB]
    b = [PAS, PAS, AB, AB, TB]
    assert majority_grade(a) == majority_grade(b) == AB
    assert gauge(a).plus and not gauge(b).plus
    assert order({"B": b, "A": a}) == ["A", "B"]


def test_between_two_plus_the_larger_share_above_wins():
    a = [PAS, AB, AB, TB, TB]  # AB+, p = 2/5, q = 1/5
    b = [AB, AB, AB, AB, EXC]  # AB+, p = 1/5, q = 0
    assert gauge(a).plus and gauge(b).plus
    assert order({"B": b, "A": a}) == ["A", "B"]


def test_between_two_minus_the_smaller_share_below_wins():
    a = [REJ, AB, AB, AB, AB]  # AB−, q = 1/5
    b = [REJ, REJ, AB, AB, EXC]  # AB−, q = 2/5 (p = 1/5)
    assert not gauge(a).plus and not gauge(b).plus
    assert order({"B": b, "A": a}) == ["A", "B"]


def test_equal_gauges_are_decided_further_by_the_majority_value():
    # Same majority grade « Passable », one judge above and one below each: the gauge ties.
    a = [REJ, PAS, PAS, PAS, EXC]
    b = [INS, PAS, PAS, PAS, TB]
    assert gauge(a).key() == gauge(b).key()
    # Majority values: a = (2, 2, 2, 0, 6), b = (2, 2, 2, 1, 5): b's opponent is milder.
    assert majority_value(a) == (PAS, PAS, PAS, REJ, EXC)
    assert majority_value(b) == (PAS, PAS, PAS, INS, TB)
    assert order({"A": a, "B": b}) == ["B", "A"]


def test_same_grades_in_another_order_are_a_tie():
    result = ranks({"A": [B, REJ, EXC], "B": [EXC, B, REJ], "C": [REJ, REJ, REJ]})
    assert result == {"A": 1, "B": 1, "C": 3}


def test_hand_computed_ranking_of_four_themes_by_seven_judges():
    themes = {
        # grades, and sorted: the fourth of seven is the majority grade
        "Pistes cyclables": [TB, B, B, AB, AB, PAS, REJ],  # 0,2,3,[3],4,4,5
        "Transport à la demande": [B, B, AB, AB, AB, INS, REJ],  # 0,1,3,[3],3,4,4
        "Covoiturage": [EXC, EXC, PAS, PAS, PAS, INS, INS],  # 1,1,2,[2],2,6,6
        "Parkings relais": [B, AB, AB, AB, AB, AB, REJ],  # 0,3,3,[3],3,3,4
    }
    results = rank_majority(themes)
    grades = {r.item: r.grade for r in results}
    assert grades == {
        "Pistes cyclables": AB,
        "Transport à la demande": AB,
        "Covoiturage": PAS,
        "Parkings relais": AB,
    }
    # Gauges: pistes p=3/7 q=2/7 (AB+) first; transport p=2/7 q=2/7 (AB−) and parkings
    # p=1/7 q=1/7 (AB−): between two AB−, fewer opponents first, so parkings, then transport;
    # covoiturage's majority grade is lower.
    assert [r.item for r in results] == [
        "Pistes cyclables",
        "Parkings relais",
        "Transport à la demande",
        "Covoiturage",
    ]
    assert [r.rank for r in results] == [1, 2, 3, 4]
    first = results[0]
    assert first.counts == (1, 0, 1, 2, 2, 1, 0)
    assert (first.gauge.above, first.gauge.below, first.gauge.total) == (3, 2, 7)


def test_a_missing_grade_counts_as_a_rejection():
    # Theme C was added after one ballot: that ballot counts as « À rejeter » for it.
    results = rank_majority({"A": [B, B, B], "C": [B, B]})
    by_item = {r.item: r for r in results}
    assert by_item["C"].counts[REJ] == 1
    assert by_item["C"].grade == B  # (0, 4, 4) -> 4
    assert [r.item for r in results] == ["A", "C"]


def test_nobody_voted():
    results = rank_majority({"A": [], "B": []})
    assert [(r.item, r.rank, r.grade, r.gauge) for r in results] == [
        ("A", 1, None, None),
        ("B", 1, None, None),
    ]


def test_grades_out_of_the_scale_are_refused():
    with pytest.raises(ValueError):
        rank_majority({"A": [7]})
    with pytest.raises(ValueError):
        rank_majority({"A": [-1]})


# --- dot voting ----------------------------------------------------------------------------


def test_dot_totals_and_ties():
    ballots = [{"A": 2, "B": 1}, {"B": 3}, {"A": 1, "C": 0}, {"A": 1}]
    results = rank_dots(["C", "A", "B"], ballots)
    assert [(r.item, r.rank, r.dots, r.voters) for r in results] == [
        ("A", 1, 4, 3),
        ("B", 1, 4, 2),
        ("C", 3, 0, 0),
    ]


def test_dot_budget():
    check_dots({"A": 2, "B": 1}, 3)
    with pytest.raises(ValueError):
        check_dots({"A": 2, "B": 2}, 3)
    with pytest.raises(ValueError):
        check_dots({"A": -1, "B": 2}, 3)


# --- properties ----------------------------------------------------------------------------

grade = st.integers(min_value=REJ, max_value=EXC)


@st.composite
def elections(draw, min_items=2, max_items=5):
    """A table: n judges each grading every item."""
    judges = draw(st.integers(min_value=1, max_value=15))
    items = draw(st.integers(min_value=min_items, max_value=max_items))
    return {
        f"theme-{i}": draw(st.lists(grade, min_size=judges, max_size=judges)) for i in range(items)
    }


@settings(max_examples=200)
@given(elections(), st.randoms(use_true_random=False))
def test_the_ranking_does_not_depend_on_the_order_of_the_ballots(election, rnd):
    judges = len(next(iter(election.values())))
    permutation = list(range(judges))
    rnd.shuffle(permutation)
    shuffled = {item: [grades[i] for i in permutation] for item, grades in election.items()}
    assert ranks(shuffled) == ranks(election)


@settings(max_examples=200)
@given(elections())
def test_the_ranking_does_not_depend_on_the_order_of_the_items(election):
    reversed_items = dict(reversed(list(election.items())))
    assert ranks(reversed_items) == ranks(election)


@settings(max_examples=300)
@given(st.data())
def test_an_item_whose_grades_dominate_another_s_ranks_above_it(data):
    judges = data.draw(st.integers(min_value=1, max_value=15))
    worse = data.draw(st.lists(grade, min_size=judges, max_size=judges))
    # Raise some of the (sorted) grades: the better item's k-th grade is never below the
    # worse item's k-th grade, and at least one is strictly above.
    raises = data.draw(
        st.lists(st.integers(min_value=0, max_value=6), min_size=judges, max_size=judges)
    )
    better = [min(EXC, g + r) for g, r in zip(sorted(worse), raises, strict=True)]
    if sorted(better) == sorted(worse):
        return
    result = ranks({"worse": worse, "better": better})
    assert result["better"] < result["worse"]


@settings(max_examples=300)
@given(st.lists(grade, min_size=1, max_size=25))
def test_the_majority_value_is_a_reordering_that_starts_with_the_majority_grade(grades):
    value = majority_value(grades)
    assert Counter(value) == Counter(grades)
    assert value[0] == majority_grade(grades)
    g = gauge(grades)
    assert g.above + g.below <= g.total
    # A majority gave at least the majority grade, and a majority gave at most it.
    assert 2 * sum(1 for x in grades if x >= g.grade) > len(grades)
    assert 2 * sum(1 for x in grades if x <= g.grade) >= len(grades)


@settings(max_examples=400)
@given(elections(min_items=2, max_items=2))
def test_the_majority_gauge_agrees_with_the_majority_ranking_when_it_decides(election):
    (a, grades_a), (b, grades_b) = election.items()
    key_a, key_b = gauge(grades_a).key(), gauge(grades_b).key()
    result = ranks(election)
    if key_a > key_b:
        assert result[a] < result[b]
    elif key_b > key_a:
        assert result[b] < result[a]


@settings(max_examples=200)
@given(elections())
def test_ties_are_exactly_the_items_with_the_same_grades(election):
    results = rank_majority(election)
    for first in results:
        for second in results:
            same = Counter(election[first.item]) == Counter(election[second.item])
            assert (first.rank == second.rank) == same
