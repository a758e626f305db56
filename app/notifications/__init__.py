"""Staying informed: follows, the events that happen to proposals, the notifications they
become for each person, and the mail that carries them.

The domains record what happened in their own transaction (app.core.outbox); the worker
turns each event into one notification per person told (`fanout`), as the table in `rules`
says, and delivers the mail (`delivery`, `digests`).
"""

# Loaded with the package: the table of who is told of what names the outbox's kinds of
# event, and following adds its part to the proposals' pages.
from app.notifications import follows, rules  # noqa: E402, F401
