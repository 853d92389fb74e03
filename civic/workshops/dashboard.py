"""Read side of the diversity dashboards: who takes part, per workshop, per consultation and
on the whole platform. The judging is done by the pure functions of `diversity`.

Who counts:

- A workshop: its seats (elected officials, technicians, citizens; facilitators hold no seat),
  except those marked absent. Citizens' characteristics are the ones they declared when they
  volunteered (or, for a citizen seated without volunteering, their statistical profile if
  they consented to it). Contributions are the notes each person posted on the live board.
- A consultation: every account that wrote a proposal or a comment, voted, posted a note at
  one of its workshops or holds a seat at one of them (not marked absent); plus the
  citizens seated without an account (recruited by an agent). Characteristics come only from
  profiles given with statistical consent; otherwise "non renseigné".
- The platform: the same over all consultations and workshops, over a period.

A contribution is a proposal, a comment, a vote or a workshop note: each counts one.
Contributions typed without an account (paper proposals, notes entered for someone) cannot
be given to a person: they are counted apart.

First time: a participant whose first act on the platform (contribution or seat) falls inside
the scope. For a citizen seated without an account, nothing is known but what they declared
when volunteering.
"""

import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from civic.accounts.models import AGE_BRACKETS, GENDERS, PCS_GROUPS, User
from civic.consultations.models import Comment, Consultation, Proposal, Vote
from civic.core.caching import app_cache
from civic.core.formatting import collate
from civic.extensions import db
from civic.territory import queries as territory_queries
from civic.territory.models import Commune
from civic.workshops import diversity
from civic.workshops.models import (
    SEAT_ROLE_LABELS,
    Note,
    Participant,
    SeatRole,
    Volunteer,
    Workshop,
)

KINDS = ("proposal", "comment", "vote", "note")
KIND_LABELS = {
    "proposal": _l("Propositions"),
    "comment": _l("Commentaires"),
    "vote": _l("Votes"),
    "note": _l("Notes d'atelier"),
}
# Buckets of the distribution of contributions per person: 0, 1, 2, 3 to 5, 6 to 10...
BOUNDS = (0, 1, 2, 3, 6, 11, 51)
UNKNOWN = ""  # the key of "non renseigné" in every table
UNKNOWN_LABEL = _l("Non renseigné")
OTHER = "other"  # the key of the communes outside the territory
OTHER_LABEL = _l("Autre commune, hors du territoire")
COLLEGES = (SeatRole.ELECTED, SeatRole.TECHNICIAN, SeatRole.CITIZEN)


@dataclass
class Cell:
    """One line of a table of people: None as count means hidden by statistical secrecy."""

    key: str
    label: str
    count: int | None
    share: float | None


@dataclass
class Breakdown:
    key: str
    title: str
    cells: list[Cell]
    total: int


@dataclass
class CommuneRow:
    insee: str
    name: str
    count: int | None
    share: float | None
    population: int | None
    population_share: float | None
    ratio: float | None


@dataclass
class Person:
    contributions: int
    first_time: bool | None  # None: not known
    commune_id: int | None = None
    age: str = UNKNOWN
    gender: str = UNKNOWN
    pcs: str = UNKNOWN
    citizen: bool = True  # elected officials and technicians are counted apart at a workshop


@dataclass
class Dashboard:
    participants: int
    contributions: int
    by_kind: dict[str, int]
    unattributed: int
    gini: float
    top_share: float
    top_count: int
    first_time: Cell | None  # None when it has no meaning (the platform since its start)
    first_time_known: int
    distribution: list[int]
    communes: list[CommuneRow]
    commune_unknown: int
    breakdowns: list[Breakdown]
    lorenz: list[tuple[float, float]]
    citizens: int
    # A workshop only: seats and attendance per college, notes per college.
    attendance: list[dict] = field(default_factory=list)
    notes_by_college: dict[str, int] = field(default_factory=dict)


# --- every act of participation ---------------------------------------------------------


