import sqlalchemy as sa

from civic.extensions import db
from civic.territory.models import Commune


def communes() -> list[Commune]:
    return list(db.session.scalars(sa.select(Commune).order_by(Commune.name)))


def commune_choices() -> list[tuple[int, str]]:
    rows = db.session.execute(sa.select(Commune.id, Commune.name).order_by(Commune.name))
    return [(row.id, row.name) for row in rows]


def total_population() -> int:
    return db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(Commune.population), 0)))
