"""Importing services, rating them, answering, and the abuse guard. Functions flush only."""

import hashlib
import statistics
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from civic.core import uploads
from civic.core.models import audit, utcnow
from civic.core.notify import notify
from civic.core.permissions import role_scope
from civic.extensions import db
from civic.moderation import services as moderation
from civic.ratings.importer import CONTROL, ParseResult
from civic.ratings.models import (
    CHANNELS,
    CRITERIA,
    AnswerStatus,
    Rating,
    Service,
    ServiceAnswer,
    ServiceImport,
    ServiceResponsibility,
)
from civic.territory.placing import Locator, Placement

RATING_WINDOW = timedelta(days=90)


class RatingError(Exception):
    """A refusal to show to the user, already translated."""


# --- import --------------------------------------------------------------------------------


def place(locator: Locator, row: dict) -> Placement:
    """Where a service of the file lies: in a commune of the territory, outside it, or
    nowhere said (rejected)."""
    return locator.place(
        insee=row.get("insee") or "",
        name=row.get("commune") or "",
        postcode=row.get("postcode") or "",
        lat=row.get("lat"),
        lon=row.get("lon"),
    )


@dataclass
class Placements:
    inside: int = 0
    outside: int = 0
    rejected: list[dict] = field(default_factory=list)


def placements(parsed: ParseResult) -> Placements:
    """What an import would do with each row, for the preview: nothing is written."""
    locator, result = Locator(), Placements(rejected=list(parsed.rejected))
    for row in parsed.rows:
        placement = place(locator, row)
        if placement.placed:
            result.inside += 1
        elif placement.outside:
            result.outside += 1
        else:
            result.rejected.append({"row": row["row"], "reason": placement.reason})
    result.rejected.sort(key=lambda r: r["row"])
    return result


FIELD_COLUMNS = {
    "name": "name",
    "type": "type",
    "address": "address",
    "postcode": "postcode",
    "lat": "latitude",
    "lon": "longitude",
    "hours": "hours",
    "phone": "phone",
    "email": "email",
    "website": "website",
}


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    closed: int = 0
    # Rows in France but outside the territory: skipped, not errors.
    outside: int = 0
    rejected: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "closed": self.closed,
            "outside": self.outside,
            "rejected": self.rejected,
        }


def _length(column) -> int:
    return column.property.columns[0].type.length


def _too_long(row: dict) -> str | None:
    """A row error for the first value longer than its column (PostgreSQL would refuse the
    whole import, SQLite would store it)."""
    limits = {"id": _length(Service.source_id)} | {
        name: _length(getattr(Service, column))
        for name, column in FIELD_COLUMNS.items()
        if name not in ("lat", "lon")
    }
    for name, limit in limits.items():
        value = row.get(name) or ""
        if len(str(value)) > limit:
            return f"« {name} » trop long : {len(str(value))} caractères pour {limit} au plus"
    return None


def import_services(
    actor,
    source: str,
    parsed: ParseResult,
    *,
    dataset: str = "",
    filename: str = "",
    file_date: datetime | None = None,
) -> ImportReport:
    """Create or update services from parsed rows; those gone from the source are closed."""
    source = source.strip()
    if not source:
        raise RatingError(_l("Donnez un nom à la source (par exemple : sicoval-equipements)."))
    limit = _length(ServiceImport.source)
    if len(source) > limit or CONTROL.search(source):
        raise RatingError(
            _l(
                "Le nom de la source doit tenir en %(n)s caractères, sans caractère invisible.",
                n=limit,
            )
        )
    # What only describes the file is shortened rather than refused.
    dataset = CONTROL.sub("", dataset)[: _length(ServiceImport.dataset)]
    filename = CONTROL.sub("", filename)[: _length(ServiceImport.filename)]
    report = ImportReport(rejected=list(parsed.rejected))
    locator = Locator()
    run = ServiceImport(source=source, dataset=dataset, filename=filename, file_date=file_date)
    db.session.add(run)
    db.session.flush()
    existing = {
        s.source_id: s
        for s in db.session.scalars(sa.select(Service).where(Service.source == source))
    }
    seen = set()
    for row in parsed.rows:
        placement = place(locator, row)
        if placement.outside:
            report.outside += 1
            continue
        if not placement.placed:
            report.rejected.append({"row": row["row"], "reason": placement.reason})
            continue
        commune = placement.commune
        if row["id"] in seen:
            report.rejected.append({"row": row["row"], "reason": "identifiant en double"})
            continue
        too_long = _too_long(row)
        if too_long:
            report.rejected.append({"row": row["row"], "reason": too_long})
            continue
        seen.add(row["id"])
        values = {
            column: row.get(name) if name in ("lat", "lon") else (row.get(name) or "")
            for name, column in FIELD_COLUMNS.items()
        }
        values["commune_id"] = commune.id
        content = hashlib.sha256(repr(sorted(values.items())).encode()).hexdigest()
        service = existing.get(row["id"])
        if service is None:
            service = Service(source=source, source_id=row["id"], **values)
            db.session.add(service)
            report.created += 1
        elif service.content_hash == content and service.closed_at is None:
            report.unchanged += 1
            continue
        else:
            for column, value in values.items():
                setattr(service, column, value)
            service.closed_at = None
            report.updated += 1
        service.content_hash = content
        service.import_id, service.imported_at = run.id, utcnow()
    for source_id, service in existing.items():
        if source_id not in seen and service.closed_at is None:
            service.closed_at = utcnow()  # kept, with its ratings
            report.closed += 1
    run.created, run.updated, run.unchanged = report.created, report.updated, report.unchanged
    run.closed, run.rejected = report.closed, len(report.rejected)
    run.outside = report.outside
    db.session.flush()
    audit(
        actor,
        "services.imported",
        "service_import",
        run.id,
        source=source,
        **{k: v for k, v in report.as_dict().items() if k != "rejected"},
    )
    return report


