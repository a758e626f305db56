"""The Big List of Naughty Strings, as installed under tests/node_modules."""

from __future__ import annotations

import json
from functools import cache

from tests.support import NODE_MODULES, require

BLNS = NODE_MODULES / "blns" / "resources" / "blns.json"


@cache
def _load() -> tuple[str, ...]:
    strings = json.loads(BLNS.read_text(encoding="utf-8"))
    # A string Python cannot encode (a lone surrogate) cannot be sent by a browser either.
    return tuple(s for s in strings if _encodable(s))


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def naughty_strings() -> tuple[str, ...]:
    require(BLNS.exists(), "the naughty strings (tests/node_modules/blns)")
    strings = _load()
    assert len(strings) >= 480, len(strings)
    return strings
