"""During and after a workshop: the live board's notes and themes, the table's vote, and the
minutes that send the notes into the consultation.

Functions take the acting user and models, flush, and never commit: the view commits once.
"""

import hashlib
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy.dialects import postgresql, sqlite

from civic.core.models import audit, utcnow
from civic.core.notify import notify, send_news
from civic.core.sanitize import text_to_html
from civic.extensions import db
from civic.moderation import services as moderation
from civic.workshops import judgment
from civic.workshops.models import (
    GRADES,
    SEAT_ROLE_LABELS,
    Ballot,
    BallotEntry,
    Note,
    Participant,
    SeatRole,
    Theme,
    VoteMethod,
    Workshop,
)
from civic.workshops.services import WorkshopError, forget_contacts, seat_of

NOTE_MAX = 280
THEME_MAX = 200
DOTS_MAX = 20
COLLEGES = (SeatRole.ELECTED, SeatRole.TECHNICIAN, SeatRole.CITIZEN)
# How the minutes name the author of a note: by college only, never by name.
PROPOSED_BY = {
    SeatRole.ELECTED: _l("proposé par un élu"),
    SeatRole.TECHNICIAN: _l("proposé par un technicien"),
    SeatRole.CITIZEN: _l("proposé par un citoyen"),
    SeatRole.FACILITATOR: _l("proposé par l'animateur"),
}


class NoteStatus:
    PUBLISHED = "published"
    PENDING = "pending"  # held by moderation's intake (a near-copy, a burst)
    HIDDEN = "hidden"


# --- the board -------------------------------------------------------------------------------


def table_numbers(workshop: Workshop) -> list[int]:
    return list(range(1, max(1, workshop.tables) + 1))


def clamp_table(workshop: Workshop, table_no: int | None) -> int:
    return max(1, min(table_no or 1, max(1, workshop.tables)))


def _board_closed(workshop: Workshop) -> None:
    if workshop.minutes_published_at is not None:
        raise WorkshopError(_l("Le compte rendu est publié : le tableau est clos."))


def post_note(user, workshop: Workshop, body: str, table_no: int | None = None) -> Note:
    """A post-it on the board of the author's table (the facilitator chooses the table).

    The note keeps its author's college for the minutes. It goes through moderation's intake
    like a proposal: a near-copy of the author's recent text waits for a moderator."""
    _board_closed(workshop)
    body = (body or "").strip()
    if not body:
        raise WorkshopError(_l("Écrivez votre note avant de l'afficher."))
    if len(body) > NOTE_MAX:
        raise WorkshopError(
            _l("Une note tient en %(max)s caractères au plus.", max=NOTE_MAX)  # a post-it
        )
    seat = seat_of(user, workshop)
    if seat is not None and seat.role != SeatRole.FACILITATOR:
        role, table = seat.role, seat.table_no
    else:
        role, table = SeatRole.FACILITATOR.value, clamp_table(workshop, table_no)
    note = Note(
        workshop_id=workshop.id,
        table_no=table,
        author_id=user.id,
        author_role=role,
        body=body,
        status=NoteStatus.PENDING,
    )
    db.session.add(note)
    db.session.flush()
    if moderation.intake("workshop_note", note, user, body, premoderated=False):
        note.status = NoteStatus.PUBLISHED
    db.session.flush()
    return note


def visible_notes(workshop: Workshop, table_no: int | None, viewer=None) -> list[Note]:
    """The published notes of a table (all tables when None), and the viewer's own notes
    that wait for moderation."""
    shown = Note.status == NoteStatus.PUBLISHED
    if viewer is not None and viewer.is_authenticated:
        shown = shown | ((Note.status == NoteStatus.PENDING) & (Note.author_id == viewer.id))
    query = sa.select(Note).where(Note.workshop_id == workshop.id, shown)
    if table_no is not None:
        query = query.where(Note.table_no == table_no)
    return list(db.session.scalars(query.order_by(Note.id)))


