from civic.core.permissions import has_role, has_role_in, register


def _proposal_commune(obj):
    """The commune of a proposal, or of the proposal a draft answers."""
    proposal = getattr(obj, "proposal", None) or obj
    return [proposal.commune_id]


# Officials answer; agents and administrators too (as for the official answer of a proposal).
# A commune's officials answer what concerns their communes: the list is narrowed to them.
register(
    "answers.answer",
    has_role("elected", "agent", "admin")
    | has_role_in("elected", "agent", communes=_proposal_commune),
)
register("answers.manage", has_role("elected", "agent", "admin"))