def _activity():
    """One row per act: (user_id, kind, at, consultation_id, workshop_id). user_id is NULL
    for contributions typed without an account; seats of facilitators and seats marked
    absent are not acts."""
    no_workshop = sa.cast(sa.null(), sa.Integer)
    proposals = sa.select(
        Proposal.author_id.label("user_id"),
        sa.literal_column("'proposal'").label("kind"),
        Proposal.created_at.label("at"),
        Proposal.consultation_id.label("consultation_id"),
        no_workshop.label("workshop_id"),
    )
    comments = sa.select(
        Comment.author_id,
        sa.literal_column("'comment'"),
        Comment.created_at,
        Proposal.consultation_id,
        no_workshop,
    ).join(Proposal, Comment.proposal_id == Proposal.id)
    votes = sa.select(
        Vote.user_id, sa.literal_column("'vote'"), Vote.created_at, Proposal.consultation_id
    ).join(Proposal, Vote.proposal_id == Proposal.id)
    votes = votes.add_columns(no_workshop)
    notes = sa.select(
        Note.author_id,
        sa.literal_column("'note'"),
        Note.created_at,
        Workshop.consultation_id,
        Note.workshop_id,
    ).join(Workshop, Note.workshop_id == Workshop.id)
    seats = (
        sa.select(
            Participant.user_id,
            sa.literal_column("'seat'"),
            Workshop.starts_at,
            Workshop.consultation_id,
            Participant.workshop_id,
        )
        .join(Workshop, Participant.workshop_id == Workshop.id)
        .where(_taking_part())
    )
    return sa.union_all(proposals, comments, votes, notes, seats).cte("activity")


def _taking_part():
    return sa.and_(
        Participant.role != SeatRole.FACILITATOR.value,
        sa.or_(Participant.attended.is_(None), Participant.attended.is_(True)),
    )


@dataclass(frozen=True)
class Scope:
    workshop_id: int | None = None
    consultation_id: int | None = None
    since: datetime | None = None

    def activity(self, act):
        if self.workshop_id is not None:
            return act.c.workshop_id == self.workshop_id
        if self.consultation_id is not None:
            return act.c.consultation_id == self.consultation_id
        if self.since is not None:
            return act.c.at >= self.since
        return sa.true()

    def seats(self):
        if self.workshop_id is not None:
            return Participant.workshop_id == self.workshop_id
        if self.consultation_id is not None:
            return Workshop.consultation_id == self.consultation_id
        if self.since is not None:
            return Workshop.starts_at >= self.since
        return sa.true()


def _accounts(scope: Scope) -> list[sa.Row]:
    """Per account active in the scope: contributions by kind, first act in the scope, first
    act ever, and the statistical profile."""
    act = _activity()
    kind = act.c.kind
    per_user = (
        sa.select(
            act.c.user_id,
            *(sa.func.sum(sa.case((kind == k, 1), else_=0)).label(k) for k in KINDS),
            sa.func.min(act.c.at).label("first_in_scope"),
        )
        .where(scope.activity(act), act.c.user_id.is_not(None))
        .group_by(act.c.user_id)
        .cte("per_user")
    )
    first_ever = (
        sa.select(act.c.user_id, sa.func.min(act.c.at).label("first_ever"))
        .where(act.c.user_id.in_(sa.select(per_user.c.user_id)))
        .group_by(act.c.user_id)
        .cte("first_ever")
    )
    query = (
        sa.select(
            per_user,
            first_ever.c.first_ever,
            User.stats_consent_at,
            User.commune_id,
            User.age_bracket,
            User.gender,
            User.pcs,
        )
        .join(first_ever, first_ever.c.user_id == per_user.c.user_id)
        .join(User, User.id == per_user.c.user_id)
    )
    return list(db.session.execute(query))


def _unattributed(scope: Scope) -> dict[str, int]:
    act = _activity()
    query = (
        sa.select(act.c.kind, sa.func.count())
        .where(scope.activity(act), act.c.user_id.is_(None), act.c.kind != "seat")
        .group_by(act.c.kind)
    )
    return dict(db.session.execute(query).all())


def _profile(row) -> dict:
    """Characteristics from a statistical profile, only when given with consent."""
    if row.stats_consent_at is None:
        return {}
    return {
        "commune_id": row.commune_id,
        "age": row.age_bracket or UNKNOWN,
        "gender": row.gender or UNKNOWN,
        "pcs": row.pcs or UNKNOWN,
    }


def _is_first_time(row) -> bool:
    return row.first_ever >= row.first_in_scope


# --- tables --------------------------------------------------------------------------------


def _breakdown(key: str, title, labels: dict, values: list[str]) -> Breakdown:
    """People by one characteristic. Shares are among those who gave it; the "non renseigné"
    line (not a characteristic of anyone) is always shown, so the total of the others is
    public and the secondary suppression of `diversity.suppress` is enough."""
    counts = Counter(values)
    declared = {k: counts.get(k, 0) for k in labels}
    unknown = len(values) - sum(declared.values())
    shown = diversity.suppress(declared)
    total = sum(declared.values())
    cells = [
        Cell(
            k,
            labels[k],
            shown[k],
            diversity.share(shown[k], total) if shown[k] is not None else None,
        )
        for k in declared
    ]
    cells.append(Cell(UNKNOWN, UNKNOWN_LABEL, unknown, None))
    return Breakdown(key, title, cells, len(values))


