"""Every change of state of consultations, proposals, comments, votes and answers.

Functions take the acting user and models, flush, and never commit: the view commits once.
"""

import re
from datetime import datetime

import flask_babel
import sqlalchemy as sa
from flask import url_for
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm.attributes import set_committed_value

from civic.analysis import vectors as analysis_vectors
from civic.consultations.models import (
    VOTE_AGREE,
    VOTE_DISAGREE,
    VOTE_PASS,
    Answer,
    Channel,
    Comment,
    Consultation,
    ConsultationEvent,
    Document,
    Follow,
    GlossaryTerm,
    Milestone,
    Participation,
    Phase,
    PostalContact,
    Proposal,
    ProposalStatus,
    Vote,
)
from civic.consultations.text import slugify, stems
from civic.core import jobs, uploads, visibility
from civic.core.models import UTCDateTime, audit, utcnow
from civic.core.notify import notify, send_news
from civic.core.sanitize import clean_html
from civic.extensions import db
from civic.moderation import services as moderation


class ConsultationError(Exception):
    """A refusal to show to the user, already translated."""


# --- consultations -------------------------------------------------------------------------


def unique_slug(title: str, wanted: str = "", exclude_id: int | None = None) -> str:
    base = slugify(wanted or title)
    slug, n = base, 1
    while True:
        query = sa.select(Consultation.id).where(Consultation.slug == slug)
        if exclude_id:
            query = query.where(Consultation.id != exclude_id)
        if db.session.scalar(query) is None:
            return slug
        n += 1
        slug = f"{base}-{n}"


def save_consultation(
    actor,
    consultation: Consultation | None,
    *,
    title: str,
    slug: str,
    summary: str,
    body: str,
    theme: str,
    communes: list,
    agree_limit: int | None,
    premoderation: bool,
    cover_alt: str = "",
) -> Consultation:
    # The slug is chosen before the new row joins the session (queries autoflush).
    slug = unique_slug(title, slug, consultation.id if consultation else None)
    if consultation is None:
        consultation = Consultation(created_by_id=actor.id)
        db.session.add(consultation)
    consultation.title = title.strip()
    consultation.slug = slug
    consultation.summary = summary.strip()
    consultation.body_html = clean_html(body)
    consultation.theme = theme.strip()
    consultation.all_communes = not communes
    consultation.communes = list(communes)
    consultation.agree_limit = agree_limit
    consultation.premoderation = premoderation
    consultation.cover_alt = cover_alt.strip()
    db.session.flush()
    audit(actor, "consultation.saved", "consultation", consultation.id)
    return consultation


def publish(actor, consultation: Consultation, published: bool = True) -> None:
    if published and not consultation.phases:
        raise ConsultationError(_l("Ajoutez au moins une phase avant de publier."))
    first_time = published and consultation.published_at is None
    consultation.published_at = utcnow() if published else None
    if first_time and not consultation.all_communes:
        # The residents who follow a commune it names hear of it (a territory-wide
        # consultation reaches everyone through the usual channels).
        from civic.territory.services import tell_followers

        tell_followers(
            [c.id for c in consultation.communes],
            lambda commune: _l(
                "Nouvelle concertation à %(commune)s : « %(title)s ».",
                commune=commune.name,
                title=consultation.title,
            ),
            url_for("consultations.show", slug=consultation.slug),
        )
    audit(
        actor,
        "consultation.published" if published else "consultation.unpublished",
        "consultation",
        consultation.id,
    )


def add_phase(
    actor,
    consultation: Consultation,
    *,
    title: str,
    description: str,
    starts_at: datetime,
    ends_at: datetime,
    features: list[str],
    audience: str,
    audience_role: str | None = None,
    invited=(),
) -> Phase:
    if ends_at <= starts_at:
        raise ConsultationError(_l("La fin de la phase doit être après son début."))
    for other in consultation.phases:
        if starts_at < other.ends_at and other.starts_at < ends_at:
            raise ConsultationError(
                _l("Cette phase chevauche la phase « %(title)s ».", title=other.title)
            )
    phase = Phase(
        title=title.strip(),
        description=description.strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        features=sorted(set(features)),
        audience=audience,
        audience_role=audience_role if audience == "role" else None,
    )
    consultation.phases.append(phase)
    for position, p in enumerate(sorted(consultation.phases, key=lambda p: p.starts_at)):
        p.position = position
    from civic.consultations.models import PhaseInvitation

    phase.invitations = [PhaseInvitation(user_id=u.id) for u in invited]
    db.session.flush()
    audit(actor, "phase.added", "consultation", consultation.id, title=phase.title)
    return phase


