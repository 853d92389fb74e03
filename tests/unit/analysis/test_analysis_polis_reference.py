"""Civic's opinion groups against Pol.is's own output on three public conversations.

Data: /work/shared/data/polis/ (see its README). Data was gathered using the Polis software
(compdemocracy.org/polis) and is sub-licensed under CC BY 4.0 with Attribution to The
Computational Democracy Project.

Measured at seed 0 (adjusted Rand index against Pol.is's `group-id`):
- brexit-consensus: 0.876 on the participants with 7 votes or more, 0.881 when Pol.is's own set
  of included participants is passed as `previously_included` (the same at seeds 0, 1 and 2);
  red-dwarf 0.4.0 gets 0.636 on the same votes. Asserted at 0.85: the grouping is stable there
  (2 groups at every seed, as Pol.is found), but Pol.is's k-means starts from the previous
  run's centres, so a few participants between the two groups fall on the other side.
  Measured: Pol.is's own grouping is not a k-means fixed point on the final votes. From the
  centres of Pol.is's own two groups on the final map, one assignment step moves 6 of the 197
  participants to the other group (ARI 0.881 against Pol.is's), and k-means converges there:
  no run on these votes without Pol.is's history can keep its grouping (see the test below).
  Pol.is's own first-distinct-points start gives 0.876 or 0.896 depending on the map's seed;
  replaying the votes in time order with warm starts (every 50 to 500 votes) settles on 4 or 5
  groups, as the schedule of Pol.is's runs is not in the export.
- football-concussions (0.14 / 0.50) and scoop-hivemind.ubi (0.10 / 0.06): not asserted, as
  Pol.is's grouping there is not a stable function of the final votes. Its included set carries
  its history (842 and 60 participants with fewer than 7 votes kept from earlier runs, since
  once in, always in), its k carries the smoother's memory and its centres the last run's;
  on the final votes, the silhouettes of k = 2 to 5 lie within 0.03 of each other on
  football-concussions, and on scoop-hivemind.ubi one of Pol.is's four groups (113 people) is
  made of participants with a median of 6 votes. No cut of the votes in time (20 % to 100 %)
  reproduces either grouping (ARI at most 0.41).
"""

from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from civic.analysis.pipeline import opinion_groups, vote_matrix
from civic.analysis.pipeline.opinions import select_repness
from civic.analysis.pipeline.polis_export import ATTRIBUTION, read_polis_export

DATA = Path("/work/shared/data/polis")
CONVERSATIONS = ["brexit-consensus", "football-concussions", "scoop-hivemind.ubi"]
COUNTS = ("n_agree", "n_disagree", "n_seen")
pytestmark = pytest.mark.skipif(not DATA.is_dir(), reason="Pol.is open data not available")


def members(result):
    return {p: g.id for g in result.groups for p in g.participants}


def ari(reference, labels):
    common = [p for p in labels if p in reference]
    return adjusted_rand_score([reference[p] for p in common], [labels[p] for p in common])


@pytest.mark.parametrize("name", CONVERSATIONS)
def test_included_participants_are_pol_is_s(name):
    export = read_polis_export(DATA / name)
    matrix = vote_matrix(export.votes)
    counts = dict(zip(matrix.participants, (~np.isnan(matrix.values)).sum(axis=1), strict=True))
    result = opinion_groups(matrix, moderated_out=export.moderated_out, seed=0)
    enough = {p for p, n in counts.items() if n >= 7}
    # Everyone Pol.is grouped with 7 votes or more is in, and nobody else from the final votes.
    assert set(members(result)) == enough == {p for p in export.groups if counts[p] >= 7}
    # Pol.is keeps whoever was in before: given its set, Civic includes exactly the same people.
    again = opinion_groups(
        matrix, moderated_out=export.moderated_out, seed=0, previously_included=export.groups
    )
    assert set(members(again)) == set(export.groups)


def test_brexit_groups_are_pol_is_s():
    export = read_polis_export(DATA / "brexit-consensus")
    result = opinion_groups(export.votes, moderated_out=export.moderated_out, seed=0)
    assert result.k == len(set(export.groups.values())) == 2
    assert ari(export.groups, members(result)) >= 0.85
    same_set = opinion_groups(
        export.votes,
        moderated_out=export.moderated_out,
        seed=0,
        previously_included=export.groups,
    )
    assert ari(export.groups, members(same_set)) >= 0.85


def test_moderated_out_statements_are_never_shown():
    export = read_polis_export(DATA / "football-concussions")
    assert len(export.moderated_out) == 137
    result = opinion_groups(export.votes, moderated_out=export.moderated_out, seed=0)
    shown = {r.statement for g in result.groups for r in g.repness}
    shown |= {c.statement for c in result.consensus + result.consensus_disagree}
    assert shown and not shown & export.moderated_out
    assert "Computational Democracy Project" in ATTRIBUTION


def test_no_statement_distinguishes_two_groups():
    export = read_polis_export(DATA / "brexit-consensus")
    result = opinion_groups(export.votes, moderated_out=export.moderated_out, seed=0)
    lists = [[r.statement for r in g.repness] for g in result.groups]
    assert all(lists) and len({s for shown in lists for s in shown}) == sum(map(len, lists))
    # Pol.is's own selection lists some statements for both groups: the reason for `distinct`.
    counts = [np.array([getattr(g, n) for g in result.groups], dtype=float) for n in COUNTS]
    polis = select_repness(*counts, result.statements, distinct=False)
    assert set.intersection(*({r.statement for r in shown} for shown in polis))


def test_pol_is_s_brexit_grouping_is_not_a_fixed_point_of_its_own_k_means_on_the_final_votes():
    """Why 0.9 cannot be asserted on brexit: the map drawn from the final votes already puts
    some of Pol.is's participants nearer the other group's centre."""
    from civic.analysis.pipeline.opinions import pca_projection

    export = read_polis_export(DATA / "brexit-consensus")
    matrix = vote_matrix(export.votes)
    rows = [i for i, p in enumerate(matrix.participants) if p in export.groups]
    projection = pca_projection(matrix.values, seed=0)[rows]
    polis = np.array([export.groups[matrix.participants[i]] for i in rows])
    centres = np.array([projection[polis == g].mean(axis=0) for g in (0, 1)])
    nearest = ((projection[:, None, :] - centres[None]) ** 2).sum(axis=2).argmin(axis=1)
    moved = int((nearest != polis).sum())
    assert moved >= 5
    assert adjusted_rand_score(polis, nearest) < 0.9
