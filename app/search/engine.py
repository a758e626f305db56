"""Parsed queries (app.search.query) as SQL, for SQLite's FTS5 table or PostgreSQL's
weighted tsvector: the condition that picks the hits, and the score that ranks them.

The engines see only what this module writes: each word quoted, made of letters and digits
alone (app.search.text.WORD), so no query syntax of a user's reaches them.

A search lists at most LISTED proposals (app.proposals.queries): the newest hits, ranked.
So its work is bounded whatever the size of the data: a word in half of 20,000 proposals
costs what it costs among 1,000.

This is a library: it is given what to search for and which states there are, and owns no
model; the index's tables are the migrations', kept by their triggers."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import column, func, literal, literal_column, table

from app.core.extensions import db
from app.search.query import Query

# How many hits a search lists at most, newest first, ranked: a word in thousands of
# proposals says "more than 200" and is narrowed by another word or a filter.
LISTED = 200

# The FTS5 table of migration 0011: the stemmed texts, and the state and topic of each
# proposal, so that who may see a hit (and the list's filters) is answered by the index.
FTS = table("proposals_fts", column("rowid"))
TEXT_COLUMNS = "{search_title search_summary search_rest}"
# Title above summary above the rest (body, drawbacks, organisations); state and topic are
# filters, not text.
WEIGHTS = ("10.0", "4.0", "1.0", "0.0", "0.0")
# PostgreSQL's narrow table of migration 0011: each proposal's weighted tsvector, state and
# topic, kept by a trigger.
SEARCH = table(
    "proposal_search", column("id"), column("state"), column("topic_id"), column("search_vector")
)
DANISH = literal_column("'danish'::regconfig")


def sqlite_match(
    query: Query,
    *,
    any_term: bool = False,
    states: Iterable[str] | None = None,
    every_state: Iterable[str] = (),
    topic_id: int | None = None,
) -> str:
    """An FTS5 query of quoted stems in the text columns ("stem", "stem"* for a prefix,
    "a b" for a phrase), and of the states (out of `every_state`) and topic a hit must
    have, if given."""
    parts = []
    for term in query.terms:
        quoted = '"' + " ".join(term.stems).replace('"', '""') + '"'
        parts.append(quoted + ("*" if term.prefix else ""))
    match = TEXT_COLUMNS + " : (" + (" OR " if any_term else " ").join(parts) + ")"
    if states is not None:
        # The shorter list: "NOT draft or submitted" reads two states' (short) lists of
        # proposals where "hearing or … or withdrawn" would read eight long ones.
        others = set(every_state) - set(states)
        shorter = every_state and len(others) < len(set(states))
        listed, operator = (others, "NOT") if shorter else (states, "AND")
        words = " OR ".join(f'"{state}"' for state in sorted(listed))
        match += f" {operator} {{state}} : ({words})"
    if topic_id is not None:
        match += ' AND {topic_id} : "' + str(int(topic_id)) + '"'
    return match


def postgresql_query(query: Query, *, any_term: bool = False) -> str:
    """A to_tsquery('danish', …) of quoted words, which PostgreSQL stems itself: 'word',
    'word':* for a prefix, 'a b' for a phrase (its words in a row, stop words counted)."""
    parts = []
    for term in query.terms:
        quoted = "'" + " ".join(term.words).replace("'", "''").replace("\\", "\\\\") + "'"
        parts.append(quoted + (":*" if term.prefix else ""))
    return (" | " if any_term else " & ").join(parts)


@dataclass
class Search:
    """One search as SQL. On SQLite, `match(…)` picks the hits in the FTS table, with the
    states and topic they must have; on PostgreSQL `condition` picks them in the
    proposal_search table (SEARCH). `score` ranks them, lower is better (SQLite: in a query
    of the FTS table; PostgreSQL: of SEARCH)."""

    query: Query
    dialect: str
    any_term: bool = False
    every_state: tuple[str, ...] = ()

    def match(self, *, states: Iterable[str] | None = None, topic_id: int | None = None):
        text = sqlite_match(
            self.query,
            any_term=self.any_term,
            states=states,
            every_state=self.every_state,
            topic_id=topic_id,
        )
        return literal_column("proposals_fts").op("MATCH")(literal(text))

    @property
    def tsquery(self):
        return func.to_tsquery(
            DANISH, literal(postgresql_query(self.query, any_term=self.any_term))
        )

    @property
    def condition(self):
        return SEARCH.c.search_vector.op("@@")(self.tsquery)

    @property
    def score(self):
        if self.dialect == "sqlite":
            return func.bm25(literal_column("proposals_fts"), *map(literal_column, WEIGHTS))
        return -func.ts_rank(SEARCH.c.search_vector, self.tsquery)


def rowid_in(ids):
    """`rowid IN (ids)` that FTS5 is not given: handed to the virtual table, it would run the
    full-text query once for each id. For a few ids (a member's own drafts)."""
    return (FTS.c.rowid + 0).in_(ids)


def rowid_not_in(ids):
    """`rowid NOT IN (ids)`, as `rowid_in`: for a few ids."""
    return (FTS.c.rowid + 0).not_in(ids)


def search(query: Query, *, any_term: bool = False, every_state: Iterable[str] = ()) -> Search:
    """`every_state`: the states there are, so that a filter on states may be written as
    those it leaves out when they are fewer."""
    return Search(query, db.session.get_bind().dialect.name, any_term, tuple(every_state))
