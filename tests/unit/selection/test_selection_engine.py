"""Maximin / LEXIMIN lotteries: known answers, both algorithms, fairness against greedy."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from civic.workshops.selection import (
    InfeasibleQuotasError,
    Quota,
    SelectionProblem,
    estimate_legacy_probabilities,
    find_distribution,
    summarize,
)
from civic.workshops.selection.distribution import distribution_for_pool
from civic.workshops.selection.pool import compile_problem

PATHS = pytest.mark.parametrize("fast_path", [True, False], ids=["relaxation", "colgen"])
METHODS = pytest.mark.parametrize("method", ["leximin", "maximin"])


def solve(problem: SelectionProblem, method: str = "leximin", fast_path: bool = True):
    return distribution_for_pool(compile_problem(problem), method, fast_path=fast_path)  # type: ignore[arg-type]


def meets_quotas(problem: SelectionProblem, panel: list) -> bool:
    """Independent check of a panel (written without the engine's arrays)."""
    if len(panel) != problem.seats or len(set(panel)) != len(panel):
        return False
    for q in problem.quotas:
        seated = sum(1 for p in panel if problem.people[p][q.category] == q.value)
        if not q.min <= seated <= q.max:
            return False
    if problem.households:
        keys = [problem.households[p] for p in panel if p in problem.households]
        if len(keys) != len(set(keys)):
            return False
    return True


def expand(distribution, group_panel) -> list:
    """One concrete panel of a lottery entry (first members of each group)."""
    return [p for g, n in group_panel for p in distribution.groups[g][:n]]


def check_distribution(problem: SelectionProblem, dist) -> None:
    assert math.isclose(sum(dist.probabilities), 1.0, abs_tol=1e-9)
    assert all(p > 0 for p in dist.probabilities)
    for entry in dist.panels:
        assert meets_quotas(problem, expand(dist, entry))
    # the published probabilities are the marginals of the published lottery
    for g, members in enumerate(dist.groups):
        seats = sum(
            p * n
            for entry, p in zip(dist.panels, dist.probabilities, strict=True)
            for gg, n in entry
            if gg == g
        )
        for pid in members:
            assert dist.marginals[pid] == pytest.approx(seats / len(members), abs=1e-9)
    assert sum(dist.marginals.values()) == pytest.approx(problem.seats, abs=1e-6)


def balanced_problem() -> SelectionProblem:
    # 40 volunteers, 10 in each gender x age cell; quotas are exactly a quarter of the pool
    people = {}
    for gender in ("F", "M"):
        for age in ("young", "old"):
            for i in range(10):
                people[f"{gender}{age}{i}"] = {"gender": gender, "age": age}
    quotas = [
        Quota("gender", "F", 5, 5),
        Quota("gender", "M", 5, 5),
        Quota("age", "young", 5, 5),
        Quota("age", "old", 5, 5),
    ]
    return SelectionProblem(people, quotas, 10)


@PATHS
@METHODS
def test_everyone_gets_k_over_n_when_the_quotas_match_the_pool(method, fast_path):
    problem = balanced_problem()
    dist = solve(problem, method, fast_path)
    check_distribution(problem, dist)
    assert all(p == pytest.approx(0.25, abs=1e-7) for p in dist.marginals.values())


@PATHS
@METHODS
def test_an_underrepresented_value_gets_more(method, fast_path):
    # 10 women and 30 men, 5 seats each: women 1/2, men 1/6 whatever the lottery
    people = {f"f{i}": {"g": "F"} for i in range(10)} | {f"m{i}": {"g": "M"} for i in range(30)}
    problem = SelectionProblem(people, [Quota("g", "F", 5, 5), Quota("g", "M", 5, 5)], 10)
    dist = solve(problem, method, fast_path)
    check_distribution(problem, dist)
    for pid, p in dist.marginals.items():
        assert p == pytest.approx(0.5 if pid.startswith("f") else 1 / 6, abs=1e-7)


@PATHS
def test_leximin_raises_the_second_level_where_maximin_need_not(fast_path):
    # 'a' has at most 1 seat for 5 people: nobody can beat 1/5, the maximin. LEXIMIN then
    # shares the 4 other seats equally among the 15 others: 4/15 each.
    people = {f"a{i}": {"g": "a"} for i in range(5)}
    people |= {f"b{i}": {"g": "b"} for i in range(5)} | {f"c{i}": {"g": "c"} for i in range(10)}
    quotas = [Quota("g", "a", 0, 1), Quota("g", "b", 0, 5), Quota("g", "c", 0, 5)]
    problem = SelectionProblem(people, quotas, 5)
    leximin = solve(problem, "leximin", fast_path)
    check_distribution(problem, leximin)
    for pid, p in leximin.marginals.items():
        assert p == pytest.approx(0.2 if pid.startswith("a") else 4 / 15, abs=1e-7)
    maximin = solve(problem, "maximin", fast_path)
    check_distribution(problem, maximin)
    assert summarize(maximin.marginals).minimum == pytest.approx(0.2, abs=1e-7)


@PATHS
def test_forced_volunteers_and_excluded_values(fast_path):
    # the only "x" must sit (min 1); nobody with "z" may (max 0)
    people = {"x": {"g": "x"}} | {f"y{i}": {"g": "y"} for i in range(6)}
    people |= {f"z{i}": {"g": "z"} for i in range(3)}
    quotas = [Quota("g", "x", 1, 1), Quota("g", "y", 0, 5), Quota("g", "z", 0, 0)]
    problem = SelectionProblem(people, quotas, 3)
    dist = solve(problem, "leximin", fast_path)
    check_distribution(problem, dist)
    assert dist.marginals["x"] == pytest.approx(1.0)
    assert all(dist.marginals[f"y{i}"] == pytest.approx(2 / 6) for i in range(6))
    assert sorted(dist.excluded) == ["z0", "z1", "z2"]
    assert all(dist.marginals[f"z{i}"] == 0 for i in range(3))
    maximin = solve(problem, "maximin", fast_path)
    # the maximin is taken over volunteers who can sit at all
    assert min(p for pid, p in maximin.marginals.items() if pid[0] != "z") == pytest.approx(1 / 3)


def test_interchangeable_volunteers_share_one_group():
    problem = balanced_problem()
    dist = find_distribution(problem)
    assert dist.stats is not None and dist.stats.groups == 4
    assert sorted(len(g) for g in dist.groups) == [10, 10, 10, 10]


def test_households_hold_at_most_one_seat():
    # two households of two; a panel of 2 must take one person from each
    people = {p: {"g": "all"} for p in ("a1", "a2", "b1", "b2")}
    households = {"a1": "1 rue A", "a2": "1 rue A", "b1": "2 rue B", "b2": "2 rue B"}
    problem = SelectionProblem(people, [Quota("g", "all", 0, 2)], 2, households)
    for fast_path in (True, False):
        dist = solve(problem, "leximin", fast_path)
        check_distribution(problem, dist)
        for entry in dist.panels:
            panel = expand(dist, entry)
            assert {households[p] for p in panel} == {"1 rue A", "2 rue B"}
        assert all(p == pytest.approx(0.5) for p in dist.marginals.values())


# --- random small problems: both algorithms agree, and every lottery is valid ------------------

CATEGORY_VALUES = {
    "commune": ("N", "S", "E"),
    "age": ("18-34", "35-59", "60+"),
    "genre": ("F", "H"),
}


@st.composite
def problems(draw, households: bool = False) -> SelectionProblem:
    categories = draw(
        st.lists(st.sampled_from(sorted(CATEGORY_VALUES)), min_size=1, max_size=3, unique=True)
    )
    n = draw(st.integers(6, 18))
    people = {
        f"p{i:02d}": {c: draw(st.sampled_from(CATEGORY_VALUES[c])) for c in categories}
        for i in range(n)
    }
    seats = draw(st.integers(2, min(7, n - 1)))
    keys: dict[str, str] = {}
    if households:
        keys = {pid: f"addr{draw(st.integers(0, n // 2 + 1))}" for pid in people}
    # quotas around a witness panel (with distinct addresses) so that most draws are feasible
    order = draw(st.permutations(sorted(people)))
    witness, seen = [], set()
    for pid in order:
        if len(witness) < seats and keys.get(pid, pid) not in seen:
            witness.append(pid)
            seen.add(keys.get(pid, pid))
    assume(len(witness) == seats)
    quotas = []
    for c in categories:
        for v in CATEGORY_VALUES[c]:
            count = sum(1 for p in witness if people[p][c] == v)
            quotas.append(
                Quota(
                    c, v, max(0, count - draw(st.integers(0, 1))), count + draw(st.integers(0, 2))
                )
            )
    return SelectionProblem(people, quotas, seats, keys or None)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(problems())
def test_relaxation_and_column_generation_find_the_same_leximin(problem):
    fast = solve(problem, "leximin", True)
    slow = solve(problem, "leximin", False)
    check_distribution(problem, fast)
    check_distribution(problem, slow)
    # the LEXIMIN probabilities are unique
    for pid in problem.people:
        assert fast.marginals[pid] == pytest.approx(slow.marginals[pid], abs=2e-5)
    maximin = solve(problem, "maximin", True)
    check_distribution(problem, maximin)
    assert min(maximin.marginals.values()) == pytest.approx(min(fast.marginals.values()), abs=2e-5)


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(problems(households=True))
def test_household_limit_holds_in_every_lottery(problem):
    try:
        dist = find_distribution(problem)
    except InfeasibleQuotasError:
        assume(False)
    check_distribution(problem, dist)


# --- fairness against the greedy baseline -----------------------------------------------------


def biased_problem(n: int = 80, seats: int = 12, seed: int = 3) -> SelectionProblem:
    """A self-selected pool: the young and the 'S' commune volunteer less than they live."""
    rng = np.random.default_rng(seed)
    people = {}
    for i in range(n):
        people[f"v{i:03d}"] = {
            "age": str(rng.choice(["18-34", "35-59", "60+"], p=[0.15, 0.35, 0.5])),
            "commune": str(rng.choice(["N", "S", "E"], p=[0.5, 0.15, 0.35])),
            "genre": str(rng.choice(["F", "H"], p=[0.45, 0.55])),
        }
    shares = {
        "18-34": 0.3,
        "35-59": 0.4,
        "60+": 0.3,
        "N": 0.4,
        "S": 0.3,
        "E": 0.3,
        "F": 0.5,
        "H": 0.5,
    }
    quotas = [
        Quota(c, v, math.floor(shares[v] * seats), math.ceil(shares[v] * seats) + 1)
        for c in ("age", "commune", "genre")
        for v in sorted({p[c] for p in people.values()})
    ]
    return SelectionProblem(people, quotas, seats)


def test_leximin_minimum_is_at_least_the_greedy_minimum():
    problem = biased_problem()
    leximin = find_distribution(problem, "leximin")
    runs = 1500
    greedy = estimate_legacy_probabilities(problem, runs=runs, seed=1)
    lo = summarize(leximin.marginals).minimum
    g = summarize(greedy.marginals).minimum
    noise = 3 * math.sqrt(max(g * (1 - g), 1e-4) / runs)
    assert lo >= g - noise
    assert lo > 0


def test_greedy_estimate_is_a_probability_vector():
    problem = biased_problem()
    greedy = estimate_legacy_probabilities(problem, runs=200, seed=2)
    assert sum(greedy.marginals.values()) == pytest.approx(problem.seats)
    assert greedy.runs == 200


def test_time_limit_still_gives_a_valid_lottery():
    problem = biased_problem()
    dist = distribution_for_pool(
        compile_problem(problem), "leximin", fast_path=False, time_limit=0.0
    )
    check_distribution(problem, dist)
    assert dist.stats is not None and not dist.stats.optimal


def test_the_lottery_is_deterministic_and_independent_of_input_order():
    problem = biased_problem()
    reordered = SelectionProblem(
        dict(reversed(list(problem.people.items()))), problem.quotas, problem.seats
    )
    a, b = find_distribution(problem), find_distribution(reordered)
    assert a.panels == b.panels and a.probabilities == b.probabilities
