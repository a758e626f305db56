"""Rules for the text people type, shared by forms, imports and the command line."""

from __future__ import annotations

import re

# NUL cannot be stored in PostgreSQL, and the other C0 controls (but tab and newlines)
# have no place in what people write.
FORBIDDEN_CHARACTERS = frozenset(chr(c) for c in range(32) if chr(c) not in "\t\n\r")


# Line breaks (Unicode's too) and every other control character.
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def one_line(value: str) -> str:
    """`value` on one line, its control characters made spaces: for a mail's header, where a
    name or title saved with a line break (before forms refused one) must neither stop the
    mail nor start a header of its own."""
    return " ".join(_CONTROLS.sub(" ", value).split())


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


def without_forbidden_characters(text: str) -> str:
    """`text` with control characters removed: for search words and filters, which are
    read, never stored, and should not fail for a stray byte."""
    return "".join(ch for ch in text if ch not in FORBIDDEN_CHARACTERS)


def whole_number(text: str, *, maximum: int = 2**31 - 1) -> int | None:
    """`text` as a whole number from 1 to `maximum`, or None ("²", "1e3" and "-1" are not)."""
    text = (text or "").strip()
    if not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if 1 <= value <= maximum else None
