"""Stable identity of groups between two runs of an analysis.

A new run gives new groups; the officials' answers are attached to the ids of the old ones.
Each new group takes the id of the old group it shares the most members with (Hungarian
matching, so that two new groups never take the same id), provided the overlap is large enough
to be the same group; the others get fresh ids.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping, Sequence

import numpy as np
from scipy.optimize import linear_sum_assignment


def match_groups(
    previous: Mapping[int, Collection[Hashable]],
    current: Sequence[Collection[Hashable]],
    *,
    min_overlap: float = 0.5,
    reserved_ids: Collection[int] = (),
) -> list[int]:
    """Id for each group of `current`, reusing the ids of `previous` where groups match.

    Matching maximises the total number of shared members. A pair is kept when the shared
    members are at least `min_overlap` of the smaller of the two groups (the overlap
    coefficient): a group that grew with new members, or lost some, keeps its id; a group that
    shares a handful of members by chance does not. Fresh ids continue after the largest id in
    `previous` and `reserved_ids` (the frozen groups), in the order of `current`.
    """
    previous_ids = list(previous)
    old_sets = [set(previous[i]) for i in previous_ids]
    new_sets = [set(g) for g in current]
    assigned: list[int | None] = [None] * len(new_sets)

    if old_sets and new_sets:
        # One pass over the members (groups can have tens of thousands of them). A member
        # listed in two old groups counts for the last one only.
        old_group_of = {member: j for j, old in enumerate(old_sets) for member in old}
        overlap = np.zeros((len(new_sets), len(old_sets)), dtype=np.int64)
        for i, new in enumerate(new_sets):
            for member in new:
                j = old_group_of.get(member)
                if j is not None:
                    overlap[i, j] += 1
        rows, cols = linear_sum_assignment(overlap, maximize=True)
        for i, j in zip(rows, cols, strict=True):
            smaller = min(len(new_sets[i]), len(old_sets[j]))
            if overlap[i, j] > 0 and overlap[i, j] >= min_overlap * smaller:
                assigned[i] = previous_ids[j]

    next_id = max([*previous_ids, *reserved_ids], default=-1) + 1
    ids: list[int] = []
    for found in assigned:
        if found is None:
            found, next_id = next_id, next_id + 1
        ids.append(found)
    return ids
