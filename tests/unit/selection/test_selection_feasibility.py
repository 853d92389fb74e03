"""Infeasible quotas name the quota at fault; malformed input is refused clearly."""

from __future__ import annotations

import pytest

from civic.core.catalogues import french_spacing as fr
from civic.workshops.selection import (
    InfeasibleQuotasError,
    InvalidSelectionDataError,
    Quota,
    SelectionProblem,
    check_feasibility,
    run_selection,
)


def pool(cells: dict[tuple[str, str], int]) -> dict[str, dict[str, str]]:
    """Volunteers by (gender, age) cell counts."""
    people = {}
    for (gender, age), count in cells.items():
        for i in range(count):
            people[f"{gender}-{age}-{i}"] = {"gender": gender, "age": age}
    return people


PEOPLE = pool({("F", "young"): 1, ("F", "old"): 5, ("M", "young"): 5, ("M", "old"): 5})
OPEN = [
    Quota("gender", "F", 0, 10),
    Quota("gender", "M", 0, 10),
    Quota("age", "young", 0, 10),
    Quota("age", "old", 0, 10),
]


def with_quota(**changes: tuple[int, int]) -> list[Quota]:
    out = []
    for q in OPEN:
        lo, hi = changes.get(q.value, (q.min, q.max))
        out.append(Quota(q.category, q.value, lo, hi))
    return out


def issues_of(problem: SelectionProblem):
    with pytest.raises(InfeasibleQuotasError) as caught:
        check_feasibility(problem)
    return caught.value.issues, str(caught.value)


def test_feasible_quotas_pass():
    check_feasibility(SelectionProblem(PEOPLE, with_quota(F=(2, 3), young=(1, 2)), 4))


def test_a_minimum_above_the_volunteers_with_that_value():
    issues, message = issues_of(SelectionProblem(PEOPLE, with_quota(young=(7, 10)), 8))
    assert [(i.label, i.bound, i.suggested) for i in issues] == [("age=young", "min", 6)]
    assert "age=young" in message and "only 6 volunteers" in message


def test_minimums_of_a_category_above_the_seats():
    issues, message = issues_of(SelectionProblem(PEOPLE, with_quota(F=(3, 10), M=(3, 10)), 5))
    assert [(i.label, i.bound) for i in issues] == [("gender", "min")]
    assert "minimums of category gender add up to 6, more than the 5 seats" in message


def test_maximums_of_a_category_below_the_seats():
    issues, message = issues_of(SelectionProblem(PEOPLE, with_quota(young=(0, 1), old=(0, 2)), 4))
    assert [(i.label, i.bound) for i in issues] == [("age", "max")]
    assert "add up to 3, fewer than the 4 seats" in message


def test_more_seats_than_volunteers():
    issues, message = issues_of(SelectionProblem(PEOPLE, OPEN, 17))
    assert issues[0].bound == "seats" and "only 16 volunteers" in message


def test_quotas_that_only_clash_together_name_one_of_them():
    # 3 women and 3 young among 4 seats needs 2 young women; only one volunteered
    issues, message = issues_of(SelectionProblem(PEOPLE, with_quota(F=(3, 4), young=(3, 4)), 4))
    assert len(issues) == 1
    (issue,) = issues
    assert issue.label in {"gender=F", "age=young"}
    assert (issue.bound, issue.current, issue.suggested) == ("min", 3, 2)
    assert f"quota {issue.label}: the minimum of 3 cannot be met" in message


def test_a_clashing_maximum_is_named_with_its_fix():
    # at most 1 man and at most 1 old person among 4 seats, but only 1 young woman exists
    issues, _ = issues_of(SelectionProblem(PEOPLE, with_quota(M=(0, 1), old=(0, 1)), 4))
    assert {i.bound for i in issues} == {"max"}
    assert {i.label for i in issues} <= {"gender=M", "age=old"}
    total_raise = sum(i.suggested - i.current for i in issues)
    assert total_raise == 1


def test_households_count_once_in_the_checks():
    people = {p: {"g": "x"} for p in ("a1", "a2", "b1")}
    households = {"a1": "A", "a2": "A", "b1": "B"}
    issues, message = issues_of(SelectionProblem(people, [Quota("g", "x", 0, 3)], 3, households))
    assert issues[0].bound == "seats" and "one per shared address" in message


def test_run_selection_raises_the_same_error():
    with pytest.raises(InfeasibleQuotasError, match="age=young"):
        run_selection(SelectionProblem(PEOPLE, with_quota(young=(7, 10)), 8), seed=1)


@pytest.mark.parametrize(
    ("quotas", "seats", "people", "message"),
    [
        ([Quota("gender", "F", 3, 2)], 2, None, "minimum 3 au-dessus du maximum 2"),
        ([Quota("gender", "F", 0, 2), Quota("gender", "F", 0, 2)], 2, None, "donné deux fois"),
        ([Quota("gender", "F", -1, 2)], 2, None, "négatif"),
        (OPEN, 0, None, "doit être positif"),
        ([Quota("gender", "F", 0, 5)], 2, None, "aucun quota ne cite"),
        (OPEN, 2, {"x": {"gender": "F"}}, "pas de valeur pour la catégorie « age »"),
        ([], 2, None, "au moins un quota"),
    ],
)
def test_malformed_input_is_refused(quotas, seats, people, message):
    with pytest.raises(InvalidSelectionDataError, match=fr(message)):
        check_feasibility(SelectionProblem(people or PEOPLE, quotas, seats))
