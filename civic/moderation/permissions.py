from civic.core.permissions import (
    Predicate,
    always,
    can_take_part,
    has_role,
    is_authenticated,
    register,
)

is_moderator = has_role("moderator", "admin")
is_case_author = Predicate(
    lambda u, o: o is not None and u.is_authenticated and o.author_id == u.id, "is_case_author"
)

register("moderation.report", can_take_part)
register("moderation.moderate", is_moderator)
register("moderation.appeal", is_case_author)
register("moderation.read_log", always)
register("moderation.lift_block", has_role("admin"))
# A blocked author may still appeal: the view checks that the case is theirs.
register("moderation.own_cases", is_authenticated)
