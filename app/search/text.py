"""Words and their Danish stems (the Snowball stemmer), for the SQLite index and queries."""

from __future__ import annotations

import re

import Stemmer

# Letters and digits; the underscore separates words, as FTS5's tokenizer has it.
WORD = re.compile(r"[^\W_]+")

_stemmer = Stemmer.Stemmer("danish")


def words(text: str) -> list[str]:
    """The words of `text`, folded to lower case."""
    return WORD.findall(text.casefold())


def stems(text: str) -> str:
    """The stems of the words of `text`, space-separated: what SQLite's index holds."""
    return " ".join(_stemmer.stemWords(words(text)))


def stem(word: str) -> str:
    return _stemmer.stemWord(word.casefold())


REST = ("body", "drawbacks", "organisations", "amendment_words")


def indexed(values: dict) -> dict:
    """The stemmed columns of a proposal's values (title, summary, and the rest: body,
    drawbacks, organisations and the words of its amendments), weighted in that order by
    the ranking."""
    rest = "\n".join(values.get(name) or "" for name in REST)
    return {
        "search_title": stems(values["title"]),
        "search_summary": stems(values["summary"]),
        "search_rest": stems(rest),
    }