def remove_phase(actor, phase: Phase) -> None:
    consultation = phase.consultation
    consultation.phases.remove(phase)
    db.session.flush()
    audit(actor, "phase.removed", "consultation", consultation.id, title=phase.title)


def set_cover(actor, consultation: Consultation, data: bytes, alt: str) -> None:
    try:
        image = uploads.check_image(data)
    except uploads.UploadError as error:
        raise ConsultationError(str(error)) from error
    if not alt.strip():
        raise ConsultationError(_l("Décrivez l'image en quelques mots (texte alternatif)."))
    consultation.cover_filename = uploads.store(data, image)
    consultation.cover_alt = alt.strip()


def add_document(actor, consultation: Consultation, title: str, data: bytes) -> Document:
    if not data.startswith(b"%PDF-"):
        raise ConsultationError(_l("Le document doit être un fichier PDF."))
    document = Document(
        title=title.strip(), stored_name=uploads.store(data, uploads.PDF), size=len(data)
    )
    consultation.documents.append(document)
    db.session.flush()
    audit(actor, "document.added", "consultation", consultation.id, title=document.title)
    return document


# --- proposals -----------------------------------------------------------------------------


def _index(proposal: Proposal) -> None:
    proposal.search_stems = " ".join(stems(f"{proposal.title} {proposal.body}"))


def submit_proposal(
    user, consultation: Consultation, *, title: str, body: str, theme: str, commune_id: int | None
) -> Proposal:
    phase = consultation.current_phase()
    proposal = Proposal(
        consultation_id=consultation.id,
        phase_id=phase.id if phase else None,
        author_id=user.id,
        title=title.strip(),
        body=body.strip(),
        theme=theme,
        commune_id=commune_id,
        channel=Channel.ONLINE.value,
        status=ProposalStatus.PENDING.value,
    )
    _index(proposal)
    db.session.add(proposal)
    db.session.flush()
    analysis_vectors.schedule("proposal", proposal.id)
    if moderation.intake(
        "proposal", proposal, user, f"{proposal.title} {proposal.body}", consultation.premoderation
    ):
        proposal.status = ProposalStatus.PUBLISHED.value
        record_event(
            consultation,
            "proposal",
            proposal,
            _l("Nouvelle proposition : %(title)s", title=proposal.title),
        )
    return proposal


def enter_contribution(
    agent,
    consultation: Consultation,
    *,
    title: str,
    body: str,
    theme: str,
    commune_id: int | None,
    channel: str,
    place: str,
    contact_name: str = "",
    contact_address: str = "",
    contact_commune_id: int | None = None,
) -> Proposal:
    """A contribution received on paper, at a counter, by phone, mail or in a workshop; with
    the resident's postal address when they want the answer by post. A text that names
    someone is held for the moderators instead of published."""
    if channel == Channel.ONLINE:
        raise ConsultationError(_l("Choisissez le canal par lequel la contribution est arrivée."))
    contact_name, contact_address = contact_name.strip(), contact_address.strip()
    if (contact_name or contact_address) and not (
        contact_name and contact_address and contact_commune_id
    ):
        raise ConsultationError(
            _l(
                "Pour envoyer la réponse par courrier, notez le nom, l'adresse et la commune "
                "de l'habitant ; sinon, laissez ces trois champs vides."
            )
        )
    phase = consultation.current_phase()
    proposal = Proposal(
        consultation_id=consultation.id,
        phase_id=phase.id if phase else None,
        author_id=None,
        title=title.strip(),
        body=body.strip(),
        theme=theme,
        commune_id=commune_id,
        channel=channel,
        entered_by_id=agent.id,
        entered_at_label=place.strip(),
        status=ProposalStatus.PUBLISHED.value,
    )
    _index(proposal)
    db.session.add(proposal)
    db.session.flush()
    if contact_name:
        db.session.add(
            PostalContact(
                proposal_id=proposal.id,
                name=contact_name,
                address=contact_address,
                commune_id=contact_commune_id,
            )
        )
    analysis_vectors.schedule("proposal", proposal.id)
    audit(agent, "proposal.entered", "proposal", proposal.id, channel=channel)
    if names_someone(f"{proposal.title} {proposal.body}", contact_name):
        proposal.status = ProposalStatus.PENDING.value
        moderation.hold("proposal", proposal)
        return proposal
    record_event(
        consultation,
        "proposal",
        proposal,
        _l("Nouvelle proposition : %(title)s", title=proposal.title),
    )
    return proposal


