"""The registry of the datasets the platform publishes, each registered by the package that
owns its data (as moderation kinds are), so that the catalogue, the files and the API serve
every package's open data without knowing any.

A dataset yields plain rows keyed by id, so that the CSV and JSON files, the catalogue and
the API all serve the same data. No author identity, no hidden item, no draft consultation,
never who voted what (votes reveal political opinions): only totals.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import islice

import sqlalchemy as sa

# Table Schema types.
STR, INT, NUM, DATE, BOOL = "string", "integer", "number", "datetime", "boolean"


@dataclass(frozen=True)
class Dataset:
    name: str  # in the files' and the API's URLs: never renamed
    title: object
    description: object
    frequency: str  # DCAT: "daily", "weekly", "monthly"
    fields: list[tuple[str, str, str]]  # name, Table Schema type, description
    # (consultation_id=None, since=None, after=0, limit=None) -> rows, in a stable order: by
    # "id" after the id `after` when the dataset has one, otherwise skipping `after` rows.
    rows: Callable[..., Iterator[dict]]
    by_consultation: bool = False  # the rows can be filtered by consultation
    since: str | None = None  # the date field that the "since" filter applies to, if any

    @property
    def field_names(self) -> list[str]:
        return [f[0] for f in self.fields]

    @property
    def filters(self) -> list[str]:
        return ["consultation"] * self.by_consultation + ["since"] * (self.since is not None)

    @property
    def key(self) -> str | None:
        """The column the API pages on; without one it pages by position."""
        return "id" if "id" in self.field_names else None


_datasets: dict[str, Dataset] = {}


def register(dataset: Dataset) -> None:
    """At start-up, by the owning package. Two packages cannot publish under one name."""
    known = _datasets.get(dataset.name)
    if known is not None and known.rows is not dataset.rows:
        raise ValueError(f"two datasets named {dataset.name!r}")
    _datasets[dataset.name] = dataset


def datasets() -> list[Dataset]:
    """Every published dataset, by name: an order that does not hang on which package
    happened to start first."""
    return [_datasets[name] for name in sorted(_datasets)]


def get(name: str) -> Dataset | None:
    return _datasets.get(name)


# --- what the datasets' row functions share ----------------------------------------------


def published(query, column):
    """Only rows of published consultations."""
    from civic.consultations.models import Consultation

    return query.where(
        column.in_(sa.select(Consultation.id).where(Consultation.published_at.is_not(None)))
    )


def keyset(query, column, after: int, limit: int | None):
    """Keyset pagination in SQL: the rows whose id comes after `after`, at most `limit`."""
    query = query.where(column > after).order_by(column)
    return query.limit(limit) if limit is not None else query


def offset(rows, after: int, limit: int | None):
    """Positional pagination, for the small aggregated datasets that have no id."""
    return islice(rows, after, None if limit is None else after + limit)


def iso(value):
    return value.isoformat() if value else None
