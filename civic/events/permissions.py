"""Who may do what in the agenda.

Administrators and facilitators publish for every organiser; agents and elected officials
for the Sicoval and for their own commune (the commune of their account). Anyone may read
published and cancelled events and register, with or without an account.
"""

import sqlalchemy as sa

from civic.core.permissions import Predicate, always, has_role, register, role_scope

is_publisher = has_role("agent", "elected", "facilitator", "admin")
is_global_publisher = has_role("facilitator", "admin")
# Agents import the territory's agenda files, as they import the services' open data.
is_importer = has_role("agent", "facilitator", "admin")


def organiser_ids(user) -> set[int | None] | None:
    """The organisers a user may publish for (None in the set: the Sicoval); None: all."""
    if is_global_publisher(user):
        return None
    if not is_publisher(user):
        # A role granted for some communes (issue 23): those communes' events only.
        return set(role_scope(user, "agent", "elected", "facilitator") or ())
    return {None, user.commune_id} if user.commune_id else {None}


def in_scope(user, organiser_commune_id: int | None) -> bool:
    allowed = organiser_ids(user)
    return allowed is None or organiser_commune_id in allowed


def scope_clause(user):
    """The events a user manages, as a SQL condition."""
    from civic.events.models import Event

    allowed = organiser_ids(user)
    if allowed is None:
        return sa.true()
    if not allowed:
        return sa.false()
    ids = [i for i in allowed if i is not None]
    return sa.or_(
        Event.organiser_commune_id.is_(None) if None in allowed else sa.false(),
        Event.organiser_commune_id.in_(ids),
        Event.created_by_id == user.id,
    )


def _manages(user, event) -> bool:
    publisher = organiser_ids(user) != set()
    if event is None:
        return publisher
    return publisher and (
        in_scope(user, event.organiser_commune_id) or event.created_by_id == user.id
    )


manages = Predicate(_manages, "manages")
is_public = Predicate(lambda u, e: e is None or e.is_public, "is_public")
registration_open = Predicate(
    lambda u, e: e is not None and e.registration_is_open(), "registration_open"
)
report_out = Predicate(lambda u, e: e is None or e.report_published_at is not None, "report_out")

register("events.browse", always)
register("events.view", is_public | manages)
register("events.register", registration_open)
register("events.read_report", (is_public & report_out) | manages)
register("events.manage", manages)
register("events.import", is_importer)