# A civility before a capitalised word: "M. Durand", "Mme Martin", "Monsieur le Maire" is not.
_CIVILITY = re.compile(
    r"\b(?:M\.|MM\.|Mme|Mmes|Mlle|Monsieur|Madame|Mademoiselle|Dr|Docteur|Maître|Me)\s+"
    r"(?!le\b|la\b|les\b)[A-ZÀ-Ý][\w'’-]+"
)


def names_someone(text: str, contact_name: str = "") -> bool:
    """Whether a text typed by an agent seems to name a person: a civility followed by a
    name, or a word of the resident's own name (of three letters or more)."""
    if _CIVILITY.search(text):
        return True
    words = {w.lower() for w in re.findall(r"[\w'’-]{3,}", contact_name)}
    return bool(words & {w.lower() for w in re.findall(r"[\w'’-]{3,}", text)})


def answer_letters(consultation: Consultation) -> list[PostalContact]:
    """The contributions of a consultation answered, whose residents wait for a letter."""
    return list(
        db.session.scalars(
            sa.select(PostalContact)
            .join(Proposal, Proposal.id == PostalContact.proposal_id)
            .join(Answer, Answer.proposal_id == Proposal.id)
            .where(Proposal.consultation_id == consultation.id)
            .order_by(PostalContact.id)
        )
    )


def letters_posted(agent, consultation: Consultation, ids: list[int]) -> int:
    """The answer letters are printed: their addresses are no longer needed."""
    done = [c for c in answer_letters(consultation) if c.id in set(ids)]
    for contact in done:
        db.session.delete(contact)
    db.session.flush()
    audit(agent, "proposal.letters_posted", "consultation", consultation.id, count=len(done))
    return len(done)


def can_still_edit(proposal: Proposal) -> bool:
    """Editable until the first vote or comment: nobody reacted to another text."""
    return (
        proposal.vote_count == 0
        and proposal.comment_count == 0
        and not db.session.scalar(sa.select(sa.exists().where(Comment.proposal_id == proposal.id)))
    )


def edit_proposal(
    user, proposal: Proposal, *, title: str, body: str, theme: str, commune_id: int | None
) -> None:
    # Lock the row so that a vote arriving now waits, then check again.
    _lock(Proposal, proposal.id)
    db.session.refresh(proposal)
    if not can_still_edit(proposal):
        raise ConsultationError(
            _l(
                "Cette proposition a déjà reçu des votes ou des "
                "commentaires : elle ne peut plus être modifiée."
            )
        )
    proposal.title, proposal.body = title.strip(), body.strip()
    proposal.theme, proposal.commune_id = theme, commune_id
    _index(proposal)
    db.session.flush()
    analysis_vectors.schedule("proposal", proposal.id)


def withdraw_proposal(user, proposal: Proposal) -> None:
    proposal.status = ProposalStatus.WITHDRAWN.value
    audit(user, "proposal.withdrawn", "proposal", proposal.id)


