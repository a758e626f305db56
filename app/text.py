"""Rules for the text people type, shared by forms, imports and the command line."""

from __future__ import annotations

# NUL cannot be stored in PostgreSQL, and the other C0 controls (but tab and newlines)
# have no place in what people write.
FORBIDDEN_CHARACTERS = frozenset(chr(c) for c in range(32) if chr(c) not in "\t\n\r")


def has_forbidden_characters(text: str) -> bool:
    return any(ch in FORBIDDEN_CHARACTERS for ch in text)


def is_email_address(value: str) -> bool:
    """A plain address that can receive mail: one @, a dotted domain, no spaces."""
    local, _, domain = value.partition("@")
    return (
        value.count("@") == 1
        and bool(local)
        and "." in domain.strip(".")
        and not any(ch.isspace() for ch in value)
        and len(value) <= 254
    )