def themes(workshop: Workshop, table_no: int | None = None) -> list[Theme]:
    query = sa.select(Theme).where(Theme.workshop_id == workshop.id)
    if table_no is not None:
        query = query.where(Theme.table_no == table_no)
    return list(db.session.scalars(query.order_by(Theme.table_no, Theme.position, Theme.id)))


@dataclass
class Group:
    theme: Theme | None  # None: the notes not yet in a theme
    notes: list[Note] = field(default_factory=list)


def grouped(theme_list: list[Theme], notes: list[Note]) -> list[Group]:
    """Notes by theme, in the themes' order, then the notes without a theme."""
    groups = {t.id: Group(t) for t in theme_list}
    loose = Group(None)
    for note in notes:
        groups.get(note.theme_id, loose).notes.append(note)
    return [*groups.values(), loose]


def board_state(workshop: Workshop, theme_list: list[Theme], notes: list[Note]) -> str:
    """A short digest of what the board shows: equal digests, nothing to redraw."""
    parts = [
        "v" if workshop.vote_open else "-",
        "m" if workshop.minutes_published_at else "-",
        *(f"t{t.id}:{t.position}:{t.title}" for t in theme_list),
        *(f"n{n.id}:{n.theme_id}:{n.status}" for n in notes),
    ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:12]


def add_theme(actor, workshop: Workshop, title: str, table_no: int | None = None) -> Theme:
    _board_closed(workshop)
    if workshop.vote_open:
        raise WorkshopError(_l("Fermez le vote avant d'ajouter un thème."))
    title = (title or "").strip()
    if not title:
        raise WorkshopError(_l("Donnez un titre au thème."))
    if len(title) > THEME_MAX:
        raise WorkshopError(
            _l("Le titre d'un thème tient en %(max)s caractères au plus.", max=THEME_MAX)
        )
    table = clamp_table(workshop, table_no)
    last = db.session.scalar(
        sa.select(sa.func.max(Theme.position)).where(
            Theme.workshop_id == workshop.id, Theme.table_no == table
        )
    )
    theme = Theme(workshop_id=workshop.id, table_no=table, title=title, position=(last or 0) + 1)
    db.session.add(theme)
    db.session.flush()
    audit(actor, "workshop.theme_added", "workshop", workshop.id, theme=theme.id)
    return theme


def assign_note(actor, note: Note, theme: Theme | None) -> None:
    """Put a note into a theme of its table, or take it out of any theme (None)."""
    _board_closed(note.workshop)
    if theme is not None and (
        theme.workshop_id != note.workshop_id or theme.table_no != note.table_no
    ):
        raise WorkshopError(_l("Ce thème n'appartient pas à la table de cette note."))
    note.theme_id = theme.id if theme is not None else None
    db.session.flush()


# --- the vote --------------------------------------------------------------------------------


def ballot_count(workshop: Workshop) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(Ballot.id)).where(Ballot.workshop_id == workshop.id)
    )


def open_vote(actor, workshop: Workshop, method: str, dots_per_person: int | None = None) -> None:
    """Open the table's vote on the themes, by majority judgment or by dots."""
    _board_closed(workshop)
    if method not in {m.value for m in VoteMethod}:
        raise WorkshopError(_l("Choisissez une méthode de vote."))
    per_table: dict[int, int] = {}
    for theme in themes(workshop):
        per_table[theme.table_no] = per_table.get(theme.table_no, 0) + 1
    if not per_table or min(per_table.values()) < 2:
        raise WorkshopError(_l("Il faut au moins deux thèmes à chaque table pour voter."))
    if method == VoteMethod.DOTS:
        if dots_per_person is None or not 1 <= dots_per_person <= DOTS_MAX:
            raise WorkshopError(
                _l("Donnez entre 1 et %(max)s gommettes par personne.", max=DOTS_MAX)
            )
    changes = method != workshop.vote_method or (
        method == VoteMethod.DOTS and dots_per_person != workshop.dots_per_person
    )
    if changes and ballot_count(workshop):
        raise WorkshopError(
            _l("Des bulletins sont déjà déposés : la méthode de vote ne peut plus changer.")
        )
    workshop.vote_method = method
    if method == VoteMethod.DOTS:
        workshop.dots_per_person = dots_per_person
    workshop.vote_open = True
    audit(actor, "workshop.vote_opened", "workshop", workshop.id, method=method)


