"""Computing opinion groups from a consultation's votes, and keeping its map up to date."""

from datetime import timedelta

from civic.analysis.positions import queries
from civic.analysis.positions.models import OpinionMap
from civic.core import jobs
from civic.core.models import utcnow
from civic.extensions import db

MIN_VOTES = 7  # Pol.is: a participant is placed after 7 votes
# The map is recomputed once the votes have grown by this share since the last computation
# (at least MIN_NEW_VOTES new votes); a request older than RETRY_AFTER is asked again.
NEW_VOTES_SHARE = 0.05
MIN_NEW_VOTES = 10
RETRY_AFTER = timedelta(minutes=10)


def compute_opinions(consultation_id: int, *, seed: int = 0, previous: dict | None = None) -> dict:
    """Pol.is's opinion groups of a consultation's votes, as stored data; `previous` (a stored
    result) carries Pol.is's memory: who was in, the k smoother, the groups' ids."""
    from civic.analysis.pipeline import opinion_groups

    previous = previous or {}
    result = opinion_groups(
        queries.opinion_votes(consultation_id),
        moderated_out=queries.moderated_out(consultation_id),
        seed=seed,
        previous={g["id"]: g["participants"] for g in previous.get("groups", [])},
        previously_included=[p for g in previous.get("groups", []) for p in g["participants"]],
        k_state=previous.get("k_state"),
    )
    return result.to_dict()


def refresh_map(consultation_id: int) -> None:
    """Job: recompute the consultation's opinion map."""
    opinion_map = queries.opinion_map(consultation_id) or _new_map(consultation_id)
    votes = queries.vote_count(consultation_id)
    opinion_map.data = compute_opinions(consultation_id, previous=opinion_map.data)
    opinion_map.votes = votes
    opinion_map.computed_at = utcnow()
    db.session.flush()


def _new_map(consultation_id: int) -> OpinionMap:
    opinion_map = OpinionMap(consultation_id=consultation_id, data={}, votes=0)
    db.session.add(opinion_map)
    db.session.flush()
    return opinion_map


def is_stale(opinion_map: OpinionMap | None, votes: int) -> bool:
    if opinion_map is None or opinion_map.computed_at is None:
        return True
    return votes - opinion_map.votes >= max(MIN_NEW_VOTES, NEW_VOTES_SHARE * opinion_map.votes)


def request_refresh(consultation_id: int) -> OpinionMap:
    """Ask for a recomputation in the background when enough new votes came in since the
    last one (and none is already asked for); inline when there is no job queue."""
    opinion_map = queries.opinion_map(consultation_id) or _new_map(consultation_id)
    if not is_stale(opinion_map, queries.vote_count(consultation_id)):
        return opinion_map
    now = utcnow()
    asked = opinion_map.requested_at
    pending = asked and (opinion_map.computed_at is None or asked > opinion_map.computed_at)
    if pending and now - asked < RETRY_AFTER:
        return opinion_map  # already asked for
    opinion_map.requested_at = now
    db.session.flush()
    jobs.enqueue("civic.analysis.positions.services.refresh_map", consultation_id)
    return opinion_map
