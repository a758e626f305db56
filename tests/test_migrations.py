"""The committed migrations build exactly the models' schema, and none is missing."""

import flask_migrate
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from app import create_app
from app.extensions import db
from tests.support import ROOT


def test_one_line_of_history():
    script = ScriptDirectory(str(ROOT / "migrations"))
    assert len(script.get_heads()) == 1


def test_upgrade_on_an_empty_database_yields_the_models_schema(base_config, empty_database):
    app = create_app({**base_config, "SQLALCHEMY_DATABASE_URI": empty_database("migrations")})
    with app.app_context():
        assert inspect(db.engine).get_table_names() == []
        flask_migrate.upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
        assert differences == [], differences

        result = app.test_cli_runner().invoke(args=["db", "check"])
        assert result.exit_code == 0, result.output

        flask_migrate.downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        flask_migrate.upgrade()
        assert set(db.metadata.tables) <= set(inspect(db.engine).get_table_names())
        db.engine.dispose()


def test_db_check_notices_a_model_without_migration(base_config, empty_database):
    from sqlalchemy import Column, Integer, Table

    app = create_app({**base_config, "SQLALCHEMY_DATABASE_URI": empty_database("unmigrated")})
    with app.app_context():
        flask_migrate.upgrade()
        extra = Table("not_migrated", db.metadata, Column("id", Integer, primary_key=True))
        try:
            result = app.test_cli_runner().invoke(args=["db", "check"])
            assert result.exit_code != 0
        finally:
            db.metadata.remove(extra)
            db.engine.dispose()
