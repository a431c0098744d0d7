"""The migrations are the schema: they agree with the models and run both ways."""

from pathlib import Path

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


# Before this rule the ids were issue numbers (0301 … 0801) and the chain ran out of their order.
LEGACY_CHAIN = ["0001", "0002", "0301", "0501", "0801", "0401", "0601", "0701"]


def test_migration_ids_follow_the_chain():
    """One head; after the legacy ids, each new id is the highest before it plus one
    (README, "Schema"), so `ls migrations/versions` lists them in the order they run."""
    from alembic.script import ScriptDirectory

    from app.migrate import alembic_config

    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1
    chain = [rev.revision for rev in reversed(list(script.walk_revisions()))]
    assert chain[:len(LEGACY_CHAIN)] == LEGACY_CHAIN
    for before, rev in zip(chain[len(LEGACY_CHAIN) - 1:], chain[len(LEGACY_CHAIN):]):
        highest = max(int(r) for r in chain[:chain.index(rev)])
        assert int(rev) == highest + 1, f"migration {rev} after {before}: should be {highest + 1:04d}"
    for rev in script.walk_revisions():
        assert Path(rev.path).name.startswith(rev.revision + "_")  # 0803_invitation_outbox.py is 0803