def close_vote(actor, workshop: Workshop) -> None:
    workshop.vote_open = False
    audit(actor, "workshop.vote_closed", "workshop", workshop.id)


def check_values(workshop: Workshop, theme_list: list[Theme], values: dict[int, int]) -> None:
    """Refuse a ballot that does not fit the method: a grade for every theme, or dots within
    the budget. `values` maps theme ids to grades or numbers of dots."""
    known = {t.id for t in theme_list}
    if not theme_list:
        raise WorkshopError(_l("Cette table n'a pas encore de thème à départager."))
    if set(values) - known:
        raise WorkshopError(_l("Ce bulletin mentionne un thème d'une autre table."))
    if any(v < 0 for v in values.values()):
        raise WorkshopError(_l("Une valeur du bulletin n'est pas valide."))
    if workshop.vote_method == VoteMethod.MAJORITY:
        missing = [t.title for t in theme_list if t.id not in values]
        if missing:
            raise WorkshopError(
                _l(
                    "Donnez une mention à chaque thème (manque : %(themes)s).",
                    themes=", ".join(missing),
                )
            )
        if any(v >= len(GRADES) for v in values.values()):
            raise WorkshopError(_l("Une valeur du bulletin n'est pas valide."))
    else:
        try:
            judgment.check_dots(values, workshop.dots_per_person)
        except ValueError:
            raise WorkshopError(
                _l(
                    "Vous avez placé %(used)s gommettes pour %(budget)s disponibles.",
                    used=sum(values.values()),
                    budget=workshop.dots_per_person,
                )
            ) from None
        if sum(values.values()) == 0:
            raise WorkshopError(_l("Placez au moins une gommette."))


def _insert(model):
    dialect = db.session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)


def _write_entries(ballot_id: int, values: dict[int, int]) -> None:
    db.session.execute(sa.delete(BallotEntry).where(BallotEntry.ballot_id == ballot_id))
    rows = [
        {"ballot_id": ballot_id, "theme_id": theme_id, "value": value}
        for theme_id, value in sorted(values.items())
    ]
    if rows:
        db.session.execute(sa.insert(BallotEntry), rows)


def cast_ballot(user, workshop: Workshop, values: dict[int, int]) -> int:
    """Record or replace the participant's ballot while the vote is open; returns its id.

    One ballot per participant is kept by the database (unique workshop + user): the insert
    does nothing when a ballot exists, even one written a moment ago by a concurrent request,
    and the existing ballot is then locked and its entries replaced."""
    _board_closed(workshop)
    if not workshop.vote_open:
        raise WorkshopError(_l("Le vote n'est pas ouvert."))
    seat = seat_of(user, workshop)
    if seat is None or seat.role == SeatRole.FACILITATOR:
        raise WorkshopError(_l("Seules les personnes assises à la table votent."))
    check_values(workshop, themes(workshop, seat.table_no), values)
    inserted = db.session.execute(
        _insert(Ballot)
        .values(workshop_id=workshop.id, user_id=user.id, role=seat.role, created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["workshop_id", "user_id"])
        .returning(Ballot.id)
    ).first()
    if inserted:
        ballot_id = inserted[0]
    else:
        query = sa.select(Ballot.id).where(
            Ballot.workshop_id == workshop.id, Ballot.user_id == user.id
        )
        if db.session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update()
        ballot_id = db.session.scalar(query)
    _write_entries(ballot_id, values)
    return ballot_id


