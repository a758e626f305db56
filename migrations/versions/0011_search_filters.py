"""A search's index holds each proposal's state and topic beside its words, so that who may
see a hit (and the list's filters) is answered without reading the proposal's wide row:
SQLite's FTS5 table gets the two columns; PostgreSQL's weighted tsvector moves from a
generated column of proposals into a narrow table kept by a trigger

Revision ID: 0011_search_filters
Revises: 0010_search_and_hearing_memo
Create Date: 2026-12-01 10:50:00

"""
from alembic import op

revision = '0011_search_filters'
down_revision = '0010_search_and_hearing_memo'
branch_labels = None
depends_on = None


# The FTS5 table and the triggers that keep it, with the state and topic (upgrade) and
# without (downgrade, as migration 0010 made it).
SQLITE_INDEX = [
    """CREATE VIRTUAL TABLE proposals_fts USING fts5(
        search_title, search_summary, search_rest, state, topic_id,
        content='proposals', content_rowid='id',
        tokenize='unicode61 remove_diacritics 0')""",
    """CREATE TRIGGER proposals_fts_insert AFTER INSERT ON proposals BEGIN
        INSERT INTO proposals_fts(
            rowid, search_title, search_summary, search_rest, state, topic_id)
            VALUES (new.id, new.search_title, new.search_summary, new.search_rest,
                    new.state, new.topic_id);
    END""",
    """CREATE TRIGGER proposals_fts_delete AFTER DELETE ON proposals BEGIN
        INSERT INTO proposals_fts(
            proposals_fts, rowid, search_title, search_summary, search_rest, state, topic_id)
            VALUES ('delete', old.id, old.search_title, old.search_summary, old.search_rest,
                    old.state, old.topic_id);
    END""",
    """CREATE TRIGGER proposals_fts_update
    AFTER UPDATE OF search_title, search_summary, search_rest, state, topic_id ON proposals BEGIN
        INSERT INTO proposals_fts(
            proposals_fts, rowid, search_title, search_summary, search_rest, state, topic_id)
            VALUES ('delete', old.id, old.search_title, old.search_summary, old.search_rest,
                    old.state, old.topic_id);
        INSERT INTO proposals_fts(
            rowid, search_title, search_summary, search_rest, state, topic_id)
            VALUES (new.id, new.search_title, new.search_summary, new.search_rest,
                    new.state, new.topic_id);
    END""",
]
OLD_SQLITE_INDEX = [
    """CREATE VIRTUAL TABLE proposals_fts USING fts5(
        search_title, search_summary, search_rest,
        content='proposals', content_rowid='id',
        tokenize='unicode61 remove_diacritics 0')""",
    """CREATE TRIGGER proposals_fts_insert AFTER INSERT ON proposals BEGIN
        INSERT INTO proposals_fts(rowid, search_title, search_summary, search_rest)
            VALUES (new.id, new.search_title, new.search_summary, new.search_rest);
    END""",
    """CREATE TRIGGER proposals_fts_delete AFTER DELETE ON proposals BEGIN
        INSERT INTO proposals_fts(proposals_fts, rowid, search_title, search_summary, search_rest)
            VALUES ('delete', old.id, old.search_title, old.search_summary, old.search_rest);
    END""",
    """CREATE TRIGGER proposals_fts_update
    AFTER UPDATE OF search_title, search_summary, search_rest ON proposals BEGIN
        INSERT INTO proposals_fts(proposals_fts, rowid, search_title, search_summary, search_rest)
            VALUES ('delete', old.id, old.search_title, old.search_summary, old.search_rest);
        INSERT INTO proposals_fts(rowid, search_title, search_summary, search_rest)
            VALUES (new.id, new.search_title, new.search_summary, new.search_rest);
    END""",
]


# PostgreSQL: the weighted tsvector of migration 0010, in a narrow table of its own (about
# ten rows to a page, where proposals holds four): walking the newest proposals to find a
# search's newest hits reads it, not the proposals' texts. Kept by a trigger on every write
# of the text, the state or the topic; a change of state or topic alone leaves the words.
VECTOR = """
    setweight(to_tsvector('danish', coalesce({p}title, '')), 'A')
    || setweight(to_tsvector('danish', coalesce({p}summary, '')), 'B')
    || setweight(to_tsvector('danish', coalesce({p}body, '') || ' ' || coalesce({p}drawbacks, '')
                             || ' ' || coalesce({p}organisations, '')), 'C')"""
