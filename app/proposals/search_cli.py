"""`flask search reindex`: the stems of every proposal computed again, and the index rebuilt.

Every save keeps the index in step already (triggers on SQLite, a generated column on
PostgreSQL); this is for after a change of the stemmer or a restore from elsewhere."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import bindparam, select, text, update

from app.core.extensions import db
from app.proposals.models import Proposal
from app.search.text import indexed, stems

search_cli = AppGroup("search", help="The full-text search index.")

BATCH = 1_000


REWRITE_POSTGRESQL_INDEX = """
    INSERT INTO proposal_search (id, state, topic_id, search_vector)
    SELECT id, state, topic_id,
        setweight(to_tsvector('danish', coalesce(title, '')), 'A')
        || setweight(to_tsvector('danish', coalesce(summary, '')), 'B')
        || setweight(to_tsvector('danish', coalesce(body, '') || ' ' || coalesce(drawbacks, '')
                                 || ' ' || coalesce(organisations, '')
                                 || ' ' || coalesce(amendment_words, '')), 'C')
    FROM proposals
    ON CONFLICT (id) DO UPDATE SET state = EXCLUDED.state, topic_id = EXCLUDED.topic_id,
        search_vector = EXCLUDED.search_vector"""


def reindex() -> int:
    """Recompute the stems of every proposal, a batch at a time, and rebuild the index;
    return how many proposals there are."""
    columns = (
        Proposal.id,
        Proposal.title,
        Proposal.summary,
        Proposal.body,
        Proposal.drawbacks,
        Proposal.organisations,
        Proposal.amendment_words,
    )
    statement = (
        update(Proposal.__table__)
        .where(Proposal.__table__.c.id == bindparam("row_id"))
        .values(
            search_title=bindparam("search_title"),
            search_summary=bindparam("search_summary"),
            search_rest=bindparam("search_rest"),
            amendment_stems=bindparam("amendment_stems"),
        )
    )
    done, last = 0, 0
    while True:
        rows = db.session.execute(
            select(*columns).where(Proposal.id > last).order_by(Proposal.id).limit(BATCH)
        ).all()
        if not rows:
            break
        db.session.execute(
            statement,
            [
                {
                    "row_id": row.id,
                    **indexed(row._asdict()),
                    "amendment_stems": stems(row.amendment_words or ""),
                }
                for row in rows
            ],
        )
        db.session.commit()
        done += len(rows)
        last = rows[-1].id
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(text("INSERT INTO proposals_fts(proposals_fts) VALUES ('rebuild')"))
    else:
        # The trigger of migration 0011 keeps proposal_search; this writes it again whole.
        db.session.execute(text(REWRITE_POSTGRESQL_INDEX))
        db.session.execute(text("REINDEX TABLE proposal_search"))
    db.session.commit()
    return done


@search_cli.command("reindex")
def reindex_command() -> None:
    """Recompute every proposal's stems and rebuild the search index."""
    count = reindex()
    click.echo(f"{count} proposal(s) reindexed.")
