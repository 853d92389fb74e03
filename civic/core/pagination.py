"""Pagination in SQL: one COUNT and one LIMIT/OFFSET query per page."""

from dataclasses import dataclass

import sqlalchemy as sa

from civic.core.inputs import int_arg
from civic.extensions import db

PER_PAGE = 20


@dataclass
class Page:
    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def page_arg() -> int:
    """The `page` query argument; anything but a positive integer is a 404, never a 500."""
    return int_arg("page", 1, high=100_000, status=404)


def paginate(query: sa.Select, page: int, per_page: int = PER_PAGE) -> Page:
    total = db.session.scalar(
        sa.select(sa.func.count()).select_from(query.order_by(None).subquery())
    )
    items = list(db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)))
    return Page(items=items, page=page, per_page=per_page, total=total)