def _lock(model, ident: int) -> None:
    """Row lock on PostgreSQL; SQLite serialises writers already (BEGIN IMMEDIATE)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.select(model.id).where(model.id == ident).with_for_update())


# --- comments ------------------------------------------------------------------------------


def add_comment(
    user, proposal: Proposal, *, body: str, stance: str, parent: Comment | None = None
) -> Comment:
    if parent is not None:
        if parent.proposal_id != proposal.id:
            raise ConsultationError(_l("Ce commentaire ne fait pas partie de cette proposition."))
        parent = db.session.get(Comment, parent.parent_id) if parent.parent_id else parent
    comment = Comment(
        proposal_id=proposal.id,
        author_id=user.id,
        body=body.strip(),
        stance=stance,
        parent_id=parent.id if parent else None,
        status=ProposalStatus.PENDING.value,
    )
    db.session.add(comment)
    db.session.flush()
    analysis_vectors.schedule("comment", comment.id)
    if moderation.intake(
        "comment", comment, user, comment.body, proposal.consultation.premoderation
    ):
        comment.status = ProposalStatus.PUBLISHED.value
        db.session.execute(
            sa.update(Proposal)
            .where(Proposal.id == proposal.id)
            .values(comment_count=Proposal.comment_count + 1)
        )
        db.session.expire(proposal, ["comment_count"])
    db.session.flush()
    return comment


# --- votes ---------------------------------------------------------------------------------


# A vote runs on every click: its statements are built once per shape (their values bound at
# each call), on the tables rather than the ORM entities, and run on the session's connection
# in its transaction. The ORM's machinery for an UPDATE or an INSERT costs more than SQLite
# takes to run it.
VOTES = Vote.__table__
PROPOSALS = Proposal.__table__
PARTICIPATIONS = Participation.__table__
COUNTS = {VOTE_AGREE: "agree_count", VOTE_DISAGREE: "disagree_count", VOTE_PASS: "pass_count"}
_statements: dict[tuple, sa.Executable] = {}


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _run(key: tuple, build, **params) -> sa.CursorResult:
    statement = _statements.get(key)
    if statement is None:
        statement = _statements[key] = build()
    return db.session.connection().execute(statement, params)


def _insert(table: sa.Table, dialect: str):
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def _adjust_counts(proposal: Proposal, old: int | None, new: int | None) -> None:
    """Move the proposal's counters in SQL, and give the object their new values, read back
    by the same statement (no reload)."""

    def build():
        changes = {}
        if old is not None:
            changes[COUNTS[old]] = PROPOSALS.c[COUNTS[old]] - 1
        if new is not None:
            column = COUNTS[new]
            changes[column] = changes.get(column, PROPOSALS.c[column]) + 1
        return (
            sa.update(PROPOSALS)
            .where(PROPOSALS.c.id == sa.bindparam("pid"))
            .values(**changes)
            .returning(PROPOSALS.c.agree_count, PROPOSALS.c.disagree_count, PROPOSALS.c.pass_count)
        )

    if old == new:
        return
    counts = _run(("counts", old, new), build, pid=proposal.id).one()
    for name, value in zip(("agree_count", "disagree_count", "pass_count"), counts, strict=True):
        set_committed_value(proposal, name, value)


def _spend_agree(user, consultation: Consultation, delta: int) -> None:
    """Count the participant's "d'accord"; refuse past the limit, atomically in SQL."""
    limit = consultation.agree_limit
    keys = {"cid": consultation.id, "uid": user.id}
    if delta < 0:
        # Giving one back: the row exists since the "d'accord" was counted in it.
        _run(
            ("give back",),
            lambda: (
                sa.update(PARTICIPATIONS)
                .where(
                    PARTICIPATIONS.c.consultation_id == sa.bindparam("cid"),
                    PARTICIPATIONS.c.user_id == sa.bindparam("uid"),
                )
                .values(agree_used=PARTICIPATIONS.c.agree_used - 1)
            ),
            **keys,
        )
        return
    refusal = ConsultationError(
        _l(
            "Vous avez déjà donné vos %(n)s « d'accord » dans cette concertation. Retirez-en "
            "un pour en donner un autre.",
            n=limit,
        )
    )
    if limit is not None and limit < 1:
        raise refusal
    dialect = _dialect()

    def build():
        # One statement: the first "d'accord" creates the row, the next ones count in it, up
        # to the limit (the row is locked while its condition is checked).
        upsert = _insert(PARTICIPATIONS, dialect).values(
            consultation_id=sa.bindparam("cid"),
            user_id=sa.bindparam("uid"),
            agree_used=1,
        )
        within = (
            PARTICIPATIONS.c.agree_used < sa.bindparam("agree_limit") if limit is not None else None
        )
        return upsert.on_conflict_do_update(
            index_elements=["consultation_id", "user_id"],
            set_={"agree_used": PARTICIPATIONS.c.agree_used + 1},
            where=within,
        ).returning(PARTICIPATIONS.c.id)

    limited = {"agree_limit": limit} if limit is not None else {}
    if _run(("spend", dialect, limit is not None), build, **keys, **limited).first() is None:
        raise refusal


