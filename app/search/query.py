"""A user's `q` read into search terms: words, quoted phrases ("…") and prefixes (word*).

Nothing else of any engine's query syntax means anything here: NEAR, OR, AND, NOT,
parentheses, column filters and carets are plain words or nothing, an unbalanced quote is
ignored, and the engines get only the quoted words this module makes (app.search.engine)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from app.search import text

# Snowball's Danish stop words, the list PostgreSQL's 'danish' configuration drops too.
STOP_WORDS = frozenset(
    """og i jeg det at en den til er som på de med han af for ikke der var mig sig men et
    har om vi min havde ham hun nu over da fra du ud sin dem os op man hans hvor eller hvad
    skal selv her alle vil blev kunne ind når være dog noget ville jo deres efter ned skulle
    denne end dette mit også under have dig anden hende mine alt meget sit sine vor mod disse
    hvis din nogle hos blive mange ad bliver hendes været thi jer sådan""".split()  # noqa: SIM905
)

PHRASE = re.compile(r'"([^"]*)"')
# A word typed with a star right after it: a prefix.
TOKEN = re.compile(r"([^\W_]+)(\*?)")


@dataclass(frozen=True)
class Term:
    """One thing every hit must contain: a word, a phrase (its words in a row) or a prefix.
    `words` are as typed (folded), `stems` their Danish stems."""

    words: tuple[str, ...]
    stems: tuple[str, ...]
    prefix: bool = False

    @property
    def phrase(self) -> bool:
        return len(self.words) > 1


@dataclass(frozen=True)
class Query:
    terms: tuple[Term, ...]

    def __bool__(self) -> bool:
        return bool(self.terms)

    def marks(self, word: str) -> bool:
        """Whether a word of a text matches one of the terms (for snippets)."""
        stem = text.stem(word)
        return stem in self.exact_stems or any(stem.startswith(p) for p in self.prefix_stems)

    @cached_property
    def exact_stems(self) -> frozenset[str]:
        return frozenset(s for t in self.terms if not t.prefix for s in t.stems)

    @cached_property
    def prefix_stems(self) -> tuple[str, ...]:
        return tuple(t.stems[0] for t in self.terms if t.prefix)


def _word_term(word: str, prefix: bool) -> Term | None:
    if word in STOP_WORDS:
        return None
    return Term((word,), (text.stem(word),), prefix)


def parse(q: str, *, limit: int = 20) -> Query:
    """The terms of `q`, stop words left out (a phrase keeps its inner ones unless it has
    nothing else), each once, at most `limit` of them."""
    terms: list[Term] = []
    q = q.casefold()
    rest = []
    position = 0
    for match in PHRASE.finditer(q):
        rest.append(q[position : match.start()])
        position = match.end()
        words = tuple(text.words(match.group(1)))
        if len(words) == 1:
            term = _word_term(words[0], False)
            if term:
                terms.append(term)
        elif words and not all(w in STOP_WORDS for w in words):
            terms.append(Term(words, tuple(text.stem(w) for w in words)))
    # What follows an unbalanced quote is read as plain words.
    rest.append(q[position:].replace('"', " "))
    for word, star in TOKEN.findall(" ".join(rest)):
        term = _word_term(word, bool(star))
        if term:
            terms.append(term)
    unique = list(dict.fromkeys(terms))
    return Query(tuple(unique[:limit]))


def any_of(source: str, *, limit: int = 12) -> Query:
    """The distinct non-stop words of `source` (a title), for "similar" searches that want
    any of them rather than all."""
    words = [w for w in dict.fromkeys(text.words(source)) if w not in STOP_WORDS and len(w) > 1]
    return Query(tuple(Term((w,), (text.stem(w),)) for w in words[:limit]))