POSTGRESQL_INDEX = [
    """CREATE TABLE proposal_search (
        id integer NOT NULL,
        state varchar(20) NOT NULL,
        topic_id integer,
        search_vector tsvector NOT NULL,
        CONSTRAINT pk_proposal_search PRIMARY KEY (id),
        CONSTRAINT fk_proposal_search_id_proposals FOREIGN KEY (id)
            REFERENCES proposals (id) ON DELETE CASCADE
    )""",
    # Fine statistics: how many proposals a word or prefix is in decides whether the newest
    # proposals are walked or the GIN index's hits read (the default expected a prefix like
    # "cykel:*" in 400 proposals; it was in 6,500).
    'ALTER TABLE proposal_search ALTER COLUMN search_vector SET STATISTICS 1000',
    'INSERT INTO proposal_search (id, state, topic_id, search_vector) '  # noqa: S608 (constants)
    'SELECT id, state, topic_id, ' + VECTOR.format(p='') + ' FROM proposals',
    'CREATE INDEX ix_proposal_search_vector ON proposal_search USING gin (search_vector)',
    'CREATE INDEX ix_proposal_search_state ON proposal_search (state, id)',
    """CREATE FUNCTION proposal_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE'
           AND NEW.title IS NOT DISTINCT FROM OLD.title
           AND NEW.summary IS NOT DISTINCT FROM OLD.summary
           AND NEW.body IS NOT DISTINCT FROM OLD.body
           AND NEW.drawbacks IS NOT DISTINCT FROM OLD.drawbacks
           AND NEW.organisations IS NOT DISTINCT FROM OLD.organisations THEN
            UPDATE proposal_search SET state = NEW.state, topic_id = NEW.topic_id
            WHERE id = NEW.id;
            RETURN NULL;
        END IF;
        INSERT INTO proposal_search (id, state, topic_id, search_vector)
        VALUES (NEW.id, NEW.state, NEW.topic_id,
            setweight(to_tsvector('danish', coalesce(NEW.title, '')), 'A')
            || setweight(to_tsvector('danish', coalesce(NEW.summary, '')), 'B')
            || setweight(to_tsvector('danish', coalesce(NEW.body, '') || ' '
                         || coalesce(NEW.drawbacks, '') || ' ' || coalesce(NEW.organisations, '')),
                         'C'))
        ON CONFLICT (id) DO UPDATE SET state = EXCLUDED.state, topic_id = EXCLUDED.topic_id,
            search_vector = EXCLUDED.search_vector;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER proposal_search_sync
    AFTER INSERT OR UPDATE OF title, summary, body, drawbacks, organisations, state, topic_id
    ON proposals FOR EACH ROW EXECUTE FUNCTION proposal_search_sync()""",
    'DROP INDEX ix_proposals_search',
    'ALTER TABLE proposals DROP COLUMN search_vector',
    'ANALYZE proposal_search',
]
OLD_POSTGRESQL_INDEX = [
    'DROP TRIGGER IF EXISTS proposal_search_sync ON proposals',
    'DROP FUNCTION IF EXISTS proposal_search_sync()',
    'DROP TABLE IF EXISTS proposal_search',
    'ALTER TABLE proposals ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ('
    + VECTOR.format(p='') + ') STORED',
    'CREATE INDEX ix_proposals_search ON proposals USING gin (search_vector)',
]


def _replace(sqlite: list[str], postgresql: list[str]) -> None:
    if op.get_bind().dialect.name != 'sqlite':
        for statement in postgresql:
            op.execute(statement)
        return
    for trigger in ('insert', 'delete', 'update'):
        op.execute(f'DROP TRIGGER IF EXISTS proposals_fts_{trigger}')
    op.execute('DROP TABLE IF EXISTS proposals_fts')
    for statement in sqlite:
        op.execute(statement)
    op.execute("INSERT INTO proposals_fts(proposals_fts) VALUES ('rebuild')")


def upgrade():
    _replace(SQLITE_INDEX, POSTGRESQL_INDEX)


def downgrade():
    _replace(OLD_SQLITE_INDEX, OLD_POSTGRESQL_INDEX)
