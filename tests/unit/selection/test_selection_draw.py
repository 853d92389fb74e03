"""Drawing panels: quotas always met, frequencies as published, seeds, reserve and replacement."""

from __future__ import annotations

import json
import math
from collections import Counter

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from civic.workshops.selection import (
    InfeasibleQuotasError,
    NoReplacementError,
    PanelDistribution,
    Quota,
    SelectionError,
    SelectionProblem,
    composition,
    draw_panel,
    find_distribution,
    legacy_panel,
    replace,
    replacement_candidates,
    replacement_table,
    reserve_order,
    run_selection,
)


def meets_quotas(problem: SelectionProblem, panel) -> bool:
    if len(panel) != problem.seats or len(set(panel)) != len(panel):
        return False
    for q in problem.quotas:
        seated = sum(1 for p in panel if problem.people[p][q.category] == q.value)
        if not q.min <= seated <= q.max:
            return False
    if problem.households:
        keys = [problem.households[p] for p in panel if p in problem.households]
        return len(keys) == len(set(keys))
    return True


VALUES = {"a": ("1", "2", "3"), "b": ("x", "y")}


@st.composite
def problems(draw) -> SelectionProblem:
    """Random pools, with quotas widened around a witness panel so most of them are feasible."""
    n = draw(st.integers(4, 16))
    categories = draw(st.lists(st.sampled_from(["a", "b"]), min_size=1, max_size=2, unique=True))
    people = {f"v{i}": {c: draw(st.sampled_from(VALUES[c])) for c in categories} for i in range(n)}
    households = None
    if draw(st.booleans()):
        households = {p: f"h{draw(st.integers(0, n))}" for p in people}
    seats = draw(st.integers(1, n))
    witness: list[str] = []
    for pid in draw(st.permutations(sorted(people))):
        taken = {households[w] for w in witness} if households else set()
        if len(witness) < seats and (not households or households[pid] not in taken):
            witness.append(pid)
    seats = len(witness)
    quotas = []
    for c in categories:
        for v in VALUES[c]:
            count = sum(1 for p in witness if people[p][c] == v)
            low = max(0, count - draw(st.integers(0, 2)))
            quotas.append(Quota(c, v, low, count + draw(st.integers(0, 3))))
    return SelectionProblem(people, quotas, seats, households)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(problems(), st.integers(0, 2**32))
def test_every_drawn_panel_meets_the_quotas(problem, seed):
    try:
        result = run_selection(problem, seed=seed)
    except InfeasibleQuotasError:
        assume(False)
    assert meets_quotas(problem, result.panel)
    for extra_seed in range(5):
        assert meets_quotas(problem, draw_panel(result.distribution, seed + extra_seed))
    assert set(result.reserve).isdisjoint(result.panel)
    assert len(result.reserve) + len(result.panel) + len(result.distribution.excluded) == len(
        problem.people
    )


def biased_problem() -> SelectionProblem:
    people = {}
    cells = {("F", "young"): 3, ("F", "old"): 9, ("M", "young"): 6, ("M", "old"): 12}
    for (g, a), count in cells.items():
        for i in range(count):
            people[f"{g}{a}{i}"] = {"gender": g, "age": a}
    quotas = [
        Quota("gender", "F", 3, 4),
        Quota("gender", "M", 3, 4),
        Quota("age", "young", 3, 3),
        Quota("age", "old", 3, 4),
    ]
    return SelectionProblem(people, quotas, 7)


def test_empirical_frequencies_match_the_published_probabilities():
    problem = biased_problem()
    dist = find_distribution(problem)
    draws = 4000
    counts = Counter(p for seed in range(draws) for p in draw_panel(dist, seed))
    for pid, p in dist.marginals.items():
        sigma = math.sqrt(p * (1 - p) / draws)
        # 4.5 sigma per volunteer: a false alarm over 30 volunteers is about 1 in 10,000
        assert abs(counts[pid] / draws - p) <= 4.5 * sigma + 1e-9, pid


def test_same_seed_same_panel_and_reserve():
    problem = biased_problem()
    a, b = run_selection(problem, seed=20260315), run_selection(problem, seed=20260315)
    assert a.panel == b.panel and a.reserve == b.reserve
    assert draw_panel(a.distribution, 20260315) == a.panel
    assert reserve_order(a.distribution, a.panel, 20260315) == a.reserve
    panels = {run_selection(problem, seed=s).panel for s in range(8)}
    assert len(panels) > 1


