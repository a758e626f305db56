"""The committed migrations build exactly the models' schema, and none is missing."""

import flask_migrate
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from app import create_app
from app.core.extensions import db
from app.search import not_in_models
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
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "include_name": not_in_models}
            )
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


def test_text_written_before_revisions_were_kept_is_revision_0(base_config, empty_database):
    """Upgrading a site with proposals and topics: each one's text as it stands becomes its
    revision 0, the base that a form opened before the upgrade is merged against."""
    from datetime import UTC, datetime

    from sqlalchemy import delete, select

    from app.accounts import services as accounts
    from app.core import editing
    from app.proposals import services
    from app.proposals.models import Proposal, Topic

    app = create_app({**base_config, "SQLALCHEMY_DATABASE_URI": empty_database("backfill")})
    now = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
    with app.app_context():
        flask_migrate.upgrade()
        topic = Topic(name="Trafik")
        db.session.add(topic)
        db.session.flush()
        author = accounts.create_user(
            email="anna@example.org",
            name="Anna Holm",
            password="et langt kodeord",
            roles={"member"},
            now=now,
        )
        body = "Første afsnit.\n\nAndet afsnit."
        content = services.Content(
            title="Busser til alle",
            summary="En bus i timen til alle landsbyer.",
            body=body,
            topic_id=topic.id,
        )
        proposal = services.create(author, content, now=now)
        db.session.execute(delete(editing.Save))  # as if written before this upgrade
        db.session.commit()
        proposal_id, topic_id = proposal.id, topic.id
        flask_migrate.downgrade(revision="0006_notifications")
        flask_migrate.upgrade()

        saves = db.session.scalars(select(editing.Save).order_by(editing.Save.subject)).all()
        assert [(s.subject, s.subject_id, s.revision) for s in saves] == [
            ("proposal", proposal_id, 0),
            ("topic", topic_id, 0),
        ]
        assert saves[0].values["body"] == body and saves[0].values["topic_id"] == topic_id
        assert saves[1].values == {"name": "Trafik"}
        proposal = db.session.get(Proposal, proposal_id)
        assert proposal.revision == 0
        author = db.session.get(type(author), author.id)
        # Two forms opened before the upgrade, saved after it: merged on revision 0.
        for changed in (
            "Første afsnit, nyt.\n\nAndet afsnit.",
            "Første afsnit.\n\nAndet afsnit, nyt.",
        ):
            form = services.Content(**{**vars(content), "body": changed})
            services.edit(author, proposal, form, now=now, base_revision=0)
            db.session.commit()
        assert (
            db.session.get(Proposal, proposal_id).body
            == "Første afsnit, nyt.\n\nAndet afsnit, nyt."
        )
        db.session.remove()
        db.engine.dispose()


def test_audit_entries_written_before_name_people_and_comments_by_id(base_config, empty_database):
    """Upgrading a site whose audit log held a member's address and the start of a hidden
    comment as text: each becomes an id, and neither is left in the log."""
    from datetime import UTC, datetime

    from sqlalchemy import text

    app = create_app({**base_config, "SQLALCHEMY_DATABASE_URI": empty_database("audit")})
    now = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
    with app.app_context():
        flask_migrate.upgrade(revision="0011_search_filters")
        run = db.session.execute
        run(text("INSERT INTO users (id, email, name, is_member, is_secretariat, login_version, "
                 "created_at, language, email_setting, notify_new_hearings, "
                 "notify_seeking_support) VALUES (1, 'staff@example.org', 'Karen', true, true, "
                 "1, :now, 'da', 'daily', false, false), (2, 'mette@example.org', 'Mette', "
                 "true, false, 1, :now, 'da', 'daily', false, false)"), {"now": now})  # fmt: skip
        entries = [
            (1, "grant_member", "mette@example.org"),
            (2, "hide", "#77: Mettes hemmelige tekst om naboen"),
            (3, "topic_create", "Trafik"),
            (4, "revoke_member", "gone@example.org"),
        ]
        for entry_id, action, subject in entries:
            run(text("INSERT INTO audit_entries (id, actor_id, action, subject, reason, at) "
                     "VALUES (:id, 1, :action, :subject, '', :now)"),
                {"id": entry_id, "action": action, "subject": subject, "now": now})  # fmt: skip
        db.session.commit()
        flask_migrate.upgrade()
        rows = run(text("SELECT id, subject, subject_user_id, comment_id FROM audit_entries "
                        "ORDER BY id")).all()  # fmt: skip
        # The comment no longer exists here, so no id is kept for it either.
        assert [tuple(row) for row in rows] == [
            (1, "", 2, None),
            (2, "", None, None),
            (3, "Trafik", None, None),
            (4, "", None, None),
        ]
        db.session.commit()  # the migration's ALTER TABLE waits for every open transaction
        flask_migrate.downgrade(revision="0011_search_filters")
        assert run(text("SELECT subject FROM audit_entries WHERE id = 1")).scalar() == (
            "mette@example.org"
        )
        db.session.remove()
        db.engine.dispose()
