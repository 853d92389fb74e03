"""territory: each commune's postcode (an address shows it, not the INSEE code); ratings:
the services' names without accents or case, for the directory's French alphabetical order

Revision ID: b16c0de5a1e1
Revises: e17a5b0c4d21
Create Date: 2026-12-07 16:10:00

"""

import sqlalchemy as sa
from alembic import op

revision = "b16c0de5a1e1"
down_revision = "e17a5b0c4d21"
branch_labels = None
depends_on = None


def upgrade():
    from civic.core.formatting import sort_key

    with op.batch_alter_table("commune") as batch:
        batch.add_column(sa.Column("postcode", sa.String(5), nullable=False, server_default=""))
    with op.batch_alter_table("public_service") as batch:
        batch.add_column(sa.Column("sort_name", sa.String(200), nullable=False, server_default=""))
        batch.create_index(batch.f("ix_public_service_sort_name"), ["sort_name"])
    services = sa.table(
        "public_service", sa.column("id"), sa.column("name"), sa.column("sort_name")
    )
    connection = op.get_bind()
    for row in connection.execute(sa.select(services.c.id, services.c.name)).all():
        connection.execute(
            services.update()
            .where(services.c.id == row.id)
            .values(sort_name=sort_key(row.name)[0][:200])
        )


def downgrade():
    with op.batch_alter_table("public_service") as batch:
        batch.drop_index(batch.f("ix_public_service_sort_name"))
        batch.drop_column("sort_name")
    with op.batch_alter_table("commune") as batch:
        batch.drop_column("postcode")
