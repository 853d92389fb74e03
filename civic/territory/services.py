"""Load the territory's communes from official files; the demo's are shipped in data/."""

from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from civic.core.models import utcnow
from civic.extensions import db
from civic.territory import sources
from civic.territory.models import Commune

DATA = Path(__file__).parent / "data"
# The demo and default territory: IGN Admin Express 2021 extracts of the Sicoval's communes.
# The WGS84 file has simplified outlines; the Lambert-93 one gives populations and EPCI.
DEFAULT_FILES = (DATA / "sicoval_coms_wgs84.geojson", DATA / "sicoval_coms_21.geojson")
# INSEE code -> postcode (INSEE COG and DGFiP FIMOCT, via the codes-postaux package; MIT).
DEFAULT_POSTCODES = DATA / "sicoval_postcodes.csv"

COLUMNS = (
    "name",
    "population",
    "population_known",
    "epci",
    "departement",
    "postcode",
    "outline",
    "latitude",
    "longitude",
)


def read_postcodes(path: Path = DEFAULT_POSTCODES) -> dict[str, str]:
    return sources.read_postcodes(path)


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    closed: int = 0


def read_communes(
    paths: list[Path] | None = None,
    *,
    postcodes: dict[str, str] | None = None,
    epci: str | None = None,
    departement: str | None = None,
    communes: set[str] | None = None,
) -> list[dict]:
    """The territory's communes, ready for load_communes(); with no path, the default one."""
    if not paths:
        paths = list(DEFAULT_FILES)
        postcodes = read_postcodes() | (postcodes or {})
    rows = sources.select(
        sources.merge([sources.read_file(path) for path in paths]),
        epci=epci,
        departement=departement,
        communes=communes,
    )
    postcodes = postcodes or {}
    for row in rows:
        known = row.get("population") is not None
        row["population_known"] = known
        row["population"] = row["population"] if known else 0
        row["postcode"] = postcodes.get(row["insee"]) or row.get("postcode") or ""
        row.setdefault("outline", None)
        row.setdefault("latitude", None)
        row.setdefault("longitude", None)
    return rows


def load_communes(rows: list[dict] | None = None) -> LoadResult:
    """Create or update the communes by INSEE code; those the rows no longer list leave the
    territory (closed, never deleted); running it twice changes nothing."""
    result = LoadResult()
    rows = rows if rows is not None else read_communes()
    existing = {c.insee: c for c in db.session.scalars(sa.select(Commune))}
    now = utcnow()
    for row in rows:
        values = {key: row[key] for key in COLUMNS if key in row}
        commune = existing.pop(row["insee"], None)
        if commune is None:
            db.session.add(Commune(insee=row["insee"], **values))
            result.created += 1
            continue
        changed = commune.closed_at is not None
        commune.closed_at = None
        for key, value in values.items():
            if getattr(commune, key) != value:
                setattr(commune, key, value)
                changed = True
        if changed:
            result.updated += 1
        else:
            result.unchanged += 1
    for commune in existing.values():
        if commune.closed_at is None:
            commune.closed_at = now
            result.closed += 1
    db.session.flush()
    return result


# --- following a commune ------------------------------------------------------------------


def follow(user, commune: Commune, following: bool = True) -> None:
    """Follow a commune (told when a consultation or a workshop opens there), or stop."""
    from civic.territory.models import CommuneFollow

    mine = sa.select(CommuneFollow).where(
        CommuneFollow.commune_id == commune.id, CommuneFollow.user_id == user.id
    )
    item = db.session.scalar(mine)
    if following and item is None:
        db.session.add(CommuneFollow(commune_id=commune.id, user_id=user.id))
    elif not following and item is not None:
        db.session.delete(item)
    db.session.flush()


def tell_followers(commune_ids, message_for, link: str) -> int:
    """Notify the followers of these communes once each; `message_for(commune)` gives the
    lazily translated message (written in each follower's language by notify)."""
    from civic.accounts.models import User
    from civic.core.notify import notify
    from civic.territory.models import CommuneFollow

    ids = [i for i in commune_ids if i is not None]
    if not ids:
        return 0
    rows = db.session.execute(
        sa.select(User, Commune)
        .join(CommuneFollow, CommuneFollow.user_id == User.id)
        .join(Commune, Commune.id == CommuneFollow.commune_id)
        .where(CommuneFollow.commune_id.in_(ids), User.deleted_at.is_(None))
        .order_by(User.id, Commune.name)
    ).all()
    told = set()
    for user, commune in rows:
        if user.id not in told:
            notify(user, message_for(commune), link)
            told.add(user.id)
    return len(told)


def export_personal_data(user) -> dict:
    """The communes a person follows, for their data export."""
    from civic.territory.models import CommuneFollow

    rows = db.session.execute(
        sa.select(Commune.insee, Commune.name, CommuneFollow.created_at)
        .join(CommuneFollow, CommuneFollow.commune_id == Commune.id)
        .where(CommuneFollow.user_id == user.id)
        .order_by(Commune.name)
    )
    return {
        "followed_communes": [
            {"insee": r.insee, "name": r.name, "since": r.created_at.isoformat()} for r in rows
        ]
    }


def erase_personal_data(user) -> None:
    from civic.territory.models import CommuneFollow

    db.session.execute(sa.delete(CommuneFollow).where(CommuneFollow.user_id == user.id))
