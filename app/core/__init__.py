"""What every package shares, and nothing above it: configuration, the database and its
extensions, text rules, URLs, forms, errors and refusals, the audit log, the outbox,
shared text editing, Markdown, mail, PDFs, caching, security headers, rate limits and the
languages. Nothing here imports a package of app/ other than core itself."""
