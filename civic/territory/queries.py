import sqlalchemy as sa

from civic.core.formatting import collate, sort_key
from civic.extensions import db
from civic.territory.models import Commune


def communes() -> list[Commune]:
    """The communes in French alphabetical order (Péchabou before Pouze)."""
    return collate(db.session.scalars(sa.select(Commune)), "name")


def commune_choices() -> list[tuple[int, str]]:
    rows = db.session.execute(sa.select(Commune.id, Commune.name))
    return sorted(((row.id, row.name) for row in rows), key=lambda row: sort_key(row[1]))


def total_population() -> int:
    return db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(Commune.population), 0)))
