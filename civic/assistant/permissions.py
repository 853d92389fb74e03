"""Who may do what with the assistant.

Anyone asks, sends a request and follows it by its reference. Agents, facilitators and
administrators handle requests, write help pages and review the questions not understood.
Which requests an agent sees goes through `in_scope`: the commune-scoped roles of the territory
issue plug in there, on the request's `commune_id`.
"""

from civic.core.permissions import Predicate, always, has_role, register

is_staff = has_role("agent", "facilitator", "admin")


def in_scope(user, request) -> bool:
    """Every request, for now: agents are not yet scoped to communes."""
    return True


handles = is_staff & Predicate(lambda u, r: r is None or in_scope(u, r), "in_scope")

register("assistant.ask", always)
register("assistant.handle", handles)
register("assistant.manage_help", is_staff)
register("assistant.review", is_staff)
