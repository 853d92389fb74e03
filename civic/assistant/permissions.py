"""Who may do what with the assistant.

Anyone asks, sends a request and follows it by its reference. Agents, facilitators and
administrators handle requests, write help pages and review the questions not understood.
Which requests an agent handles is decided by `commune_scope`: today, an agent whose account
belongs to a commune handles that commune's requests and those routed to no commune, as for
the agenda; the commune-scoped roles of the territory issue plug in there, on the request's
`commune_id`.
"""

import sqlalchemy as sa

from civic.core.permissions import Predicate, always, has_role, register

is_staff = has_role("agent", "facilitator", "admin")
is_global = has_role("facilitator", "admin")


def commune_scope(user) -> set[int | None] | None:
    """The communes whose requests a user handles (None in the set: routed to no commune);
    None: every request."""
    if is_global(user) or (is_staff(user) and not user.commune_id):
        return None
    if not is_staff(user):
        return set()
    return {None, user.commune_id}


def in_scope(user, request) -> bool:
    scope = commune_scope(user)
    return scope is None or request.commune_id in scope


def scope_clause(user):
    """The requests a user handles, as a SQL condition."""
    from civic.assistant.models import Request

    scope = commune_scope(user)
    if scope is None:
        return sa.true()
    ids = [i for i in scope if i is not None]
    return (
        sa.or_(Request.commune_id.is_(None), Request.commune_id.in_(ids)) if scope else sa.false()
    )


handles = is_staff & Predicate(lambda u, r: r is None or in_scope(u, r), "in_scope")

register("assistant.ask", always)
register("assistant.handle", handles)
register("assistant.manage_help", is_staff)
register("assistant.review", is_staff)
