"""Database objects that the migrations create outside the models (full-text search)."""

SEARCH_OBJECTS = {"proposal_fts", "ix_proposal_fts", "ix_proposal_fts_stems"}


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """For Alembic: leave the search objects out of model comparisons."""
    return not (name and (name in SEARCH_OBJECTS or name.startswith("proposal_fts_")))
