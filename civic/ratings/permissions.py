from civic.core.permissions import (
    Predicate,
    always,
    can_take_part,
    has_role,
    has_role_in,
    register,
)

register("ratings.browse", always)
register("ratings.rate", can_take_part)
is_agent = has_role("agent", "admin") | has_role_in("agent", communes=lambda s: [s.commune_id])
# Route level; the view then asks "ratings.answer" for the service itself.
register("ratings.answer_any", is_agent)
# Route level; the view then asks "ratings.set_picture" for the service itself.
register("ratings.pictures", is_agent)
register("ratings.manage", has_role("agent", "admin"))


def _responsible(user, service) -> bool:
    from civic.ratings.services import is_responsible

    return service is not None and is_responsible(user, service)


# The agent responsible for this service (or its type) answers; administrators too.
is_responsible = Predicate(_responsible, "responsible_for_service")
register("ratings.answer", is_responsible)
# Those who answer for a service show it as it is: its own picture, in place of its type's.
register("ratings.set_picture", is_responsible)
