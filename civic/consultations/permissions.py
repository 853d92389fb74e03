"""Who may do what in a consultation: role, phase and ownership, one line per permission."""

from civic.consultations.models import Feature, ProposalStatus
from civic.core.permissions import (
    Predicate,
    always,
    can_take_part,
    has_role,
    has_role_in,
    is_authenticated,
    register,
    role_scope,
)

is_manager = has_role("agent", "admin")
is_official = has_role("elected", "agent", "admin")


def _consultation(obj):
    """The consultation of a consultation, proposal or comment."""
    return getattr(obj, "consultation", None) or obj


def _concerned_communes(obj):
    """The communes a consultation concerns: all of them when it names none."""
    consultation = _consultation(obj)
    if consultation.all_communes or not consultation.communes:
        from civic.territory.queries import communes

        return [c.id for c in communes()]
    return [c.id for c in consultation.communes]


# A commune's agent enters the paper contributions gathered in their mairie, for any
# consultation that concerns their commune; a commune's mayor (or agent) answers the
# proposals about their commune.
enters_for_commune = has_role_in("agent", communes=_concerned_communes)
answers_for_commune = has_role_in("elected", "agent", communes=lambda p: [p.commune_id])


def _runs_for_commune(user, obj) -> bool:
    """A commune's agent runs the consultations of their communes: those that name only
    communes of their scope (never one of the whole territory)."""
    scope = role_scope(user, "agent")
    if not scope:  # None: the territory's agent, whom is_manager admits; empty: no agent
        return False
    if obj is None:
        return True  # the list and the creation form, narrowed to the scope by the views
    consultation = _consultation(obj)
    ids = {c.id for c in consultation.communes}
    return not consultation.all_communes and bool(ids) and ids <= scope


runs_for_commune = Predicate(_runs_for_commune, "runs_for_commune")


def _phase_opens(feature: Feature) -> Predicate:
    def check(user, obj):
        consultation = _consultation(obj)
        if consultation is None or not consultation.is_published:
            return False
        phase = consultation.current_phase()
        return phase is not None and phase.opens(feature) and phase.admits(user)

    return Predicate(check, f"phase_opens({feature})")


is_published = Predicate(lambda u, o: o is None or _consultation(o).is_published, "is_published")
is_author = Predicate(
    lambda u, o: o is not None and u.is_authenticated and o.author_id == u.id, "is_author"
)
proposal_is_live = Predicate(
    lambda u, o: o is not None and o.status == ProposalStatus.PUBLISHED, "proposal_is_live"
)

# Route level: who may reach a URL at all. The views then check the object-level rules below.
register("consultations.browse", always)
register("consultations.participate", is_authenticated)
register("consultations.view", is_published | is_manager | runs_for_commune)
register("consultations.manage", is_manager)
register("consultations.manage_commune", is_manager | runs_for_commune)
register("consultations.propose", can_take_part & _phase_opens(Feature.PROPOSING))
register("consultations.edit_proposal", can_take_part & is_author & _phase_opens(Feature.PROPOSING))
register("consultations.withdraw_proposal", is_author & proposal_is_live)
register(
    "consultations.comment", is_authenticated & proposal_is_live & _phase_opens(Feature.COMMENTING)
)
register("consultations.vote", can_take_part & proposal_is_live & _phase_opens(Feature.VOTING))
register("consultations.enter_contribution", is_manager | enters_for_commune)
register("consultations.answer", is_official | answers_for_commune)
register("consultations.add_milestone", is_official | answers_for_commune)
register("consultations.follow", is_authenticated & is_published)
register("consultations.own_contributions", is_authenticated)
register("consultations.manage_glossary", is_manager)