def _territory(consultation: Consultation | None) -> list[Commune]:
    if consultation is not None and not consultation.all_communes and consultation.communes:
        return collate(consultation.communes, "name")
    return territory_queries.communes()


def _communes(people: list[Person], territory: list[Commune]) -> tuple[list[CommuneRow], int]:
    """Participants against the population, commune by commune, among those whose commune is
    known; a last line gathers the communes outside the territory (no population). Returns
    the rows and the number of people whose commune is not known."""
    counts = Counter(p.commune_id for p in people if p.commune_id is not None)
    unknown = sum(1 for p in people if p.commune_id is None)
    by_id = {c.id: c for c in territory}
    cells = {c.id: counts.get(c.id, 0) for c in territory}
    cells[OTHER] = sum(n for k, n in counts.items() if k not in by_id)
    population = {c.id: c.population for c in territory} | {OTHER: 0}
    shown = diversity.suppress(cells)
    result = []
    for row in diversity.representation(cells, population):
        visible = shown[row.key] is not None
        commune = by_id.get(row.key)
        # A population the territory's file did not give is shown unknown, not as 0.
        known = commune is not None and commune.population_known
        result.append(
            CommuneRow(
                commune.insee if commune else "",
                commune.name if commune else str(OTHER_LABEL),
                row.participants if visible else None,
                row.share if visible else None,
                row.population if known else None,
                row.population_share if known else None,
                row.ratio if visible else None,
            )
        )
    return result, unknown


def _first_time_cell(people: list[Person], secret: bool) -> tuple[Cell, int]:
    """First-timers among those for whom it is known. At a workshop it is a characteristic
    that citizens declared when volunteering: then it is under statistical secrecy."""
    known = [p.first_time for p in people if p.first_time is not None]
    counts = {"yes": sum(1 for f in known if f), "no": sum(1 for f in known if not f)}
    if secret:
        counts = diversity.suppress(counts)
    count = counts["yes"]
    share = diversity.first_time_share(known) if count is not None else None
    return Cell("first_time", "", count, share), len(known)


def _build(
    people: list[Person],
    contributions: list[int],
    by_kind: dict[str, int],
    unattributed: int,
    territory: list[Commune],
    first_time_matters: bool = True,
    workshop: bool = False,
) -> Dashboard:
    citizens = [p for p in people if p.citizen]
    communes, commune_unknown = _communes(citizens, territory)
    first_time, known = _first_time_cell(citizens, secret=workshop)
    breakdowns = [
        _breakdown("age", _l("Âge"), AGE_BRACKETS, [p.age for p in citizens]),
        _breakdown("gender", _l("Genre"), GENDERS, [p.gender for p in citizens]),
        _breakdown(
            "pcs", _l("Catégorie socioprofessionnelle"), PCS_GROUPS, [p.pcs for p in citizens]
        ),
    ]
    return Dashboard(
        participants=len(people),
        contributions=sum(contributions),
        by_kind=by_kind,
        unattributed=unattributed,
        gini=diversity.gini(contributions),
        top_share=diversity.top_share(contributions),
        top_count=diversity.top_count(len(contributions)),
        first_time=first_time if first_time_matters else None,
        first_time_known=known,
        distribution=diversity.distribution(contributions, BOUNDS),
        communes=communes,
        commune_unknown=commune_unknown,
        breakdowns=breakdowns,
        lorenz=diversity.lorenz(contributions),
        citizens=len(citizens),
    )


# --- the three scopes -----------------------------------------------------------------------


def _scope_dashboard(scope: Scope, territory: list[Commune]) -> Dashboard:
    people, contributions = [], []
    by_kind = dict.fromkeys(KINDS, 0)
    for row in _accounts(scope):
        counts = {k: int(getattr(row, k) or 0) for k in KINDS}
        for k, n in counts.items():
            by_kind[k] += n
        total = sum(counts.values())
        contributions.append(total)
        people.append(Person(total, _is_first_time(row), **_profile(row)))
    # Citizens seated without an account: no profile, their own declaration of a first time.
    seats = (
        sa.select(Volunteer.first_time)
        .select_from(Participant)
        .join(Workshop, Participant.workshop_id == Workshop.id)
        .outerjoin(Volunteer, Participant.volunteer_id == Volunteer.id)
        .where(scope.seats(), _taking_part(), Participant.user_id.is_(None))
    )
    for first_time in db.session.scalars(seats):
        people.append(Person(0, first_time))
        contributions.append(0)
    unattributed = _unattributed(scope)
    for k, n in unattributed.items():
        by_kind[k] += n
    return _build(
        people,
        contributions,
        by_kind,
        sum(unattributed.values()),
        territory,
        first_time_matters=scope != Scope(),
    )


