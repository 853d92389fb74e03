import sqlalchemy as sa

from civic.core.formatting import collate, sort_key
from civic.extensions import db
from civic.territory.models import Commune

# The communes of the territory today: those a reload dropped are kept but closed.
OPEN = Commune.closed_at.is_(None)


def communes() -> list[Commune]:
    """The communes in French alphabetical order (Péchabou before Pouze)."""
    return collate(db.session.scalars(sa.select(Commune).where(OPEN)), "name")


def commune_choices(ids: frozenset[int] | None = None) -> list[tuple[int, str]]:
    """(id, name) of the territory's communes, or of those among `ids` (a role's scope)."""
    query = sa.select(Commune.id, Commune.name).where(OPEN)
    if ids is not None:
        query = query.where(Commune.id.in_(ids))
    rows = db.session.execute(query)
    return sorted(((row.id, row.name) for row in rows), key=lambda row: sort_key(row[1]))


def total_population() -> int:
    return db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(Commune.population), 0)).where(OPEN)
    )


def by_insee(insee: str) -> Commune | None:
    return db.session.scalar(sa.select(Commune).where(Commune.insee == insee))
