"""The hearing memo as a PDF: a short memo is laid out in the request, a long one by the
worker, and the request serves its file (app.core.pdf_files).

A memo is long when it has more than LONG_RESPONSES hearing responses or more than
LONG_TEXT characters of responses and answers: laying it out then takes more than about
half a second (0.2 s for 25 responses of 1,000 characters, 0.4 s for 4 of 10,000, 1.4 s for
200 short ones). A short memo shows the answer a proposer has just given at once, as people
expect of a page they have just changed; a long one is at most a minute behind, and its first
page says when it was made. The worker makes a long memo's file the first time someone asks
for it (the request answers 503 "being made" meanwhile), and then again within a minute of
each change, in each language asked for.
"""

from __future__ import annotations

import logging
import re
import time
from datetime import datetime

from flask_babel import force_locale

from app.comments import answers
from app.core import organisation, pdf_files
from app.core.extensions import db
from app.core.pdf import etag_for, render_pdf, render_pdf_template
from app.core.urls import public_url
from app.proposals.models import Proposal

log = logging.getLogger(__name__)

LONG_RESPONSES = 20
LONG_TEXT = 20_000
TEMPLATES = ("pdf/base.html", "pdf/memo.html")
_FILE = re.compile(r"memo-(\d+)-([a-z]+)")


def is_long(memo: answers.Memo) -> bool:
    if len(memo.rows) > LONG_RESPONSES:
        return True
    text = sum(
        len(row.response.body_html or "") + len(row.answer.text_html if row.answer else "")
        for row in memo.rows
    )
    return text > LONG_TEXT


def file_name(proposal_id: int, language: str) -> str:
    return f"memo-{proposal_id}-{language}"


def key(memo: answers.Memo) -> tuple:
    """Everything the PDF shows, in short: a changed response or answer gives a new tag."""
    proposal = memo.proposal
    rows = [
        (
            row.response.id,
            row.response.author.name if row.response.author else None,
            bool(row.response.deleted_at),
            bool(row.response.hidden_at),
            row.answer.revision if row.answer else None,
        )
        for row in memo.rows
    ]
    amendments = [
        (
            a.id,
            a.author.name if a.author else None,
            a.revision,
            a.state,
            a.verdict,
            a.reason,
            a.backer_count,
            a.adopted_in,
        )
        for a in (memo.amendments.items if memo.amendments else [])
    ]
    return (
        proposal.id,
        proposal.state,
        proposal.revision,
        proposal.version_count,
        proposal.final_version,
        organisation.current().display_name,
        rows,
        amendments,
    )


def html(memo: answers.Memo, made_at: datetime) -> str:
    """The memo's PDF as HTML, in the current language."""
    proposal = memo.proposal
    diff_url = (
        public_url(
            "proposals.diff",
            proposal_id=proposal.id,
            **{"from": proposal.hearing_version, "to": memo.diff_to},
        )
        if proposal.hearing_version and memo.diff_to
        else ""
    )
    return render_pdf_template(
        "pdf/memo.html", proposal=proposal, memo=memo, diff_url=diff_url, made_at=made_at
    )


def make_all(now: datetime) -> list[str]:
    """Make again each long memo's file that someone asked for or that was made before, when
    its tag changed; the names made. The caller holds `pdf_files.making()`."""
    made = []
    for name in sorted(set(pdf_files.names("memo-")) | set(pdf_files.wishes("memo-"))):
        found = _FILE.fullmatch(name)
        proposal = db.session.get(Proposal, int(found.group(1))) if found else None
        if proposal is None or proposal.hearing_version is None:
            pdf_files.remove(name)  # deleted, or never heard: there is no memo to make
            continue
        language = found.group(2)
        memo = answers.memo(proposal)
        tag = etag_for(key(memo), TEMPLATES, language=language)
        if pdf_files.tag_of(name) == tag:
            continue
        started = time.perf_counter()
        with force_locale(language):
            pdf = render_pdf(html(memo, now))
        pdf_files.write(name, pdf, tag=tag, made_at=now)
        log.info("%s made in %.1f s", name, time.perf_counter() - started)
        made.append(name)
    return made