def consultation_dashboard(consultation: Consultation) -> Dashboard:
    return _scope_dashboard(Scope(consultation_id=consultation.id), _territory(consultation))


def platform_dashboard(since: datetime | None) -> Dashboard:
    """Everything from `since` on (None: since the start, when "first time" means nothing)."""
    return _scope_dashboard(Scope(since=since), _territory(None))


def workshop_dashboard(workshop: Workshop) -> Dashboard:
    seats = db.session.execute(
        sa.select(Participant, Volunteer, User)
        .outerjoin(Volunteer, Participant.volunteer_id == Volunteer.id)
        .outerjoin(User, Participant.user_id == User.id)
        .where(
            Participant.workshop_id == workshop.id,
            Participant.role != SeatRole.FACILITATOR.value,
        )
        .order_by(Participant.id)
    ).all()
    notes = dict(
        db.session.execute(
            sa.select(Note.author_id, sa.func.count())
            .where(Note.workshop_id == workshop.id)
            .group_by(Note.author_id)
        ).all()
    )
    by_college = dict(
        db.session.execute(
            sa.select(Note.author_role, sa.func.count())
            .where(Note.workshop_id == workshop.id)
            .group_by(Note.author_role)
        ).all()
    )
    first_time = {
        row.user_id: _is_first_time(row) for row in _accounts(Scope(workshop_id=workshop.id))
    }
    attendance = {
        role: {"role": role, "label": SEAT_ROLE_LABELS[role], "seats": 0, "present": 0, "absent": 0}
        for role in COLLEGES
    }
    people, contributions = [], []
    for seat, volunteer, user in seats:
        line = attendance.get(seat.role)
        if line is not None:
            line["seats"] += 1
            if seat.attended is not None:
                line["present" if seat.attended else "absent"] += 1
        if seat.attended is False:
            continue
        citizen = seat.role == SeatRole.CITIZEN
        if volunteer is not None:
            profile = {
                "commune_id": volunteer.commune_id,
                "age": volunteer.age_bracket or UNKNOWN,
                "gender": volunteer.gender or UNKNOWN,
                "pcs": volunteer.pcs or UNKNOWN,
            }
        elif user is not None and user.stats_consent_at is not None:
            profile = {
                "commune_id": user.commune_id,
                "age": user.age_bracket or UNKNOWN,
                "gender": user.gender or UNKNOWN,
                "pcs": user.pcs or UNKNOWN,
            }
        else:
            profile = {}
        if seat.user_id is not None:
            known = first_time.get(seat.user_id)
        else:
            known = volunteer.first_time if volunteer is not None else None
        count = notes.get(seat.user_id, 0) if seat.user_id is not None else 0
        people.append(Person(count, known, citizen=citizen, **profile))
        contributions.append(count)
    # Notes nobody seated wrote: typed for someone by the facilitator, or by the facilitator.
    unattributed = sum(notes.values()) - sum(contributions)
    dashboard = _build(
        people,
        contributions,
        {"note": sum(notes.values())},
        unattributed,
        _territory(workshop.consultation),
        workshop=True,
    )
    for line in attendance.values():
        line["unknown"] = line["seats"] - line["present"] - line["absent"]
    dashboard.attendance = list(attendance.values())
    dashboard.notes_by_college = {role: by_college.get(role, 0) for role in COLLEGES}
    dashboard.notes_by_college["facilitator"] = by_college.get(SeatRole.FACILITATOR, 0)
    return dashboard


# --- headline figures: the home page's and each consultation's ------------------------------

HEADLINE_SECONDS = 300  # figures kept this long by each process
HEADLINES_KEPT = 512


@dataclass
class Headline:
    participants: int
    contributions: int
    answers: int


def headline(consultation: Consultation | None = None) -> Headline:
    """Participants and contributions as the diversity dashboard counts them (one truth for
    both pages), and the official answers given; computed at most every five minutes."""
    from civic.consultations.models import Answer

    cache = app_cache("headline figures", HEADLINES_KEPT)
    key = (consultation.id if consultation else None, int(time.time() // HEADLINE_SECONDS))
    found = None if current_app.testing else cache.get(key)  # tests change data in between
    if found is not None:
        return found
    board = consultation_dashboard(consultation) if consultation else platform_dashboard(None)
    answered = (
        sa.select(sa.func.count(Answer.id))
        .join(Proposal, Answer.proposal_id == Proposal.id)
        .where(Proposal.status == "published")
    )
    if consultation is not None:
        answered = answered.where(Proposal.consultation_id == consultation.id)
    figures = Headline(board.participants, board.contributions, db.session.scalar(answered))
    cache.put(key, figures)
    return figures
