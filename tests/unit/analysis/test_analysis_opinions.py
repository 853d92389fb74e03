"""Opinion groups from votes (Pol.is): planted groups, repness, consensus, exclusions."""

import random
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import adjusted_rand_score

from civic.analysis.pipeline import VoteMatrix, opinion_groups, vote_matrix
from civic.analysis.pipeline.opinions import prop_test, two_prop_test
from civic.analysis.pipeline.synthetic import synthetic_votes


def as_matrix(values):
    n, m = values.shape
    return VoteMatrix([f"p{i}" for i in range(n)], [f"s{j}" for j in range(m)], values)


def as_triples(values):
    rows, cols = np.nonzero(~np.isnan(values))
    return [(f"p{i}", f"s{j}", int(values[i, j])) for i, j in zip(rows, cols, strict=True)]


def planted_label(result, participant):
    return next(g.id for g in result.groups if participant in g.participants)


@pytest.fixture(scope="module", params=[2, 3])
def planted(request):
    data = synthetic_votes(400, 80, n_groups=request.param, fill=0.6, seed=request.param)
    return data, opinion_groups(as_matrix(data.values), seed=0, max_repness=None)


def test_planted_groups_are_recovered(planted):
    data, result = planted
    assert result.k == len(data.group_statements)
    found = [planted_label(result, f"p{i}") for i in range(len(data.groups))]
    # Participants who saw few planted statements can sit between groups: not all are placed
    # as planted.
    assert adjusted_rand_score(data.groups, found) > 0.9


def test_repness_picks_each_group_s_planted_statements(planted):
    data, result = planted
    for group in result.groups:
        planted_group = Counter(data.groups[int(p[1:])] for p in group.participants)
        own = {f"s{j}" for j in data.group_statements[planted_group.most_common(1)[0][0]]}
        agreed = [r.statement for r in group.repness if r.direction == "agree"]
        # The planted statements come first; after them, statements the group leans to more
        # mildly (70 % against 30 to 50 %) are significant too, with 400 participants.
        assert set(agreed[: len(own)]) == own
        for entry in group.repness:
            assert entry.probability_test > 1.2816 and entry.ratio_test > 1.2816


def test_repness_is_capped_with_agreements_first():
    data = synthetic_votes(300, 60, n_groups=2, fill=0.6, seed=8, per_group=8)
    result = opinion_groups(as_matrix(data.values), seed=0)
    for group in result.groups:
        directions = [r.direction for r in group.repness]
        assert 0 < len(directions) <= 5
        assert directions == sorted(directions)  # "agree" < "disagree"


def test_four_and_five_planted_groups_merge_on_the_two_dimensional_map():
    # Pol.is clusters on 2 components: 4 or 5 planted groups partly overlap there, so the
    # groups found are coarser than the planted ones, but never unrelated to them.
    for n_groups in (4, 5):
        data = synthetic_votes(500, 80, n_groups=n_groups, fill=0.6, seed=n_groups)
        result = opinion_groups(as_matrix(data.values), seed=0)
        assert 3 <= result.k <= n_groups
        found = [planted_label(result, f"p{i}") for i in range(len(data.groups))]
        assert adjusted_rand_score(data.groups, found) > 0.6


def test_consensus_picks_what_every_group_agrees_with(planted):
    data, result = planted
    top = [c.statement for c in result.consensus[: len(data.consensus_statements)]]
    assert set(top) == {f"s{j}" for j in data.consensus_statements}
    disagreed = [c.statement for c in result.consensus_disagree[: len(data.divisive_statements)]]
    assert set(disagreed) == {f"s{j}" for j in data.divisive_statements}
    for entry in result.consensus:
        assert all(p > 0.5 for p in entry.probabilities)


def test_groups_partition_the_kept_participants(planted):
    data, result = planted
    members = [p for g in result.groups for p in g.participants]
    assert Counter(members + result.excluded_participants) == Counter(
        f"p{i}" for i in range(len(data.groups))
    )
    assert [g.id for g in result.groups] == list(range(result.k))
    sizes = [len(g.participants) for g in result.groups]
    assert sizes == sorted(sizes, reverse=True)


def test_same_seed_same_groups_whatever_the_order_of_the_votes():
    data = synthetic_votes(300, 60, n_groups=3, fill=0.5, seed=11)
    triples = as_triples(data.values)
    first = opinion_groups(triples, seed=4).to_dict()
    random.Random(0).shuffle(triples)
    assert opinion_groups(triples, seed=4).to_dict() == first


def test_previous_group_ids_follow_their_members():
    data = synthetic_votes(300, 60, n_groups=3, fill=0.5, seed=5)
    first = opinion_groups(as_matrix(data.values), seed=0)
    renamed = {10 + g.id: g.participants for g in first.groups}
    again = opinion_groups(as_matrix(data.values), seed=0, previous=renamed)
    for group in again.groups:
        assert set(group.participants) == set(renamed[group.id])


