"""A short piece of a hit's text around its best match, the matching words in <mark>.

Made in Python for both databases: the words of the text are stemmed (app.search.text) and
compared with the query's stems. Every piece of the text is escaped, so nothing a user wrote
becomes HTML; rough Markdown syntax is left out."""

from __future__ import annotations

import re
from bisect import bisect_left

from markupsafe import Markup, escape

from app.search.query import Query
from app.search.text import WORD

WINDOW = 30  # words
# Enough of a long text to find a match in; the rest is not read.
READ = 20_000

# A link or an image: its text is kept. Neither part may hold a bracket of the other kind's
# opening (a link's address holds at most one level of parentheses), and no repetition can
# give back what it took: each character is looked at a bounded number of times, however
# many unclosed "[" or "](" a text holds (a run of them was quadratic: 20 s for one search).
_LINK = re.compile(
    r"""!?\[([^\[\]]*)\]\((?:[^()\s\[\]]|\([^()\s\[\]]*\))*+(?:\s++(?:"[^"]*+"|'[^']*+'))?\s*+\)"""
)
# Block markers at a line's start, emphasis and rules. White space here never crosses a
# line: a pattern anchored at every line that could run over all the lines after it is
# quadratic on a text of empty lines.
_SYNTAX = re.compile(
    r"^[ \t]{0,3}(?:#{1,6}|>|[-*+]|\d++[.)])(?:[ \t]++|$)|[*_`~]{1,3}|^[ \t]*+[-*_]{3,}+[ \t]*+$",
    re.M,
)


def plain(markdown: str) -> str:
    """`markdown` with its syntax roughly taken away, its lines joined."""
    text = _SYNTAX.sub("", _LINK.sub(r"\1", markdown[:READ]))
    return " ".join(text.split())


def _best_window(text: str, query: Query) -> tuple[int, int, list[tuple[int, int]]] | None:
    """The character span of the window of WINDOW words with most matches, and the matches'
    spans; None if no word matches."""
    spans = [(m.start(), m.end()) for m in WORD.finditer(text)]
    hits = [i for i, (start, end) in enumerate(spans) if query.marks(text[start:end])]
    if not hits:
        return None
    best, best_count = hits[0], 0
    for k, i in enumerate(hits):
        count = bisect_left(hits, i + WINDOW) - k
        if count > best_count:
            best, best_count = i, count
    # Some words before the first match, for context.
    first = max(0, min(best - 5, len(spans) - WINDOW))
    last = min(len(spans), first + WINDOW) - 1
    start = 0 if first == 0 else spans[first][0]
    end = len(text) if last == len(spans) - 1 else spans[last][1]
    marked = [spans[j] for j in hits if first <= j <= last]
    return start, end, marked


def _marked(text: str, start: int, end: int, marks: list[tuple[int, int]]) -> Markup:
    pieces = ["…" if start > 0 else ""]
    position = start
    for mark_start, mark_end in marks:
        pieces.append(escape(text[position:mark_start]))
        pieces.append(Markup("<mark>%s</mark>") % text[mark_start:mark_end])
        position = mark_end
    pieces.append(escape(text[position:end]))
    pieces.append("…" if end < len(text) else "")
    return Markup("").join(pieces)


def snippet(query: Query, title: str, texts: list[str]) -> Markup:
    """The snippet of a hit: the best window of its summary, body, drawbacks or
    organisations; else its title, marked; else the start of its summary."""
    best = None
    for source in texts:
        text = plain(source or "")
        found = _best_window(text, query)
        if found and (best is None or len(found[2]) > len(best[1][2])):
            best = (text, found)
    if best is not None:
        text, (start, end, marks) = best
        return _marked(text, start, end, marks)
    found = _best_window(title, query)
    if found:
        return _marked(title, 0, len(title), found[2])
    text = plain(texts[0] if texts else "")
    words = list(WORD.finditer(text))
    end = words[WINDOW - 1].end() if len(words) > WINDOW else len(text)
    return _marked(text, 0, end, [])
