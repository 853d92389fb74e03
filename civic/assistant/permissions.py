"""Who may do what with the assistant.

Anyone asks, sends a request and follows it by its reference. Staff of the whole territory
(agents, facilitators, administrators) handle every request, write help pages and review the
questions not understood. A role granted for some communes (core.permissions.role_scope)
handles the requests of those communes, and those routed to no commune yet.
"""

import sqlalchemy as sa

from civic.core.permissions import Predicate, always, has_role, register, role_scope

STAFF = ("agent", "facilitator", "admin")
is_staff = has_role(*STAFF)


def commune_scope(user) -> set[int | None] | None:
    """The communes whose requests a user handles (None in the set: routed to no commune);
    None: every request."""
    scope = role_scope(user, *STAFF)
    if scope is None:
        return None
    return {None, *scope} if scope else set()


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


handles = Predicate(
    lambda u, r: commune_scope(u) != set() and (r is None or in_scope(u, r)), "handles_request"
)

register("assistant.ask", always)
register("assistant.handle", handles)
register("assistant.manage_help", is_staff)
register("assistant.review", is_staff)
