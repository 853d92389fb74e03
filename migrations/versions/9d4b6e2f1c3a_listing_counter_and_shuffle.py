"""consultations: the listing's count, filter options and shuffled order without a full scan

- consultation.published_proposals: the number of published proposals, kept by triggers in
  the same transaction as every insert, delete or change of status (whatever code makes it),
  so that the unfiltered list shows its total without counting 10,000 rows per page;
- consultation.listing_version: a random value drawn anew by the same triggers whenever a
  proposal is added or removed or changes status, theme or commune: what the app caches of a
  listing (its filter options) is keyed on it;
- proposal.shuffle_key: a random position, indexed with the id: the visitor's shuffled order
  reads the index from the visitor's own starting point (see queries._random_ranked).

Revision ID: 9d4b6e2f1c3a
Revises: 3c9e1f4b7a20
Create Date: 2026-11-26 02:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "9d4b6e2f1c3a"
down_revision = "3c9e1f4b7a20"
branch_labels = None
depends_on = None

SQLITE = [
    "CREATE TRIGGER proposal_listing_ai AFTER INSERT ON proposal BEGIN "
    "UPDATE consultation SET published_proposals = published_proposals "
    "+ (new.status = 'published'), listing_version = random() "
    "WHERE id = new.consultation_id; END",
    "CREATE TRIGGER proposal_listing_ad AFTER DELETE ON proposal BEGIN "
    "UPDATE consultation SET published_proposals = published_proposals "
    "- (old.status = 'published'), listing_version = random() "
    "WHERE id = old.consultation_id; END",
    "CREATE TRIGGER proposal_listing_au "
    "AFTER UPDATE OF status, theme, commune_id, consultation_id ON proposal BEGIN "
    "UPDATE consultation SET published_proposals = published_proposals "
    "- (old.status = 'published'), listing_version = random() "
    "WHERE id = old.consultation_id; "
    "UPDATE consultation SET published_proposals = published_proposals "
    "+ (new.status = 'published'), listing_version = random() "
    "WHERE id = new.consultation_id; END",
]
POSTGRES = [
    """CREATE FUNCTION proposal_listing_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE consultation
        SET published_proposals = published_proposals - (OLD.status = 'published')::int,
            listing_version = (random() * 9.2e18)::bigint
        WHERE id = OLD.consultation_id;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        UPDATE consultation
        SET published_proposals = published_proposals + (NEW.status = 'published')::int,
            listing_version = (random() * 9.2e18)::bigint
        WHERE id = NEW.consultation_id;
    END IF;
    RETURN NULL;
END $$""",
    "CREATE TRIGGER proposal_listing "
    "AFTER INSERT OR DELETE OR UPDATE OF status, theme, commune_id, consultation_id "
    "ON proposal FOR EACH ROW EXECUTE FUNCTION proposal_listing_changed()",
]
RANDOM_KEY = {
    "sqlite": "abs(random()) % 2147483648",
    "postgresql": "floor(random() * 2147483648)::int",
}
RANDOM_VERSION = {"sqlite": "random()", "postgresql": "(random() * 9.2e18)::bigint"}


def upgrade():
    dialect = op.get_bind().dialect.name
    # Plain ALTER TABLE (no batch): a batch would rebuild the table without its triggers.
    op.add_column(
        "consultation",
        sa.Column("published_proposals", sa.Integer(), nullable=False, server_default="0"),
    )
    op.add_column(
        "consultation",
        sa.Column("listing_version", sa.BigInteger(), nullable=False, server_default="0"),
    )
    op.add_column(
        "proposal", sa.Column("shuffle_key", sa.Integer(), nullable=False, server_default="0")
    )
    op.execute(
        "UPDATE consultation SET published_proposals = (SELECT count(*) FROM proposal "
        "WHERE proposal.consultation_id = consultation.id AND proposal.status = 'published'), "
        f"listing_version = {RANDOM_VERSION.get(dialect, '1')}"
    )
    if dialect in RANDOM_KEY:
        op.execute(f"UPDATE proposal SET shuffle_key = {RANDOM_KEY[dialect]}")
    op.create_index(
        "ix_proposal_shuffle", "proposal", ["consultation_id", "status", "shuffle_key", "id"]
    )
    for statement in {"sqlite": SQLITE, "postgresql": POSTGRES}.get(dialect, []):
        op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name in ("proposal_listing_ai", "proposal_listing_ad", "proposal_listing_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    elif dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS proposal_listing ON proposal")
        op.execute("DROP FUNCTION IF EXISTS proposal_listing_changed()")
    op.drop_index("ix_proposal_shuffle", table_name="proposal")
    op.drop_column("proposal", "shuffle_key")
    op.drop_column("consultation", "listing_version")
    op.drop_column("consultation", "published_proposals")