def paper_ballot(
    facilitator, workshop: Workshop, role: str, values: dict[int, int], table_no: int
) -> Ballot:
    """A ballot filled in on paper, typed by the facilitator (it has no user)."""
    _board_closed(workshop)
    if role not in COLLEGES:
        raise WorkshopError(_l("Indiquez le collège de la personne qui a voté."))
    check_values(workshop, themes(workshop, clamp_table(workshop, table_no)), values)
    ballot = Ballot(workshop_id=workshop.id, user_id=None, role=role, entered_by_id=facilitator.id)
    db.session.add(ballot)
    db.session.flush()
    _write_entries(ballot.id, values)
    audit(facilitator, "workshop.paper_ballot", "workshop", workshop.id, role=role)
    return ballot


def my_ballot(user, workshop: Workshop) -> dict[int, int] | None:
    """The participant's current ballot as theme id -> value, None if not cast."""
    if not user.is_authenticated:
        return None
    ballot_id = db.session.scalar(
        sa.select(Ballot.id).where(Ballot.workshop_id == workshop.id, Ballot.user_id == user.id)
    )
    if ballot_id is None:
        return None
    rows = db.session.execute(
        sa.select(BallotEntry.theme_id, BallotEntry.value).where(BallotEntry.ballot_id == ballot_id)
    )
    return dict(rows.all())


@dataclass
class ThemeResult:
    theme: Theme
    rank: int
    grade: int | None = None  # majority judgment
    gauge: judgment.Gauge | None = None
    counts: tuple[int, ...] = ()
    dots: int = 0  # dot voting
    voters: int = 0


@dataclass
class TableResult:
    table_no: int
    method: str
    ballots: int
    by_role: dict[str, int]
    rows: list[ThemeResult]


def results(workshop: Workshop) -> list[TableResult]:
    """Per table, the themes ranked by the table's ballots (see judgment.py)."""
    entries = db.session.execute(
        sa.select(BallotEntry.ballot_id, BallotEntry.theme_id, BallotEntry.value, Ballot.role)
        .join(Ballot, Ballot.id == BallotEntry.ballot_id)
        .where(Ballot.workshop_id == workshop.id)
    ).all()
    tables = []
    all_themes = themes(workshop)
    for table_no in sorted({t.table_no for t in all_themes}):
        theme_list = [t for t in all_themes if t.table_no == table_no]
        by_id = {t.id: t for t in theme_list}
        ballots: dict[int, dict[int, int]] = {}
        roles: dict[int, str] = {}
        for ballot_id, theme_id, value, role in entries:
            if theme_id in by_id:
                ballots.setdefault(ballot_id, {})[theme_id] = value
                roles[ballot_id] = role
        by_role: dict[str, int] = {}
        for role in roles.values():
            by_role[role] = by_role.get(role, 0) + 1
        if workshop.vote_method == VoteMethod.MAJORITY:
            # A theme left out of a ballot counts as « À rejeter » (see judgment.py).
            grades = {t.id: [b.get(t.id, 0) for b in ballots.values()] for t in theme_list}
            rows = [
                ThemeResult(
                    theme=by_id[r.item], rank=r.rank, grade=r.grade, gauge=r.gauge, counts=r.counts
                )
                for r in judgment.rank_majority(grades, scale=len(GRADES))
            ]
        else:
            rows = [
                ThemeResult(theme=by_id[r.item], rank=r.rank, dots=r.dots, voters=r.voters)
                for r in judgment.rank_dots([t.id for t in theme_list], ballots.values())
            ]
        tables.append(
            TableResult(
                table_no=table_no,
                method=workshop.vote_method,
                ballots=len(ballots),
                by_role=by_role,
                rows=rows,
            )
        )
    return tables


# --- the minutes -------------------------------------------------------------------------


@dataclass
class Presence:
    role: str
    label: object
    seats: int | None  # planned seats of the college (None for the facilitators)
    seated: int
    present: int


