"""Who may do what around a workshop: role, the workshop's stage and a seat at its table."""


import sqlalchemy as sa

from civic.core.models import utcnow
from civic.core.permissions import (
    Predicate,
    always,
    can_take_part,
    has_role,
    has_role_in,
    is_authenticated,
    register,
)
from civic.extensions import db


def _workshop_commune(obj):
    return [_workshop(obj).commune_id]


# A commune's facilitator runs the workshops held in their commune; a workshop of no single
# commune belongs to the territory's facilitators.
is_facilitator = has_role("facilitator", "admin") | has_role_in(
    "facilitator", communes=_workshop_commune
)
# Agents recruit volunteers at the counter and by phone, as they enter paper contributions.
is_recruiter = has_role("agent", "facilitator", "admin") | has_role_in(
    "agent", "facilitator", communes=_workshop_commune
)
is_staff = has_role("agent", "elected", "facilitator", "admin")


def _workshop(obj):
    return getattr(obj, "workshop", None) or obj


def _seated(user, obj) -> bool:
    from civic.workshops.models import Participant

    workshop = _workshop(obj)
    if workshop is None or not user.is_authenticated:
        return False
    return (
        db.session.scalar(
            sa.select(Participant.id).where(
                Participant.workshop_id == workshop.id, Participant.user_id == user.id
            )
        )
        is not None
    )


is_seated = Predicate(_seated, "is_seated")
is_published = Predicate(lambda u, o: o is None or _workshop(o).is_published, "is_published")
call_is_open = Predicate(lambda u, o: o is not None and o.call_is_open(), "call_is_open")
# The board is open to the table from `board_opens_at` until the minutes are out.
board_is_open = Predicate(
    lambda u, o: (
        o is not None
        and o.minutes_published_at is None
        and utcnow() >= o.board_opens_at
    ),
    "board_is_open",
)
vote_is_open = Predicate(lambda u, o: o is not None and o.vote_open, "vote_is_open")
minutes_are_out = Predicate(
    lambda u, o: o is None or o.minutes_published_at is not None, "minutes_are_out"
)

# Route level: who may reach a URL at all. The views then check the object-level rules below.
register("workshops.browse", always)
register("workshops.participate", is_authenticated)
register("workshops.view", is_published | is_facilitator)
register("workshops.manage", is_facilitator)
# The facilitator sets the workshop's cover image, on the workshop's form.
register("workshops.set_cover", is_facilitator)
register("workshops.recruit", is_recruiter)
register("workshops.dashboard", is_staff)
register("workshops.volunteer", can_take_part & call_is_open)
register("workshops.see_board", is_seated | is_facilitator)
register("workshops.post_note", (can_take_part & is_seated & board_is_open) | is_facilitator)
register("workshops.vote", can_take_part & is_seated & vote_is_open)
register("workshops.read_minutes", (is_published & minutes_are_out) | is_facilitator)