def test_k_changes_only_after_winning_four_runs_in_a_row():
    # Pol.is's group-k-smoother: a new best k is shown once it has won 4 runs in a row.
    data = synthetic_votes(300, 60, n_groups=3, fill=0.5, seed=5)
    free = opinion_groups(as_matrix(data.values), seed=0)
    assert free.k == 3 and free.k_state.smoothed_k == 3
    state = {"last_k": 2, "last_k_count": 9, "smoothed_k": 2}  # the previous runs chose 2
    shown = []
    for _ in range(4):
        result = opinion_groups(as_matrix(data.values), seed=0, k_state=state)
        state = result.to_dict()["k_state"]
        shown.append(result.k)
    assert shown == [2, 2, 2, 3]


def test_participants_with_fewer_than_7_votes_are_left_out():
    data = synthetic_votes(200, 40, n_groups=2, fill=1.0, seed=2)
    values = data.values.copy()
    values[0, 6:] = np.nan  # 6 votes: out
    values[1, 7:] = np.nan  # 7 votes: in
    values[2, :] = np.nan  # never voted: out
    result = opinion_groups(as_matrix(values), seed=0)
    assert result.excluded_participants == ["p0", "p2"]
    assert "p1" in {p for g in result.groups for p in g.participants}
    assert result.params["participants_kept"] == 198


def test_moderated_statements_are_excluded_from_everything():
    data = synthetic_votes(200, 40, n_groups=2, fill=1.0, seed=3)
    values = data.values.copy()
    values[0, 7:] = np.nan  # 7 votes, one of them on a moderated statement: in, as in Pol.is
    values[1, 6:] = np.nan  # 6 votes: out
    moderated = {f"s{data.consensus_statements[0]}", f"s{data.group_statements[0][0]}", "s6"}
    result = opinion_groups(as_matrix(values), seed=0, moderated_out=moderated)
    assert set(result.excluded_statements) == moderated
    assert result.excluded_participants == ["p1"]
    mentioned = {r.statement for g in result.groups for r in g.repness}
    mentioned |= {c.statement for c in result.consensus + result.consensus_disagree}
    assert not mentioned & moderated
    assert result.params["statements_kept"] == 37


def test_vote_matrix_keeps_the_last_vote_and_rejects_other_values():
    matrix = vote_matrix([("b", 2, 1), ("a", 1, -1), ("b", 2, -1), ("a", 10, 0)])
    assert matrix.participants == ["a", "b"]
    assert matrix.statements == [1, 2, 10]
    np.testing.assert_array_equal(
        matrix.values, np.array([[-1.0, np.nan, 0.0], [np.nan, -1.0, np.nan]])
    )
    with pytest.raises(ValueError, match="agree"):
        vote_matrix([("a", 1, 2)])
    mixed = vote_matrix([(2, "s", 1), ("x", "s", 1), (10, "s", 0)])
    assert mixed.participants == [2, 10, "x"]  # ids keep their type


def test_pol_is_statistics():
    # Pol.is stats.clj: prop-test and two-prop-test, with +1 smoothing on every count.
    assert prop_test(np.array([9.0]), np.array([9.0]))[0] == pytest.approx(2 * np.sqrt(10) * 0.5)
    z = two_prop_test(np.array([15.0]), np.array([56.0]), np.array([24.0]), np.array([71.0]))
    p1, p2, pooled = 16 / 25, 57 / 72, 73 / 97
    expected = (p1 - p2) / np.sqrt(pooled * (1 - pooled) * (1 / 25 + 1 / 72))
    assert z[0] == pytest.approx(expected)


def test_too_few_participants_or_votes():
    empty = opinion_groups([])
    assert empty.k == 0 and empty.groups == []
    alone = opinion_groups([("p", f"s{j}", 1) for j in range(10)])
    assert alone.k == 1 and alone.groups[0].participants == ["p"]


def test_fewer_than_15_in_takes_the_most_active_voters():
    # Pol.is's in-conv: with fewer than 15 participants over the threshold, the most active
    # voters are added until there are 15.
    votes = [(f"p{i}", f"s{j}", 1 if (i + j) % 3 else -1) for i in range(20) for j in range(i)]
    result = opinion_groups(votes, seed=0)
    members = {p for g in result.groups for p in g.participants}
    assert members == {f"p{i}" for i in range(5, 20)}


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 25), st.integers(0, 12), st.sampled_from([-1, 0, 1])),
        max_size=250,
    ),
    st.sets(st.integers(0, 12), max_size=3),
)
def test_groups_always_partition_the_participants_with_enough_votes(votes, moderated):
    result = opinion_groups(votes, moderated_out=moderated)
    last = {(p, s): v for p, s, v in votes}
    counts = Counter(p for (p, s) in last)  # Pol.is counts votes before moderation
    n_statements = len({s for (p, s) in last})
    if not {s for (p, s) in last} - moderated:  # nothing left to group on
        assert result.groups == [] and len(result.excluded_participants) == len(counts)
        return
    kept = {p for p, n in counts.items() if n >= min(7, n_statements)}
    if len(kept) < 15:  # Pol.is then adds the most active voters
        assert {p for g in result.groups for p in g.participants} >= kept
        return
    members = [p for g in result.groups for p in g.participants]
    assert len(members) == len(set(members))
    assert set(members) == kept
    assert 0 <= result.k <= 5
    assert not {r.statement for g in result.groups for r in g.repness} & moderated