def _vote_of(user, proposal: Proposal) -> int | None:
    """The user's vote on the proposal, its row locked until the commit on PostgreSQL
    (SQLite's write transaction already keeps other writers out)."""
    dialect = _dialect()

    def build():
        query = sa.select(VOTES.c.value).where(
            VOTES.c.proposal_id == sa.bindparam("pid"),
            VOTES.c.user_id == sa.bindparam("uid"),
        )
        return query.with_for_update() if dialect == "postgresql" else query

    return _run(("vote of", dialect), build, pid=proposal.id, uid=user.id).scalar()


def cast_vote(user, proposal: Proposal, value: int) -> int | None:
    """Record or change the user's vote; returns the previous value (None if new).

    The proposal's counts are up to date afterwards, read back from the database.
    """
    if value not in (VOTE_AGREE, VOTE_DISAGREE, VOTE_PASS):
        raise ConsultationError(_l("Ce vote n'est pas valide."))
    now = utcnow()
    keys = {"pid": proposal.id, "uid": user.id}
    previous = _vote_of(user, proposal)
    if previous is None:
        dialect = _dialect()
        inserted = _run(
            ("new vote", dialect),
            lambda: (
                _insert(VOTES, dialect)
                .values(
                    proposal_id=sa.bindparam("pid"),
                    user_id=sa.bindparam("uid"),
                    value=sa.bindparam("new_value"),
                    created_at=sa.bindparam("at", type_=UTCDateTime),
                    updated_at=sa.bindparam("at", type_=UTCDateTime),
                )
                .on_conflict_do_nothing(index_elements=["proposal_id", "user_id"])
                .returning(VOTES.c.id)
            ),
            new_value=value,
            at=now,
            **keys,
        ).first()
        if not inserted:  # the same person's other request voted in the meantime
            previous = _vote_of(user, proposal)
    if previous is not None:
        if previous == value:
            return previous
        _run(
            ("change vote",),
            lambda: (
                sa.update(VOTES)
                .where(
                    VOTES.c.proposal_id == sa.bindparam("pid"),
                    VOTES.c.user_id == sa.bindparam("uid"),
                )
                .values(
                    value=sa.bindparam("new_value"),
                    updated_at=sa.bindparam("at", type_=UTCDateTime),
                )
            ),
            new_value=value,
            at=now,
            **keys,
        )
    if value == VOTE_AGREE:
        _spend_agree(user, proposal.consultation, +1)
    elif previous == VOTE_AGREE:
        _spend_agree(user, proposal.consultation, -1)
    _adjust_counts(proposal, previous, value)
    return previous


def retract_vote(user, proposal: Proposal) -> int | None:
    previous = _run(
        ("retract",),
        lambda: (
            sa.delete(VOTES)
            .where(
                VOTES.c.proposal_id == sa.bindparam("pid"),
                VOTES.c.user_id == sa.bindparam("uid"),
            )
            .returning(VOTES.c.value)
        ),
        pid=proposal.id,
        uid=user.id,
    ).scalar()
    if previous is None:
        return None
    if previous == VOTE_AGREE:
        _spend_agree(user, proposal.consultation, -1)
    _adjust_counts(proposal, previous, None)
    return previous


# --- answers and follow-up -----------------------------------------------------------------


