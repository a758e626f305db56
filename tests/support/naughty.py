"""The Big List of Naughty Strings, as installed under tests/node_modules."""

from __future__ import annotations

import json
import unicodedata
from collections import Counter
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


# What a string is made of, as far as a form can tell: its kinds of character (letters,
# marks, controls, spaces, symbols of each Unicode category), the punctuation that means
# something to HTML, SQL, shells, templates and spreadsheets, its length, and whitespace at
# its ends.
_MEANINGFUL = frozenset("<>'\"\\%{}$`;/&#=+-@()[]*|!?:.,_~^")


def _makeup(text: str) -> tuple:
    length = len(text)
    size = 0 if length == 0 else 1 if length <= 10 else 2 if length <= 100 else 3
    return (
        frozenset(unicodedata.category(c) for c in text),
        frozenset(c for c in text if c in _MEANINGFUL),
        size,
        text[:1].isspace(),
        text[-1:].isspace(),
    )


@cache
def distinct_naughty_strings() -> tuple[str, ...]:
    """The first naughty string of each makeup: 206 of the 485 in the list's version here.
    The many that differ only in which emoji or which CJK letters they hold are one case for
    a form; a sweep of every field of every form sends these, and the comment tests send all."""
    strings, seen = [], set()
    for text in naughty_strings():
        makeup = _makeup(text)
        if makeup not in seen:
            seen.add(makeup)
            strings.append(text)
    return tuple(strings)


def _parts(text: str) -> set[tuple]:
    """A string's makeup taken apart: each kind of character, each meaningful punctuation
    mark, its length and whitespace at either end, one by one."""
    categories, meaningful, size, leading, trailing = _makeup(text)
    return (
        {("category", c) for c in categories}
        | {("mark", c) for c in meaningful}
        | {("size", size), ("leading space", leading), ("trailing space", trailing)}
    )


@cache
def covering_naughty_strings(times: int = 2) -> tuple[str, ...]:
    """Few distinct naughty strings that between them hold every part of every makeup (each
    kind of character, each meaningful mark, each length, whitespace at either end or not)
    at least `times` times, chosen greedily: 23 for twice. A sweep sends these to every
    field and deals the other distinct strings out among the fields of each kind."""
    strings = distinct_naughty_strings()
    held = Counter(part for text in strings for part in _parts(text))
    wanted = {part: min(times, n) for part, n in held.items()}
    chosen: list[str] = []
    while any(wanted.values()):
        best = max(
            (text for text in strings if text not in chosen),
            key=lambda text: (sum(wanted.get(part, 0) > 0 for part in _parts(text)), -len(text)),
        )
        chosen.append(best)
        for part in _parts(best):
            if wanted.get(part, 0) > 0:
                wanted[part] -= 1
    return tuple(chosen)