def test_bad_seeds_are_refused():
    dist = find_distribution(biased_problem())
    for seed in (-1, 1.5, "7", True):
        with pytest.raises(ValueError, match="seed"):
            draw_panel(dist, seed)  # type: ignore[arg-type]


def test_replacement_keeps_every_quota():
    problem = biased_problem()
    result = run_selection(problem, seed=7)
    for declined in result.panel:
        substitute = replace(problem, result.panel, declined, result.reserve)
        new_panel = [p for p in result.panel if p != declined] + [substitute]
        assert meets_quotas(problem, new_panel)
        # first suitable one in reserve order
        candidates = replacement_candidates(problem, result.panel, declined, result.reserve)
        assert candidates[0] == substitute
        ranks = [result.reserve.index(c) for c in candidates]
        assert ranks == sorted(ranks)


def test_replacement_skips_people_who_already_said_no():
    problem = biased_problem()
    result = run_selection(problem, seed=3)
    declined = result.panel[0]
    first = replace(problem, result.panel, declined, result.reserve)
    second = replace(problem, result.panel, declined, result.reserve, unavailable={first})
    assert second != first
    assert meets_quotas(problem, [p for p in result.panel if p != declined] + [second])


def test_no_replacement_names_the_missing_quota():
    # exactly one young seat and the only two young volunteers: if the young one declines,
    # the other young volunteer is unavailable and nobody else fits
    people = {"y1": {"age": "young"}, "y2": {"age": "young"}}
    people |= {f"o{i}": {"age": "old"} for i in range(5)}
    quotas = [Quota("age", "young", 1, 1), Quota("age", "old", 2, 2)]
    problem = SelectionProblem(people, quotas, 3)
    result = run_selection(problem, seed=11)
    young = next(p for p in result.panel if p.startswith("y"))
    other_young = "y2" if young == "y1" else "y1"
    assert replace(problem, result.panel, young, result.reserve) == other_young
    with pytest.raises(NoReplacementError, match=r"age=young \(has 0, min 1\)"):
        replace(problem, result.panel, young, result.reserve, unavailable={other_young})
    with pytest.raises(SelectionError, match="not on the panel"):
        replace(problem, result.panel, other_young, result.reserve)


def test_replacement_respects_households():
    people = {p: {"g": "x"} for p in ("a1", "a2", "b1", "c1")}
    households = {"a1": "A", "a2": "A", "b1": "B", "c1": "C"}
    problem = SelectionProblem(people, [Quota("g", "x", 0, 2)], 2, households)
    panel = ("a1", "b1")
    assert replace(problem, panel, "b1", ["a2", "c1"]) == "c1"
    assert replace(problem, panel, "a1", ["a2", "c1"]) == "a2"


def test_replacement_table_lists_candidates_per_member():
    problem = biased_problem()
    result = run_selection(problem, seed=5)
    table = replacement_table(problem, result.panel, result.reserve, per_person=2)
    assert set(table) == set(result.panel)
    assert all(1 <= len(v) <= 2 for v in table.values())


def test_composition_for_the_audit_page():
    problem = biased_problem()
    result = run_selection(problem, seed=5)
    rows = composition(problem, result.panel, result.marginals)
    by_value = {r.value: r for r in rows}
    assert by_value["young"].pool == 9 and by_value["young"].panel == 3
    assert by_value["young"].expected == pytest.approx(3.0)
    assert sum(r.panel for r in rows if r.category == "gender") == problem.seats
    assert all(r.min <= r.panel <= r.max for r in rows)


def test_legacy_panel_meets_the_quotas():
    problem = biased_problem()
    for seed in range(5):
        assert meets_quotas(problem, legacy_panel(problem, seed))


@pytest.mark.parametrize("int_ids", [False, True])
def test_a_published_lottery_replays_the_same_draw(int_ids):
    problem = biased_problem()
    if int_ids:
        people = {n: v for n, v in enumerate(problem.people.values())}
        problem = SelectionProblem(people, problem.quotas, problem.seats)
    result = run_selection(problem, seed=123)
    published = json.dumps(result.distribution.as_dict())
    replayed = PanelDistribution.from_dict(json.loads(published))
    assert replayed == result.distribution
    assert draw_panel(replayed, 123) == result.panel
    assert reserve_order(replayed, result.panel, 123) == result.reserve
