"""The catalogue's PDFs, made by the worker and served as files (app.core.pdf_files): the whole
catalogue, and each topic's, in every language the site speaks; also the empty one that a
topic which does not exist shows, as the page does.

Each file is made again when its tag changes: the organisation's name, the topic, and what
`Catalogue.key()` holds (each proposal's revision, title, figures, proposers and outcomes),
with the language, the templates and the stylesheet. Checking costs the catalogue's three
queries once for all files, so the worker looks every minute and lays out nothing when
nothing changed. The cover says when the file was made.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import force_locale

from app.catalogue import queries
from app.core import organisation, pdf_files
from app.core.i18n import DEFAULT_LANGUAGE, spoken_languages
from app.core.pdf import Kept, etag_for, render_pdf_in_parts, render_pdf_template
from app.core.urls import public_url
from app.proposals import queries as proposal_queries
from app.proposals.models import Topic

log = logging.getLogger(__name__)

TEMPLATES = (
    "pdf/base.html",
    "pdf/catalogue.html",
    "pdf/catalogue_part.html",
    "pdf/_proposal.html",
)


def file_name(language: str, topic: Topic | None) -> str:
    """`catalogue-da`, and `catalogue-da-topic-3` for a topic (`-topic-0`: no such topic)."""
    return f"catalogue-{language}" + (f"-topic-{topic.id}" if topic is not None else "")


def on_topic(found: queries.Catalogue, topic: Topic | None) -> queries.Catalogue:
    """The part of the whole catalogue that `?topic=` shows: the same as asking for it."""
    if topic is None:
        return found
    return queries.Catalogue([group for group in found.groups if group[0].id == topic.id])


def tag(found: queries.Catalogue, topic: Topic | None, language: str) -> str:
    key = (
        organisation.current().display_name,
        [topic.id, topic.name] if topic is not None else None,
        found.key(),
    )
    return etag_for(key, TEMPLATES, language=language)


def render(
    found: queries.Catalogue, topic: Topic | None, made_at: datetime, kept: Kept | None = None
) -> bytes:
    """The catalogue's PDF in the current language: cover, contents, a section per
    proposal; the parts laid out before are taken from `kept`."""
    address = public_url("catalogue.index", **({"topic": topic.id} if topic else {}))

    def front(page_of, total):
        return render_pdf_template(
            "pdf/catalogue.html",
            footer_total=total,
            catalogue=found,
            topic=topic,
            made_at=made_at,
            address=address,
            page_of=page_of,
        )

    parts = [
        render_pdf_template("pdf/catalogue_part.html", footer=False, groups=groups,
                            public_url=public_url)
        for groups in queries.parts(found)
    ]  # fmt: skip
    outline = [
        (group_topic.name, f"topic-{group_topic.id}",
         [(e.proposal.title, f"proposal-{e.proposal.id}") for e in entries])
        for group_topic, entries in found.groups
    ]  # fmt: skip
    return render_pdf_in_parts(parts, front, outline, kept=kept)


@dataclass
class Made:
    """What a run did: the files made again, the seconds it took, and how many stayed."""

    made: list[str] = field(default_factory=list)
    unchanged: int = 0
    seconds: float = 0.0


def make_all(now: datetime, *, languages: list[str] | None = None) -> Made:
    """Make again every catalogue file whose tag changed (or that was never made): the
    whole catalogue first, in the site's default language first. The caller holds
    `pdf_files.making()`."""
    started = time.perf_counter()
    spoken = list(spoken_languages())
    languages = sorted(languages or spoken, key=lambda code: code != DEFAULT_LANGUAGE)
    topics = [None, *proposal_queries.topics(include_retired=True), proposal_queries.NO_TOPIC]
    found = queries.catalogue(None)
    due = [
        (language, topic)
        for language in languages
        for topic in topics
        if pdf_files.tag_of(file_name(language, topic))
        != tag(on_topic(found, topic), topic, language)
    ]
    result = Made(unchanged=len(languages) * len(topics) - len(due))
    if due:
        found = queries.catalogue(None, texts=True)
        kept = pdf_files.KeptParts()
        for language, topic in sorted(due, key=lambda item: item[1] is not None):
            name = file_name(language, topic)
            shown = on_topic(found, topic)
            kept.used = set()
            with force_locale(language):
                pdf = render(shown, topic, now, kept)
            pdf_files.write(name, pdf, tag=tag(shown, topic, language), made_at=now,
                            parts=kept.used)  # fmt: skip
            result.made.append(name)
        kept.sweep()
    # A topic's file outlives nothing: one deleted, or a language no longer spoken.
    known = {file_name(language, topic) for language in spoken for topic in topics}
    for name in pdf_files.names("catalogue-"):
        if name not in known:
            pdf_files.remove(name)
    result.seconds = time.perf_counter() - started
    if result.made:
        log.info("catalogue PDFs made in %.1f s: %s", result.seconds, ", ".join(result.made))
    return result
