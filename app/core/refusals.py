"""Refusals: what the rules raise when something may not be done, each with the HTTP status
that says why. Standard library only, so that the lifecycle's rules (which import nothing
from Flask or SQLAlchemy) raise them too; app.core.errors answers them with a page."""

from __future__ import annotations


class Refusal(Exception):
    """Something that may not be done now: a transition, an action, a limit reached.
    `code` is the HTTP status that says why; `key` and `details` make the sentence
    (app.core.errors words it, from the sentences each package registers)."""

    code = 409

    def __init__(self, key: str, **details) -> None:
        super().__init__(key)
        self.key = key
        self.details = details


class WrongState(Refusal):
    code = 409


class NotAllowed(Refusal):
    code = 403


class ConditionNotMet(Refusal):
    code = 409


class ReasonRequired(Refusal):
    code = 422


class Invalid(Refusal):
    """The request itself is malformed (an unknown state, a bad address)."""

    code = 422


class TooMany(Refusal):
    """More of something in a day than one person may do."""

    code = 429
