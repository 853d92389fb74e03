"""The one answer each contribution has received, read by every page, message and export.

A proposal's answer is its own official answer when that answer is final; else the decision
of the group it is in, in the consultation's published analysis, with the group's
justification; else an official answer "à l'étude" (an interim answer, which the group's
decision supersedes once it is published); else "en attente".

A comment has no official answer of its own: its answer is its group's decision, else the
final answer to the proposal it comments on, else "en attente".

`Proposal.answer_status` keeps a copy of a proposal's answer for the listings' filters: it is
written here, by `refresh_status`, each time an answer or a decision is published.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from civic.analysis.models import AnalysisRun, Cluster, ClusterMember
from civic.consultations.models import ANSWER_LABELS, Answer, AnswerStatus, Comment, Proposal
from civic.core.formatting import lazy_text
from civic.extensions import db

PENDING = "pending"
INTERIM = AnswerStatus.UNDER_STUDY.value
PENDING_LABEL = _l("En attente de réponse")

Key = tuple[str, int]  # ("proposal" | "comment", id)


@dataclass(frozen=True)
class Outcome:
    """What became of one contribution."""

    status: str  # an AnswerStatus value, or PENDING
    text: str = ""
    source: str = "none"  # "individual", "proposal" (a comment's proposal), "group" or "none"
    signed_as: str = ""
    at: datetime | None = None
    group: str = ""  # the group's title, when the answer is the group's decision
    group_size: int = 0
    proposal_id: int | None = None  # the proposal whose answer it is

    @property
    def lazy_label(self):
        """The label, translated when read: messages stored in each recipient's language."""
        return ANSWER_LABELS.get(self.status, PENDING_LABEL)

    @property
    def label(self) -> str:
        return lazy_text(self.lazy_label)

    @property
    def is_final(self) -> bool:
        return self.status not in (PENDING, INTERIM)


def _published_runs(consultation_ids: Iterable[int]) -> dict[int, int]:
    """Each consultation's latest published run."""
    ids = set(consultation_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(AnalysisRun.consultation_id, AnalysisRun.id)
        .where(AnalysisRun.consultation_id.in_(ids), AnalysisRun.published_at.is_not(None))
        .order_by(AnalysisRun.published_at, AnalysisRun.id)
    )
    return {consultation_id: run_id for consultation_id, run_id in rows}  # the last wins


def _individual(answer: Answer | None, source: str = "individual") -> Outcome | None:
    if answer is None:
        return None
    return Outcome(
        answer.status,
        answer.text,
        source,
        answer.signed_as,
        answer.updated_at,
        proposal_id=answer.proposal_id,
    )


def outcomes(keys: Iterable[Key]) -> dict[Key, Outcome]:
    """The answer of each contribution, in a fixed number of queries."""
    keys = list(dict.fromkeys((str(kind), int(item_id)) for kind, item_id in keys))
    proposal_ids = {i for kind, i in keys if kind == "proposal"}
    comment_ids = {i for kind, i in keys if kind == "comment"}
    comments = {
        cid: (pid, consultation_id)
        for cid, pid, consultation_id in db.session.execute(
            sa.select(Comment.id, Comment.proposal_id, Proposal.consultation_id)
            .join(Proposal, Proposal.id == Comment.proposal_id)
            .where(Comment.id.in_(comment_ids))
        )
    }
    proposals = dict(
        db.session.execute(
            sa.select(Proposal.id, Proposal.consultation_id).where(
                Proposal.id.in_(proposal_ids | {pid for pid, _c in comments.values()})
            )
        ).all()
    )
    answers = {
        a.proposal_id: a
        for a in db.session.scalars(sa.select(Answer).where(Answer.proposal_id.in_(proposals)))
    }
    runs = _published_runs(proposals.values())
    decided: dict[Key, Cluster] = {}
    if runs:
        rows = db.session.execute(
            sa.select(ClusterMember.kind, ClusterMember.item_id, Cluster)
            .join(Cluster, Cluster.id == ClusterMember.cluster_id)
            .where(
                ClusterMember.run_id.in_(runs.values()),
                sa.or_(
                    sa.and_(
                        ClusterMember.kind == "proposal", ClusterMember.item_id.in_(proposal_ids)
                    ),
                    sa.and_(
                        ClusterMember.kind == "comment", ClusterMember.item_id.in_(comment_ids)
                    ),
                ),
            )
        )
        decided = {(kind, item_id): cluster for kind, item_id, cluster in rows}

    result = {}
    for key in keys:
        kind, item_id = key
        cluster = decided.get(key)
        group = None
        if cluster is not None and cluster.decision:
            group = Outcome(
                cluster.decision,
                cluster.justification,
                "group",
                at=db.session.get(AnalysisRun, cluster.run_id).published_at,
                group=cluster.label,
                group_size=cluster.size,
                proposal_id=item_id if kind == "proposal" else None,
            )
        if kind == "proposal":
            own = _individual(answers.get(item_id))
            if own is not None and own.is_final:
                result[key] = own
            else:
                result[key] = group or own or Outcome(PENDING, proposal_id=item_id)
        else:
            proposal_id = comments.get(item_id, (None, None))[0]
            answered = _individual(answers.get(proposal_id), "proposal")
            if group is not None:
                result[key] = group
            elif answered is not None and answered.is_final:
                result[key] = answered
            else:
                result[key] = Outcome(PENDING, proposal_id=proposal_id)
    return result


def outcome(kind: str, item_id: int) -> Outcome:
    return outcomes([(kind, item_id)])[(kind, item_id)]


def refresh_status(proposal_ids: Iterable[int]) -> None:
    """Copy each proposal's answer into `Proposal.answer_status`, for the listings."""
    found = outcomes(("proposal", pid) for pid in proposal_ids)
    by_status: dict[str | None, list[int]] = {}
    for (_kind, pid), result in found.items():
        by_status.setdefault(None if result.status == PENDING else result.status, []).append(pid)
    for status, ids in by_status.items():  # one statement per status
        db.session.execute(
            sa.update(Proposal)
            .where(Proposal.id.in_(ids), Proposal.answer_status.is_distinct_from(status))
            .values(answer_status=status)
        )
