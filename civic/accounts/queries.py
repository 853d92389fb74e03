import sqlalchemy as sa

from civic.accounts.models import RoleGrant, User
from civic.core.models import AuditEvent
from civic.core.notify import Notification, OutboxEmail
from civic.core.pagination import Page, paginate
from civic.extensions import db


def search_users(q: str, page: int, role: str = "") -> Page:
    query = sa.select(User).where(User.deleted_at.is_(None)).order_by(User.id)
    if q:
        pattern = "%" + q.strip().lower().replace("%", r"\%").replace("_", r"\_") + "%"
        query = query.where(
            sa.or_(
                User.email.like(pattern, escape="\\"),
                sa.func.lower(User.display_name).like(pattern, escape="\\"),
            )
        )
    if role:
        query = query.where(User.grants.any(RoleGrant.role == role))
    return paginate(query, page)


def audit_events(page: int) -> Page:
    return paginate(sa.select(AuditEvent).order_by(AuditEvent.id.desc()), page)


def outbox(page: int) -> Page:
    return paginate(sa.select(OutboxEmail).order_by(OutboxEmail.id.desc()), page)


def notifications(user: User, page: int) -> Page:
    query = (
        sa.select(Notification)
        .where(Notification.user_id == user.id)
        .order_by(Notification.id.desc())
    )
    return paginate(query, page)


def unread_count(user: User) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
    )
