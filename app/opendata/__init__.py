"""Open data: every public proposal, its timeline and its daily counts as CSV files that
anyone may download and reuse, described at /data (app.opendata.files, .views)."""
