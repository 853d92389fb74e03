"""Stable ids between runs: Hungarian matching on shared members."""

from hypothesis import given
from hypothesis import strategies as st

from civic.analysis.pipeline import match_groups


def test_same_groups_in_another_order_keep_their_ids():
    previous = {3: ["a", "b", "c"], 8: ["d", "e"], 5: ["f", "g", "h"]}
    current = [["f", "g", "h"], ["a", "b", "c"], ["d", "e"]]
    assert match_groups(previous, current) == [5, 3, 8]


def test_a_group_that_grew_or_shrank_keeps_its_id():
    previous = {1: ["a", "b", "c", "d"], 2: ["x", "y", "z"]}
    current = [["a", "b", "c", "d", "n1", "n2", "n3", "n4", "n5", "n6"], ["x", "y"]]
    assert match_groups(previous, current) == [1, 2]


def test_a_split_group_gives_its_id_to_one_part_only():
    previous = {4: list("abcdefghij")}
    current = [list("abc"), list("defghij")]
    ids = match_groups(previous, current)
    assert ids == [5, 4]  # the larger part keeps it, the other gets a fresh id


def test_hungarian_matching_maximises_the_total_overlap():
    # Greedy matching would give id 1 to the first group (4 shared) and leave the second one
    # without; the assignment keeps both ids.
    previous = {1: list("abcdef"), 2: list("ghij")}
    current = [list("abcdghij"), list("ef")]
    assert match_groups(previous, current, min_overlap=0.1) == [2, 1]


def test_a_chance_overlap_does_not_carry_the_id():
    previous = {1: [f"old{i}" for i in range(20)]}
    current = [["old0"] + [f"new{i}" for i in range(29)]]
    assert match_groups(previous, current) == [2]


def test_fresh_ids_skip_reserved_ones():
    assert match_groups({}, [["a"], ["b"]], reserved_ids=[0, 7]) == [8, 9]
    assert match_groups({}, [["a"], ["b"]]) == [0, 1]


@given(
    st.dictionaries(
        st.integers(0, 20), st.lists(st.integers(0, 30), min_size=1, max_size=8), max_size=5
    ),
    st.lists(st.lists(st.integers(0, 30), min_size=1, max_size=8), max_size=6),
)
def test_ids_are_unique_and_reused_at_most_once(previous, current):
    ids = match_groups(previous, current)
    assert len(ids) == len(current)
    assert len(set(ids)) == len(ids)
    fresh = [i for i in ids if i not in previous]
    assert all(i > max(previous, default=-1) for i in fresh)
