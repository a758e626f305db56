"""Parsed queries (app.search.query) as SQL, for SQLite's FTS5 table or PostgreSQL's
weighted tsvector: the condition that picks the hits, and the order that ranks them.

The engines see only what this module writes: each word quoted, made of letters and digits
alone (app.search.text.WORD), so no query syntax of a user's reaches them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import column, func, literal, literal_column, select, table

from app.extensions import db
from app.proposals.models import Proposal
from app.search.query import Query

FTS = table("proposals_fts", column("rowid"))
# Title above summary above the rest (body, drawbacks, organisations).
WEIGHTS = ("10.0", "4.0", "1.0")
SEARCH_VECTOR = literal_column("proposals.search_vector")
DANISH = literal_column("'danish'::regconfig")


def sqlite_match(query: Query, *, any_term: bool = False) -> str:
    """An FTS5 query of quoted stems: "stem", "stem"* for a prefix, "a b" for a phrase."""
    parts = []
    for term in query.terms:
        quoted = '"' + " ".join(term.stems).replace('"', '""') + '"'
        parts.append(quoted + ("*" if term.prefix else ""))
    return (" OR " if any_term else " ").join(parts)


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
    """One search as SQL. `condition` picks the hits (for a count); `ranked` joins what the
    order needs and picks the hits itself; `order` (a score, lower is better) ranks them."""

    condition: object
    order: object
    dialect: str
    match: object = None

    def hits(self) -> int:
        """SQLite: how many proposals match, whoever may see them, from the FTS table alone."""
        return db.session.scalar(select(func.count()).select_from(FTS).where(self.match))

    def count_among(self, ids) -> int:
        """SQLite: how many hits are among `ids` (a SELECT of proposal ids), answered from
        the FTS table and the ids' index without reading a proposal's (wide) row."""
        return db.session.scalar(
            select(func.count()).select_from(FTS).where(self.match, rowid_in(ids))
        )

    def best_among(self, ids, options, *, limit: int, offset: int):
        """SQLite: a SELECT of the proposals of one page of the best hits among `ids`, ties
        by the newest first: ranked over the FTS table alone, so that only the rows shown are
        read."""
        top = (
            select(FTS.c.rowid.label("rowid"), self.order.label("score"))
            .where(self.match, rowid_in(ids))
            .order_by(self.order, FTS.c.rowid.desc())
            .limit(limit)
            .offset(offset)
            .subquery()
        )
        return (
            select(Proposal)
            .options(*options)
            .join(top, top.c.rowid == Proposal.id)
            .order_by(top.c.score, Proposal.id.desc())
        )

    def ranked(self, statement):
        if self.dialect == "sqlite":
            return statement.join(FTS, FTS.c.rowid == Proposal.id).where(self.match)
        return statement.where(self.condition)


def rowid_in(ids):
    """`rowid IN (ids)` that FTS5 is not given: handed to the virtual table, it would run the
    full-text query once for each id."""
    return (FTS.c.rowid + 0).in_(ids)


def search(query: Query, *, any_term: bool = False) -> Search:
    dialect = db.session.get_bind().dialect.name
    if dialect == "sqlite":
        match = literal_column("proposals_fts").op("MATCH")(
            literal(sqlite_match(query, any_term=any_term))
        )
        condition = Proposal.id.in_(select(FTS.c.rowid).where(match))
        order = func.bm25(literal_column("proposals_fts"), *map(literal_column, WEIGHTS))
        return Search(condition, order, dialect, match)
    tsquery = func.to_tsquery(DANISH, literal(postgresql_query(query, any_term=any_term)))
    condition = SEARCH_VECTOR.op("@@")(tsquery)
    order = -func.ts_rank(SEARCH_VECTOR, tsquery)
    return Search(condition, order, dialect)
