"""Directory listings and honest scores: Bayesian averages, Wilson bounds, small-n rule."""

import math
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from civic.core.formatting import collate
from civic.core.pagination import Page, paginate
from civic.extensions import db
from civic.ratings.models import ANSWER_LABELS, CHANNELS, CRITERIA, Rating, Service

MIN_RATINGS = 5  # below this, no score is shown ("pas encore assez d'avis")
PRIOR_WEIGHT = 5  # the type's mean counts as this many ratings
SATISFIED = 4  # a satisfaction of 4 or 5 counts as satisfied


def wilson_lower_bound(successes: int, n: int, z: float = 1.96) -> float:
    """Lower bound of the Wilson score interval: small samples do not rank high by luck."""
    if n == 0:
        return 0.0
    p = successes / n
    centre = p + z * z / (2 * n)
    margin = z * math.sqrt((p * (1 - p) + z * z / (4 * n)) / n)
    return (centre - margin) / (1 + z * z / n)


def bayesian_average(total: float, n: int, prior_mean: float, weight: int = PRIOR_WEIGHT) -> float:
    return (weight * prior_mean + total) / (weight + n)


def _filtered(query, q: str, commune_id: int | None, type_: str):
    if q:
        pattern = "%" + q.lower().replace("%", r"\%").replace("_", r"\_") + "%"
        query = query.where(sa.func.lower(Service.name).like(pattern, escape="\\"))
    if commune_id:
        query = query.where(Service.commune_id == commune_id)
    if type_:
        query = query.where(Service.type == type_)
    return query


def directory(page: int, *, q: str = "", commune_id: int | None = None, type_: str = "") -> Page:
    query = (
        sa.select(Service)
        .where(Service.closed_at.is_(None))
        .order_by(Service.sort_name, Service.id)
    )
    return paginate(_filtered(query, q, commune_id, type_), page)


def map_points(*, q: str = "", commune_id: int | None = None, type_: str = "") -> list[dict]:
    query = sa.select(
        Service.id,
        Service.name,
        Service.type,
        Service.latitude,
        Service.longitude,
        Service.picture_filename,
        Service.picture_alt,
    ).where(Service.closed_at.is_(None), Service.latitude.is_not(None))
    return [
        dict(row._mapping) for row in db.session.execute(_filtered(query, q, commune_id, type_))
    ]


def types() -> list[str]:
    return collate(
        db.session.scalars(
            sa.select(Service.type)
            .where(Service.closed_at.is_(None), Service.type != "")
            .distinct()
        )
    )


@dataclass
class Scores:
    count: int
    enough: bool
    averages: dict[str, float]  # Bayesian, per criterion
    raw_means: dict[str, float]
    distribution: list[int]  # satisfaction 1..5
    satisfied_share: float
    wilson: float
    rank: int | None = None
    rank_of: int | None = None


def _type_means(service_type: str) -> dict[str, float]:
    columns = [sa.func.avg(getattr(Rating, c)) for c in CRITERIA]
    row = db.session.execute(
        sa.select(*columns).join(Service).where(Service.type == service_type)
    ).one()
    return {c: float(v) if v is not None else 3.0 for c, v in zip(CRITERIA, row, strict=True)}


def _aggregates(where) -> dict[int, sa.Row]:
    columns = [sa.func.sum(getattr(Rating, c)).label(c) for c in CRITERIA]
    satisfied = sa.func.sum(sa.case((Rating.satisfaction >= SATISFIED, 1), else_=0))
    query = (
        sa.select(
            Rating.service_id, sa.func.count().label("n"), satisfied.label("satisfied"), *columns
        )
        .join(Service)
        .where(where)
        .group_by(Rating.service_id)
    )
    return {row.service_id: row for row in db.session.execute(query)}


def scores(service: Service) -> Scores:
    prior = _type_means(service.type)
    by_service = _aggregates(Service.type == service.type)
    row = by_service.get(service.id)
    n = row.n if row else 0
    distribution = [0] * 5
    for value, count in db.session.execute(
        sa.select(Rating.satisfaction, sa.func.count())
        .where(Rating.service_id == service.id)
        .group_by(Rating.satisfaction)
    ):
        distribution[value - 1] = count
    ranking = sorted(
        (
            (wilson_lower_bound(r.satisfied, r.n), sid)
            for sid, r in by_service.items()
            if r.n >= MIN_RATINGS
        ),
        reverse=True,
    )
    rank = next((i + 1 for i, (_, sid) in enumerate(ranking) if sid == service.id), None)
    return Scores(
        count=n,
        enough=n >= MIN_RATINGS,
        averages={
            c: bayesian_average(getattr(row, c), n, prior[c]) if row else prior[c] for c in CRITERIA
        },
        raw_means={c: getattr(row, c) / n if row else 0.0 for c in CRITERIA},
        distribution=distribution,
        satisfied_share=(row.satisfied / n) if row else 0.0,
        wilson=wilson_lower_bound(row.satisfied, n) if row else 0.0,
        rank=rank,
        rank_of=len(ranking),
    )


