"""Word-level differences between two versions of a proposal's text.

Lines are compared first and words only within the lines that changed, each word with the
white space after it, through app.core.diffing's bounded matcher: the page of a difference costs
about the same however the two versions were written (a text of one word repeated, or of
spaces, was minutes of CPU when every space was an item of its own)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.core import diffing

# A word with the white space after it; white space at the very start is an item of its own.
_WORDS = re.compile(r"\s+|\S+\s*")


@dataclass(frozen=True)
class Piece:
    kind: str  # "same", "inserted" or "deleted"
    text: str


def word_diff(old: str, new: str, budget: diffing.Budget | None = None) -> list[Piece]:
    """The pieces that turn `old` into `new`, word by word, white space kept. Past its
    `budget`, what is left is shown as removed and added whole."""
    budget = budget or diffing.Budget()
    old_lines, new_lines = (old or "").splitlines(True), (new or "").splitlines(True)
    pieces: list[Piece] = []
    for op, i1, i2, j1, j2 in diffing.opcodes(old_lines, new_lines, budget):
        before, after = "".join(old_lines[i1:i2]), "".join(new_lines[j1:j2])
        if op == "equal":
            _add(pieces, "same", before)
        elif op == "replace":
            _words(pieces, before, after, budget)
        else:
            _add(pieces, "deleted", before)
            _add(pieces, "inserted", after)
    return pieces


def _words(pieces: list[Piece], old: str, new: str, budget: diffing.Budget) -> None:
    a, b = _WORDS.findall(old), _WORDS.findall(new)
    for op, i1, i2, j1, j2 in diffing.opcodes(a, b, budget):
        before, after = "".join(a[i1:i2]), "".join(b[j1:j2])
        if op == "equal":
            _add(pieces, "same", before)
            continue
        # A word changed for another keeps the space after it as it was: shown unchanged.
        room = min(len(before) - len(before.rstrip()), len(after) - len(after.rstrip()))
        kept = 0
        while kept < room and before[-1 - kept] == after[-1 - kept]:
            kept += 1
        _add(pieces, "deleted", before[: len(before) - kept])
        _add(pieces, "inserted", after[: len(after) - kept])
        _add(pieces, "same", before[len(before) - kept :])


def _add(pieces: list[Piece], kind: str, text: str) -> None:
    if not text:
        return
    if pieces and pieces[-1].kind == kind:
        pieces[-1] = Piece(kind, pieces[-1].text + text)
    else:
        pieces.append(Piece(kind, text))


def changed(pieces: list[Piece]) -> bool:
    return any(p.kind != "same" for p in pieces)
