"""Full-text search over proposals with Danish stemming, on either database.

PostgreSQL indexes `to_tsvector('danish', …)` of the text itself (a narrow table,
proposal_search, kept by a trigger, with a GIN index: migration 0011). SQLite has no Danish
stemmer, so the words are stemmed here (app.search.text) and stored beside the text, where
an FTS5 table kept by triggers indexes them. Either index also holds each proposal's state
and topic."""


def not_in_models(name, type_, parent_names) -> bool:
    """False for the parts of the search index that only the migrations know: the FTS5 table
    and its shadow tables on SQLite, the proposal_search table on PostgreSQL. For Alembic's
    `include_name`, so that comparing the models with the database leaves them."""
    if type_ == "table":
        return not (name or "").startswith(("proposals_fts", "proposal_search"))
    if type_ == "index":
        return not (name or "").startswith("ix_proposal_search")
    return True