def satisfaction(services: list[tuple[int, str]]) -> dict[int, tuple[int, float | None]]:
    """For (id, type) pairs: the number of ratings and the satisfaction score the service's
    page shows (None under MIN_RATINGS), computed as `scores` computes it."""
    ids = [sid for sid, _type in services]
    found = _aggregates(Service.id.in_(ids)) if ids else {}
    priors: dict[str, float] = {}
    out = {}
    for sid, service_type in services:
        row = found.get(sid)
        n = row.n if row else 0
        if n < MIN_RATINGS:
            out[sid] = (n, None)
            continue
        if service_type not in priors:
            priors[service_type] = _type_means(service_type)["satisfaction"]
        out[sid] = (n, bayesian_average(row.satisfaction, n, priors[service_type]))
    return out


@dataclass
class Ranked:
    service: Service
    satisfied_share: float  # the share of ratings at 4 or 5
    bound: float  # the Wilson lower bound of that share, which orders the ranking
    count: int


def ranking(service_type: str) -> list[Ranked]:
    """Services of a type with enough ratings, best first by Wilson lower bound."""
    by_service = _aggregates(Service.type == service_type)
    eligible = {sid: r for sid, r in by_service.items() if r.n >= MIN_RATINGS}
    services = {
        s.id: s
        for s in db.session.scalars(sa.select(Service).where(Service.id.in_(list(eligible))))
    }
    rows = [
        Ranked(services[sid], r.satisfied / r.n, wilson_lower_bound(r.satisfied, r.n), r.n)
        for sid, r in eligible.items()
        if sid in services
    ]
    return sorted(rows, key=lambda row: (-row.bound, row.service.name))


def ranked_types() -> dict[str, int]:
    """Each open type of service with how many of its services have enough ratings to be
    ranked."""
    rated = (
        sa.select(Rating.service_id)
        .group_by(Rating.service_id)
        .having(sa.func.count() >= MIN_RATINGS)
        .subquery()
    )
    counts = dict(
        db.session.execute(
            sa.select(Service.type, sa.func.count(rated.c.service_id))
            .outerjoin(rated, rated.c.service_id == Service.id)
            .where(Service.closed_at.is_(None), Service.type != "")
            .group_by(Service.type)
        ).all()
    )
    return {t: counts[t] for t in collate(counts)}


def published_comments(service: Service, page: int) -> Page:
    query = (
        sa.select(Rating)
        .where(Rating.service_id == service.id, Rating.comment_status == "published")
        .order_by(Rating.updated_at.desc())
    )
    return paginate(query, page)


def own_rating(user, service: Service) -> Rating | None:
    if not user.is_authenticated:
        return None
    return db.session.scalar(
        sa.select(Rating)
        .where(Rating.service_id == service.id, Rating.user_id == user.id)
        .order_by(Rating.sequence.desc())
        .limit(1)
    )


def monthly_aggregates() -> list[dict]:
    """Per service and month: counts and means per criterion, cells under 5 suppressed."""
    month = sa.func.substr(sa.cast(Rating.created_at, sa.String), 1, 7)
    columns = [sa.func.avg(getattr(Rating, c)).label(c) for c in CRITERIA]
    query = (
        sa.select(
            month.label("month"),
            Service.id,
            Service.name,
            Service.type,
            Service.commune_id,
            sa.func.count().label("n"),
            *columns,
        )
        .join(Service)
        .group_by(month, Service.id, Service.name, Service.type, Service.commune_id)
        .order_by(month, Service.id)
    )
    rows = []
    for row in db.session.execute(query):
        enough = row.n >= MIN_RATINGS
        rows.append(
            {
                "mois": row.month,
                "service_id": row.id,
                "service": row.name,
                "type": row.type,
                "commune_id": row.commune_id,
                "nombre_avis": row.n if enough else None,
                **{c: round(float(getattr(row, c)), 2) if enough else None for c in CRITERIA},
            }
        )
    return rows


def exported_comments() -> list[dict]:
    """Comments accepted by moderation (personal data already edited out), no person."""
    month = sa.func.substr(sa.cast(Rating.created_at, sa.String), 1, 7)
    query = (
        sa.select(month.label("month"), Rating.service_id, Rating.comment)
        .where(Rating.comment_status == "published")
        .order_by(Rating.service_id, month)
    )
    return [
        {"mois": r.month, "service_id": r.service_id, "commentaire": r.comment}
        for r in db.session.execute(query)
    ]


def contributions_of(user) -> dict:
    """This person's ratings, the latest first, with the service's answer."""
    ratings = db.session.scalars(
        sa.select(Rating)
        .where(Rating.user_id == user.id)
        .options(selectinload(Rating.service), selectinload(Rating.answer))
        .order_by(Rating.updated_at.desc())
    ).all()
    if not ratings:
        return {}
    return {"ratings": ratings, "channels": CHANNELS, "answer_labels": ANSWER_LABELS}
