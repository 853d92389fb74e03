"""Compile a SelectionProblem into arrays: quota rows and groups of interchangeable volunteers."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from civic.cli_i18n import _c, _cn

from .model import InvalidSelectionDataError, PersonId, Quota, SelectionProblem, id_sort_key

IntArray = NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class Pool:
    """Array view of a problem.

    Volunteers are indexed in canonical id order. A group gathers volunteers with the same value
    in every quota category; a volunteer who shares an address with another volunteer gets a
    group of their own, so that the household rows can name them.
    """

    ids: tuple[PersonId, ...]
    index: dict[PersonId, int]
    seats: int
    quotas: tuple[Quota, ...]
    categories: tuple[str, ...]
    person_rows: IntArray  # (people, categories): quota row of each person's value
    qmin: IntArray  # (rows,)
    qmax: IntArray  # (rows,)
    group_of: IntArray  # (people,)
    group_members: tuple[IntArray, ...]  # person indices, canonical order
    group_size: IntArray  # (groups,)
    group_rows: IntArray  # (groups, categories)
    membership: NDArray[np.float64]  # (rows, groups) 1 where the group has the quota's value
    household_of_person: IntArray  # (people,) index among shared households, -1 if alone
    household_of_group: IntArray  # (groups,)
    households: tuple[IntArray, ...]  # group indices of each shared household

    @property
    def n_people(self) -> int:
        return len(self.ids)

    @property
    def n_groups(self) -> int:
        return len(self.group_members)

    def constraint_matrix(self) -> sparse.csr_matrix:
        """Rows: seat total, then quota rows, then one row per shared household."""
        rows = [np.ones((1, self.n_groups)), self.membership]
        hh = np.zeros((len(self.households), self.n_groups))
        for h, members in enumerate(self.households):
            hh[h, members] = 1.0
        rows.append(hh)
        return sparse.csr_matrix(np.vstack(rows))

    def constraint_bounds(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        n_hh = len(self.households)
        lower = np.concatenate([[self.seats], self.qmin, np.zeros(n_hh)]).astype(float)
        upper = np.concatenate([[self.seats], self.qmax, np.ones(n_hh)]).astype(float)
        return lower, upper

    def household_seats(self, counts: IntArray) -> IntArray:
        """Seats per shared household of a panel given by group counts."""
        inside = self.household_of_group >= 0
        return np.bincount(
            self.household_of_group[inside],
            weights=counts[inside],
            minlength=len(self.households),
        ).astype(np.int64)

    def household_seats_fractional(self, expected: NDArray[np.float64]) -> NDArray[np.float64]:
        inside = self.household_of_group >= 0
        return np.bincount(
            self.household_of_group[inside],
            weights=expected[inside],
            minlength=len(self.households),
        )

    def counts_of_panel(self, people: list[int] | IntArray) -> IntArray:
        return np.bincount(
            self.group_of[np.asarray(people, dtype=np.int64)], minlength=self.n_groups
        )

    def panel_meets_quotas(self, people: list[int] | IntArray) -> bool:
        people = np.asarray(people, dtype=np.int64)
        if len(people) != self.seats or len(set(people.tolist())) != len(people):
            return False
        counts = np.bincount(self.person_rows[people].ravel(), minlength=len(self.qmin))
        if np.any(counts < self.qmin) or np.any(counts > self.qmax):
            return False
        hh = self.household_of_person[people]
        hh = hh[hh >= 0]
        return len(hh) == len(set(hh.tolist()))


def _as_int(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise InvalidSelectionDataError(
            _c("%(what)s doit être un nombre entier, pas « %(value)s »", what=what, value=value)
        )
    return int(value)


def compile_problem(problem: SelectionProblem) -> Pool:
    """Validate the problem and build its array view (raises InvalidSelectionDataError)."""
    seats = _as_int(problem.seats, _c("le nombre de places"))
    if seats <= 0:
        raise InvalidSelectionDataError(
            _c("le nombre de places doit être positif, pas %(seats)s", seats=seats)
        )
    if not problem.quotas:
        raise InvalidSelectionDataError(_c("il faut au moins un quota"))

    quotas: list[Quota] = []
    row_of: dict[tuple[str, str], int] = {}
    categories: list[str] = []
    for quota in problem.quotas:
        q = Quota(
            str(quota.category),
            str(quota.value),
            _as_int(quota.min, _c("le minimum de %(quota)s", quota=quota.label)),
            _as_int(quota.max, _c("le maximum de %(quota)s", quota=quota.label)),
        )
        if (q.category, q.value) in row_of:
            raise InvalidSelectionDataError(_c("quota %(quota)s donné deux fois", quota=q.label))
        if q.min < 0:
            raise InvalidSelectionDataError(
                _c("quota %(quota)s : minimum %(min)s négatif", quota=q.label, min=q.min)
            )
        if q.min > q.max:
            raise InvalidSelectionDataError(
                _c(
                    "quota %(quota)s : minimum %(min)s au-dessus du maximum %(max)s",
                    quota=q.label,
                    min=q.min,
                    max=q.max,
                )
            )
        row_of[(q.category, q.value)] = len(quotas)
        quotas.append(q)
        if q.category not in categories:
            categories.append(q.category)

    try:
        ids = tuple(sorted(problem.people, key=id_sort_key))
    except TypeError as exc:
        raise InvalidSelectionDataError(str(exc)) from exc
    if not ids:
        raise InvalidSelectionDataError(_c("aucun volontaire"))
    index = {pid: i for i, pid in enumerate(ids)}

    person_rows = np.empty((len(ids), len(categories)), dtype=np.int64)
    unknown: dict[tuple[str, str], list[PersonId]] = {}
    missing: dict[str, list[PersonId]] = {}
    for i, pid in enumerate(ids):
        values = problem.people[pid]
        for j, category in enumerate(categories):
            if category not in values or values[category] is None:
                missing.setdefault(category, []).append(pid)
                continue
            value = str(values[category])
            row = row_of.get((category, value))
            if row is None:
                unknown.setdefault((category, value), []).append(pid)
                continue
            person_rows[i, j] = row
    if missing:
        category, who = next(iter(missing.items()))
        raise InvalidSelectionDataError(
            _cn(
                "%(num)s volontaire n'a pas de valeur pour la catégorie « %(category)s » (%(who)s)",
                "%(num)s volontaires n'ont pas de valeur pour la catégorie « %(category)s » "
                "(par exemple %(who)s)",
                len(who),
                category=category,
                who=_sample(who),
            )
        )
    if unknown:
        problems = "; ".join(
            _c(
                "%(category)s=%(value)s pour %(who)s",
                category=category, value=value,
                who=_sample(who),
            )
            for (category, value), who in list(unknown.items())[:5]
        )
        raise InvalidSelectionDataError(
            _c(
                "des volontaires ont une valeur qu'aucun quota ne cite (ajoutez-lui une ligne de "
                "quota, avec un minimum de 0 si elle est libre) : %(problems)s",
                problems=problems,
            )
        )

    # Shared households: only addresses with two or more volunteers constrain anything.
    household_of_person = np.full(len(ids), -1, dtype=np.int64)
    if problem.households:
        by_key: dict[str, list[int]] = {}
        for pid, key in problem.households.items():
            if pid in index and key is not None and str(key).strip():
                by_key.setdefault(str(key).strip(), []).append(index[pid])
        shared = sorted((sorted(v) for v in by_key.values() if len(v) > 1), key=lambda v: v[0])
        for h, members in enumerate(shared):
            household_of_person[members] = h

    # Groups of interchangeable volunteers, numbered by their first member.
    group_key: dict[tuple[int, ...], int] = {}
    group_of = np.empty(len(ids), dtype=np.int64)
    members: list[list[int]] = []
    for i in range(len(ids)):
        key = tuple(person_rows[i].tolist())
        if household_of_person[i] >= 0:
            key = (*key, -1 - i)  # alone in its group
        g = group_key.setdefault(key, len(members))
        if g == len(members):
            members.append([])
        members[g].append(i)
        group_of[i] = g
    group_members = tuple(np.array(m, dtype=np.int64) for m in members)
    group_size = np.array([len(m) for m in members], dtype=np.int64)
    group_rows = person_rows[[m[0] for m in members]]
    membership = np.zeros((len(quotas), len(members)))
    for j in range(len(categories)):
        membership[group_rows[:, j], np.arange(len(members))] = 1.0
    household_of_group = household_of_person[[m[0] for m in members]]
    n_households = int(household_of_person.max()) + 1
    households = tuple(
        np.flatnonzero(household_of_group == h).astype(np.int64) for h in range(n_households)
    )

    return Pool(
        ids=ids,
        index=index,
        seats=seats,
        quotas=tuple(quotas),
        categories=tuple(categories),
        person_rows=person_rows,
        qmin=np.array([q.min for q in quotas], dtype=np.int64),
        qmax=np.array([q.max for q in quotas], dtype=np.int64),
        group_of=group_of,
        group_members=group_members,
        group_size=group_size,
        group_rows=group_rows,
        membership=membership,
        household_of_person=household_of_person,
        household_of_group=household_of_group,
        households=households,
    )


def _sample(ids: list[PersonId], limit: int = 3) -> str:
    shown = ", ".join(str(i) for i in ids[:limit])
    return shown + (", ..." if len(ids) > limit else "")
