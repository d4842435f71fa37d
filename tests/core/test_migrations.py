"""The migrations build exactly the schema the models describe, and can be undone and redone."""
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from council.directory.models import DEFAULT_SECTORS
from council.extensions import db


def _tables() -> set[str]:
    db.session.remove()
    return set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}


def _differences() -> list:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "compare_server_default": False})
        return compare_metadata(context, db.metadata)


def test_migrations_go_down_to_nothing_and_up_again(app_context):
    assert _tables() == set(db.metadata.tables)
    try:
        downgrade(revision="base")
        assert _tables() == set()
    finally:
        upgrade()  # later tests need the schema whatever happened above
    assert _tables() == set(db.metadata.tables)
    with db.engine.connect() as connection:
        sectors = connection.execute(sa.text("SELECT count(*) FROM sector WHERE code IS NOT NULL")).scalar()
    assert sectors == len(DEFAULT_SECTORS)  # the default sectors are seeded again


def test_models_match_the_migrations(app_context):
    differences = _differences()
    assert differences == [], "the models and the migrations differ; run `flask db migrate`:\n" + "\n".join(
        map(str, differences))


def test_every_migration_but_the_first_follows_on_from_one_other(app_context):
    from alembic.script import ScriptDirectory
    from flask import current_app

    config = current_app.extensions["migrate"].migrate.get_config()
    script = ScriptDirectory.from_config(config)
    assert len(script.get_heads()) == 1, "two migration heads: merge them"
    assert len(script.get_bases()) == 1