# --- ratings -------------------------------------------------------------------------------


def rate(
    user,
    service: Service,
    *,
    scores: dict[str, int],
    channel: str,
    open_as_announced: bool | None,
    comment: str,
) -> Rating:
    """Record a rating; one within 90 days of the previous one replaces it."""
    if service.closed_at is not None:
        raise RatingError(_l("Ce service n'existe plus : il ne peut plus être évalué."))
    if service.is_frozen:
        raise RatingError(
            _l(
                "Les avis sur ce service sont suspendus pour vérification, à la "
                "suite d'un afflux inhabituel. Réessayez plus tard."
            )
        )
    if set(scores) != set(CRITERIA) or not all(1 <= v <= 5 for v in scores.values()):
        raise RatingError(_l("Donnez une note de 1 à 5 à chaque critère."))
    if channel not in CHANNELS:
        raise RatingError(_l("Indiquez comment vous avez contacté le service."))
    now = utcnow()
    latest = db.session.scalar(
        sa.select(Rating)
        .where(Rating.service_id == service.id, Rating.user_id == user.id)
        .order_by(Rating.sequence.desc())
        .limit(1)
    )
    if latest is not None and latest.created_at > now - RATING_WINDOW:
        rating = latest
    else:
        rating = Rating(
            service_id=service.id,
            user_id=user.id,
            created_at=now,
            sequence=(latest.sequence + 1) if latest else 1,
        )
        try:
            with db.session.begin_nested():
                for name, value in scores.items():
                    setattr(rating, name, value)
                rating.channel = channel
                db.session.add(rating)
        except IntegrityError:
            # A concurrent submission created it first: replace that one instead.
            return rate(
                user,
                service,
                scores=scores,
                channel=channel,
                open_as_announced=open_as_announced,
                comment=comment,
            )
    for name, value in scores.items():
        setattr(rating, name, value)
    rating.channel, rating.open_as_announced, rating.updated_at = channel, open_as_announced, now
    comment = comment.strip()
    if comment != rating.comment:
        rating.comment = comment
        rating.comment_status = ""
        db.session.flush()
        if comment:
            # Comments are always read by a moderator before publication.
            moderation.intake("rating_comment", rating, user, comment, premoderated=True)
            rating.comment_status = "pending"
    db.session.flush()
    _guard_burst(service, now)
    return rating


def _guard_burst(service: Service, now: datetime) -> None:
    """Freeze a service whose ratings arrive far faster than usual, and alert moderators."""
    last_hour = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Rating)
        .where(Rating.service_id == service.id, Rating.updated_at > now - timedelta(hours=1))
    )
    last_month = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Rating)
        .where(Rating.service_id == service.id, Rating.updated_at > now - timedelta(days=30))
    )
    usual_per_hour = last_month / (30 * 24)
    config = current_app.config
    if last_hour >= max(
        config["CIVIC_RATING_BURST_MIN"], config["CIVIC_RATING_BURST_FACTOR"] * usual_per_hour
    ):
        service.frozen_until = now + timedelta(hours=24)
        for moderator in moderation.moderators():
            notify(
                moderator,
                _l(
                    "Afflux d'avis sur « %(name)s » : les avis sont suspendus 24 heures.",
                    name=service.name,
                ),
            )
        audit(None, "services.frozen", "service", service.id, last_hour=last_hour)


def unfreeze(actor, service: Service) -> None:
    service.frozen_until = None
    audit(actor, "services.unfrozen", "service", service.id)


