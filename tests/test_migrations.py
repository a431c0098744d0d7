"""The migrations are the schema: they agree with the models and run both ways."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from app import migrate
from app.db import make_engine
from app.models import metadata
from tests.conftest import drop_database, provision_database


def _diff(engine):
    with engine.connect() as conn:
        ctx = MigrationContext.configure(
            conn, opts={"compare_type": True, "compare_server_default": True,
                        "render_as_batch": True}
        )
        return compare_metadata(ctx, metadata)


def test_models_and_migrations_agree(engine):
    assert migrate.is_up_to_date(engine)
    assert _diff(engine) == []


def test_upgrade_downgrade_upgrade():
    url = provision_database("roundtrip")
    engine = make_engine(url)
    try:
        migrate.upgrade(url)
        tables = set(inspect(engine).get_table_names())
        assert {"municipality", "school", "person", "user", "roleassignment"} <= tables
        migrate.downgrade(url, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        migrate.upgrade(url)
        assert _diff(engine) == []
    finally:
        engine.dispose()
        drop_database(url)


def test_constraints_are_named(engine):
    insp = inspect(engine)
    for table in metadata.sorted_tables:
        for fk in insp.get_foreign_keys(table.name):
            assert fk["name"] and fk["name"].startswith("fk_"), table.name
        for uq in insp.get_unique_constraints(table.name):
            assert uq["name"] and uq["name"].startswith("uq_"), table.name
