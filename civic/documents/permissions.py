"""Who may do what on a draft text: role, phase (and its audience) and ownership.

Reacting follows the phase's "commentaires" feature, amending its "propositions" feature and
voting on amendments its "votes" feature, so that a phase reserved to the elected officials
then a public phase work on the text as on proposals.
"""

from civic.consultations.models import Feature
from civic.core.permissions import (
    Predicate,
    always,
    can_take_part,
    has_role,
    is_authenticated,
    register,
)
from civic.documents.models import Amendment, Draft, DraftItem, ItemKind, Status

is_manager = has_role("agent", "admin")
is_official = has_role("elected", "agent", "admin")


def _draft(obj) -> Draft | None:
    if isinstance(obj, Draft):
        return obj
    if isinstance(obj, DraftItem):
        return obj.version.draft
    if isinstance(obj, Amendment):
        return obj.item.version.draft
    return None


def _phase_opens(feature: Feature) -> Predicate:
    def check(user, obj):
        draft = _draft(obj)
        if draft is None or not draft.consultation.is_published:
            return False
        phase = draft.consultation.current_phase()
        return phase is not None and phase.opens(feature) and phase.admits(user)

    return Predicate(check, f"draft_phase_opens({feature})")


def _on_current_version(user, obj) -> bool:
    """A passage of the version in force (or the draft itself), not of an older one."""
    if isinstance(obj, Draft):
        return obj.current_version_id is not None
    return isinstance(obj, DraftItem) and (
        obj.kind != ItemKind.HEADING and obj.version.draft.current_version_id == obj.version_id
    )


def _amendment_open(user, obj) -> bool:
    """Published, not yet answered, and on the version in force (the text it amends is
    still the one residents read)."""
    return (
        isinstance(obj, Amendment)
        and obj.status == Status.PUBLISHED
        and obj.decision is None
        and obj.item.version.draft.current_version_id == obj.item.version_id
    )


def _visible(user, obj) -> bool:
    draft = _draft(obj)
    return draft is None or draft.consultation.is_published


on_current_version = Predicate(_on_current_version, "on_current_version")
amendment_open = Predicate(_amendment_open, "amendment_open")
is_visible = Predicate(_visible, "draft_visible")

# Route level: who may reach a URL; the views then ask the object-level rules.
register("documents.browse", always)
register("documents.participate", is_authenticated)
register("documents.view", is_visible | is_manager)
register("documents.react", can_take_part & on_current_version & _phase_opens(Feature.COMMENTING))
register("documents.amend", can_take_part & on_current_version & _phase_opens(Feature.PROPOSING))
register("documents.vote", can_take_part & amendment_open & _phase_opens(Feature.VOTING))
register("documents.decide", is_official)
register("documents.manage", is_manager)
register("documents.own", is_authenticated)