# --- pictures ------------------------------------------------------------------------------


def set_picture(actor, service: Service, data: bytes, alt: str) -> str | None:
    """The checks of every uploaded image (core.uploads); the text alternative is required.
    Returns the replaced file, for the caller to remove once the change is committed."""
    try:
        image = uploads.check_image(data)
    except uploads.UploadError as error:
        raise RatingError(str(error)) from error
    if not alt.strip():
        raise RatingError(_l("Décrivez l'image en quelques mots (texte alternatif)."))
    old = service.picture_filename
    service.picture_filename = uploads.store(data, image)
    service.picture_alt = alt.strip()
    audit(actor, "services.picture_set", "service", service.id)
    return old


def remove_picture(actor, service: Service) -> str | None:
    """Back to the drawing of its type. Returns the file, to remove once committed."""
    old = service.picture_filename
    service.picture_filename = None
    service.picture_alt = ""
    audit(actor, "services.picture_removed", "service", service.id)
    return old


# --- answers -------------------------------------------------------------------------------


def is_responsible(user, service: Service) -> bool:
    """Administrators answer every service; a commune's agent the services of their
    communes; the territory's agents the services (or types) they are responsible for."""
    if not user.is_authenticated:
        return False
    if user.has_role("admin"):
        return True
    scope = role_scope(user, "agent")
    if scope is not None:
        return service.commune_id in scope
    return (
        db.session.scalar(
            sa.select(
                sa.exists().where(
                    ServiceResponsibility.user_id == user.id,
                    sa.or_(
                        ServiceResponsibility.service_id == service.id,
                        ServiceResponsibility.service_type == service.type,
                    ),
                )
            )
        )
        or False
    )


def answer(agent, rating: Rating, *, text: str, signed_as: str, status: str) -> ServiceAnswer:
    if status not in {s.value for s in AnswerStatus}:
        raise RatingError(_l("Choisissez l'état de la réponse."))
    item = rating.answer or ServiceAnswer(rating_id=rating.id)
    item.text, item.signed_as, item.status = text.strip(), signed_as.strip(), status
    item.agent_id = agent.id
    db.session.add(item)
    db.session.flush()
    audit(agent, "services.answered", "service_rating", rating.id, status=status)
    if rating.user_id:
        from civic.accounts.models import User

        author = db.session.get(User, rating.user_id)
        if author and not author.is_deleted:
            notify(
                author,
                _l("Le service « %(name)s » a répondu à votre avis.", name=rating.service.name),
                url_for("ratings.show", service_id=rating.service_id, _anchor=f"avis-{rating.id}"),
            )
    return item


def set_responsible(
    actor, user, *, service: Service | None = None, service_type: str | None = None
) -> ServiceResponsibility:
    item = ServiceResponsibility(
        user_id=user.id,
        service_id=service.id if service else None,
        service_type=service_type or None,
    )
    db.session.add(item)
    db.session.flush()
    audit(
        actor,
        "services.responsible",
        "user",
        user.id,
        service=service.id if service else None,
        type=service_type,
    )
    return item


def open_proposal(agent, service: Service, consultation, *, title: str, body: str):
    """Close the loop: a weak criterion becomes a proposal in a consultation."""
    from civic.consultations import services as consultations

    proposal = consultations.enter_contribution(
        agent,
        consultation,
        title=title,
        body=body,
        theme="Services publics",
        commune_id=service.commune_id,
        channel="counter",
        place=str(_l("avis sur « %(name)s »", name=service.name)),
    )
    service.proposal_id = proposal.id
    db.session.flush()
    return proposal


def median_response_hours(service: Service) -> float | None:
    rows = db.session.execute(
        sa.select(Rating.created_at, ServiceAnswer.created_at)
        .join(ServiceAnswer, ServiceAnswer.rating_id == Rating.id)
        .where(Rating.service_id == service.id)
    ).all()
    if not rows:
        return None
    return statistics.median((answered - asked).total_seconds() / 3600 for asked, answered in rows)


def export_personal_data(user) -> dict:
    ratings = db.session.scalars(sa.select(Rating).where(Rating.user_id == user.id))
    return {
        "ratings": [
            {
                "service": r.service.name,
                "created_at": r.created_at.isoformat(),
                **{c: getattr(r, c) for c in CRITERIA},
                "channel": r.channel,
                "comment": r.comment,
            }
            for r in ratings
        ]
    }


def erase_personal_data(user) -> None:
    # Ratings stay counted; they no longer point to anyone.
    db.session.execute(sa.update(Rating).where(Rating.user_id == user.id).values(user_id=None))
    db.session.execute(
        sa.delete(ServiceResponsibility).where(ServiceResponsibility.user_id == user.id)
    )