def attendance(workshop: Workshop) -> list[Presence]:
    rows = db.session.execute(
        sa.select(
            Participant.role,
            sa.func.count(Participant.id),
            sa.func.count(Participant.id).filter(Participant.attended.is_(True)),
        )
        .where(Participant.workshop_id == workshop.id)
        .group_by(Participant.role)
    ).all()
    counts = {role: (seated, present) for role, seated, present in rows}
    presence = [
        Presence(
            role=role.value,
            label=SEAT_ROLE_LABELS[role],
            seats=workshop.seats[role],
            seated=counts.get(role, (0, 0))[0],
            present=counts.get(role, (0, 0))[1],
        )
        for role in COLLEGES
    ]
    if SeatRole.FACILITATOR in counts:
        seated, present = counts[SeatRole.FACILITATOR]
        presence.append(
            Presence(
                SeatRole.FACILITATOR.value,
                SEAT_ROLE_LABELS[SeatRole.FACILITATOR],
                None,
                seated,
                present,
            )
        )
    return presence


def _title_for(note: Note) -> str:
    """The contribution's title: its own first clause, as text analysis titles what residents
    write (the theme's name would give several contributions the same title)."""
    from civic.analysis.pipeline.text import title_phrase

    return title_phrase(note.body)


def save_minutes(actor, workshop: Workshop, summary_html: str) -> None:
    """Keep the facilitator's summary, typed as plain text or HTML (cleaned); published
    minutes are updated in place."""
    workshop.minutes_html = text_to_html(summary_html)
    audit(actor, "workshop.minutes_saved", "workshop", workshop.id)


def publish_minutes(facilitator, workshop: Workshop, summary_html: str) -> int:
    """Publish the minutes: the board closes, every published note enters the linked
    consultation as a contribution from the workshop, the contact details typed by agents are
    forgotten and the participants are told. Returns the number of contributions made.

    Publishing again only updates the summary: no note is entered twice, nobody is told
    twice."""
    from civic.consultations.models import Channel
    from civic.consultations.services import enter_contribution

    save_minutes(facilitator, workshop, summary_html)
    if not workshop.minutes_html:
        raise WorkshopError(_l("Écrivez la synthèse avant de publier le compte rendu."))
    first_time = workshop.minutes_published_at is None
    workshop.vote_open = False
    if first_time:
        workshop.minutes_published_at = utcnow()
    entered = 0
    consultation = workshop.consultation
    if consultation is not None:
        for note in visible_notes(workshop, None):
            if note.proposal_id is not None:
                continue
            proposal = enter_contribution(
                facilitator,
                consultation,
                title=_title_for(note),
                body=note.body,
                theme="",
                commune_id=workshop.commune_id,
                channel=Channel.WORKSHOP.value,
                place=workshop.title[:120],
            )
            note.proposal_id = proposal.id
            entered += 1
    forget_contacts(workshop)
    audit(facilitator, "workshop.minutes_published", "workshop", workshop.id, entered=entered)
    if first_time:
        _tell_participants(workshop, entered, facilitator)
    db.session.flush()
    return entered


def _tell_participants(workshop: Workshop, entered: int, actor) -> None:
    from civic.accounts.models import User

    users = db.session.scalars(
        sa.select(User)
        .join(Participant, Participant.user_id == User.id)
        .where(Participant.workshop_id == workshop.id, User.deleted_at.is_(None))
        .order_by(User.id)
    )
    link = url_for("workshops.minutes", slug=workshop.slug)
    url = url_for("workshops.minutes", slug=workshop.slug, _external=True)
    for user in users:
        if user.id == actor.id:
            continue  # the facilitator who published them knows
        message = _l("Le compte rendu de l'atelier « %(title)s » est publié.", title=workshop.title)
        notify(user, message, link)
        send_news(
            user,
            "workshops",
            _l("Compte rendu de l'atelier « %(title)s »", title=workshop.title),
            message,
            "workshop_minutes",
            topic=(f"workshop:{workshop.id}", workshop.title),
            link=url,
            actor=actor,
            workshop=workshop,
            entered=entered,
            url=url,
        )