def answer_proposal(
    official, proposal: Proposal, *, status: str, text: str, signed_as: str
) -> Answer:
    answer = proposal.answer or Answer(proposal_id=proposal.id)
    answer.status, answer.text, answer.signed_as = status, text.strip(), signed_as.strip()
    answer.author_id = official.id
    db.session.add(answer)
    db.session.flush()
    from civic.analysis.answers import refresh_status

    refresh_status([proposal.id])
    db.session.expire(proposal, ["answer_status"])
    audit(official, "proposal.answered", "proposal", proposal.id, status=status)
    jobs.enqueue("civic.consultations.services.notify_answer", proposal.id)
    record_event(
        proposal.consultation,
        "answer",
        proposal,
        _l("Réponse officielle à « %(title)s »", title=proposal.title),
        notify_followers=False,
    )
    return answer


def concerned_users(proposal_id: int) -> list:
    """The author, the commenters and the voters of a proposal, once each."""
    from civic.accounts.models import User

    ids = sa.union(
        sa.select(Proposal.author_id.label("uid")).where(Proposal.id == proposal_id),
        sa.select(Comment.author_id).where(Comment.proposal_id == proposal_id),
        sa.select(Vote.user_id).where(Vote.proposal_id == proposal_id),
    ).subquery()
    return list(
        db.session.scalars(
            sa.select(User).where(User.id.in_(sa.select(ids.c.uid)), User.deleted_at.is_(None))
        )
    )


def notify_answer(proposal_id: int) -> int:
    """Job: tell everyone who took part in a proposal that it was answered."""
    proposal = db.session.get(Proposal, proposal_id)
    link = url_for(
        "consultations.show_proposal", slug=proposal.consultation.slug, proposal_id=proposal.id
    )
    from civic.analysis.answers import outcome

    answer = outcome("proposal", proposal.id)  # the one answer every page shows
    people = concerned_users(proposal_id)
    for user in people:
        notify(
            user,
            _l(
                "La proposition « %(title)s » a reçu une réponse officielle : %(answer)s.",
                title=proposal.title,
                answer=answer.lazy_label,
            ),
            link,
            about=("proposal", proposal.id),
        )
    return len(people)


def add_milestone(
    actor,
    proposal: Proposal,
    *,
    title: str,
    description: str,
    due_on: datetime | None,
    progress: int,
) -> Milestone:
    if not 0 <= progress <= 100:
        raise ConsultationError(_l("L'avancement est un pourcentage entre 0 et 100."))
    milestone = Milestone(
        title=title.strip(), description=description.strip(), due_on=due_on, progress=progress
    )
    proposal.milestones.append(milestone)
    db.session.flush()
    audit(actor, "milestone.added", "proposal", proposal.id, progress=progress)
    record_event(
        proposal.consultation,
        "milestone",
        proposal,
        _l(
            "Suivi de « %(title)s » : %(step)s (%(progress)s %%)",
            title=proposal.title,
            step=milestone.title,
            progress=progress,
        ),
    )
    return milestone


# --- following, events and digests --------------------------------------------------------


def follow(user, consultation: Consultation, daily: bool) -> Follow:
    mine = sa.select(Follow).where(
        Follow.consultation_id == consultation.id, Follow.user_id == user.id
    )
    item = db.session.scalar(mine)
    if item is None:
        item = Follow(consultation_id=consultation.id, user_id=user.id)
        try:
            with db.session.begin_nested():
                db.session.add(item)
                db.session.flush()
        except sa.exc.IntegrityError:  # the same person's other request was first
            item = db.session.scalar(mine)
    item.daily = daily
    db.session.flush()
    return item


def unfollow(user, consultation: Consultation) -> None:
    db.session.execute(
        sa.delete(Follow).where(
            Follow.consultation_id == consultation.id, Follow.user_id == user.id
        )
    )


def record_event(
    consultation: Consultation,
    kind: str,
    proposal: Proposal | None,
    summary,
    notify_followers: bool = True,
) -> ConsultationEvent:
    # Kept in French, and as its catalogue message, so that each follower reads it in their
    # own language (a job may run in no one's language).
    message = None
    if isinstance(summary, LazyString) and summary._func is flask_babel.gettext:
        message = {"id": summary._args[0], "args": {k: str(v) for k, v in summary._kwargs.items()}}
    with force_locale("fr"):
        text = str(summary)
    event = ConsultationEvent(
        consultation_id=consultation.id,
        kind=kind,
        proposal_id=proposal.id if proposal else None,
        summary=text,
        message=message,
    )
    db.session.add(event)
    db.session.flush()
    if notify_followers and consultation.is_published:
        jobs.enqueue("civic.consultations.services.notify_followers", event.id)
    return event


