"""Full-text search over proposals with Danish stemming, on either database.

PostgreSQL indexes `to_tsvector('danish', …)` of the text itself (a generated column with
a GIN index, migration 0010). SQLite has no Danish stemmer, so the words are stemmed here
(app.search.text) and stored beside the text, where an FTS5 table kept by triggers indexes
them."""


def not_in_models(name, type_, parent_names) -> bool:
    """False for the parts of the search index that only the migrations know: the FTS5 table
    and its shadow tables on SQLite, the generated column and its index on PostgreSQL. For
    Alembic's `include_name`, so that comparing the models with the database leaves them."""
    if type_ == "table":
        return not (name or "").startswith("proposals_fts")
    if type_ == "column":
        return name != "search_vector"
    if type_ == "index":
        return name != "ix_proposals_search"
    return True
