"""The migrations build the same schema as the models, on SQLite and on PostgreSQL."""

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from civic import create_app
from civic.core.schema import include_object
from civic.extensions import db
from tests.conftest import app_config, empty_database


def diff_after_upgrade(url: str) -> list:
    app = create_app(app_config(url))
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(
                connection,
                opts={
                    "compare_type": True,
                    "render_as_batch": True,
                    "include_object": include_object,
                },
            )
            diff = compare_metadata(context, db.metadata)
        downgrade(revision="base")
        tables = sa.inspect(db.engine).get_table_names()
        db.engine.dispose()
    return diff, tables


def test_sqlite_upgrade_matches_models(tmp_path):
    diff, tables_after_downgrade = diff_after_upgrade(f"sqlite:///{tmp_path / 'm.sqlite'}")
    assert diff == []
    assert tables_after_downgrade == ["alembic_version"]


def test_postgresql_upgrade_matches_models(request):
    url = request.config.getoption("--database-url")
    if not url or not url.startswith("postgresql"):
        pytest.skip("runs with --database-url postgresql+psycopg://...")
    scratch = url.rsplit("/", 1)[0] + "/civic_migrations_check"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text("DROP DATABASE IF EXISTS civic_migrations_check"))
        connection.execute(sa.text("CREATE DATABASE civic_migrations_check"))
    try:
        empty_database(scratch)
        diff, tables_after_downgrade = diff_after_upgrade(scratch)
        assert diff == []
        assert tables_after_downgrade == ["alembic_version"]
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text("DROP DATABASE IF EXISTS civic_migrations_check"))
        admin.dispose()