def notify_followers(event_id: int) -> int:
    """Job: followers are told of an event, in their notifications when they chose news as
    it comes, and by e-mail at their rhythm: the events of one transaction (minutes that add
    ten proposals) leave as one e-mail. The author of a new proposal is not told of it."""
    from civic.accounts.models import User

    event = db.session.get(ConsultationEvent, event_id)
    consultation = db.session.get(Consultation, event.consultation_id)
    actor_id = None
    if event.kind == "proposal" and event.proposal_id:
        actor_id = db.session.scalar(
            sa.select(Proposal.author_id).where(Proposal.id == event.proposal_id)
        )
    rows = db.session.execute(
        sa.select(User, Follow.daily)
        .join(Follow, Follow.user_id == User.id)
        .where(
            Follow.consultation_id == event.consultation_id,
            User.deleted_at.is_(None),
            User.id != (actor_id or 0),
        )
        .order_by(User.id)
    )
    link = url_for("consultations.show", slug=consultation.slug, _external=True)
    about = _event_about(event)
    # Translated for each follower as notify and send_news write it.
    summary = _l(event.message["id"], **event.message["args"]) if event.message else event.summary
    count = 0
    for user, daily in rows:
        if not visibility.is_visible(*about, user):
            continue  # hidden before the job ran: its text goes to nobody
        if not daily:
            notify(user, summary, link, about=about)
        send_news(
            user,
            "follow",
            _l("Du nouveau dans « %(title)s »", title=consultation.title),
            summary,
            "consultation_event",
            topic=(f"consultation:{consultation.id}", consultation.title),
            link=link,
            about=about,
            frequency="daily" if daily else None,
            consultation=consultation,
            summary=summary,
            url=link,
        )
        count += 1
    return count


def _event_about(event: ConsultationEvent) -> tuple[str | None, int | None]:
    """The item an event quotes: its proposal, if it has one."""
    return ("proposal", event.proposal_id) if event.proposal_id else (None, None)


# --- glossary ------------------------------------------------------------------------------


def save_term(actor, term: GlossaryTerm | None, *, name: str, definition: str) -> GlossaryTerm:
    existing = db.session.scalar(
        sa.select(GlossaryTerm).where(sa.func.lower(GlossaryTerm.term) == name.strip().lower())
    )
    if existing is not None and existing is not term:
        raise ConsultationError(_l("Ce terme est déjà dans le glossaire."))
    term = term or GlossaryTerm()
    term.term, term.definition = name.strip(), definition.strip()
    db.session.add(term)
    db.session.flush()
    audit(actor, "glossary.saved", "glossary_term", term.id)
    return term


# --- personal data -------------------------------------------------------------------------


def export_personal_data(user) -> dict:
    proposals = db.session.scalars(sa.select(Proposal).where(Proposal.author_id == user.id))
    comments = db.session.scalars(sa.select(Comment).where(Comment.author_id == user.id))
    votes = db.session.execute(
        sa.select(Vote.proposal_id, Vote.value, Vote.updated_at).where(Vote.user_id == user.id)
    )
    return {
        "proposals": [
            {
                "id": p.id,
                "title": p.title,
                "body": p.body,
                "status": p.status,
                "created_at": p.created_at.isoformat(),
            }
            for p in proposals
        ],
        "comments": [
            {
                "id": c.id,
                "proposal_id": c.proposal_id,
                "body": c.body,
                "stance": c.stance,
                "created_at": c.created_at.isoformat(),
            }
            for c in comments
        ],
        "votes": [
            {"proposal_id": v.proposal_id, "value": v.value, "updated_at": v.updated_at.isoformat()}
            for v in votes
        ],
        "follows": [
            f.consultation_id
            for f in db.session.scalars(sa.select(Follow).where(Follow.user_id == user.id))
        ],
    }


def erase_personal_data(user) -> None:
    """Contributions and votes stay (shown as "Participant supprimé"); follows go."""
    db.session.execute(sa.delete(Follow).where(Follow.user_id == user.id))
