"""The political catalogue on screen and as a PDF (the file the worker made), and one
proposal as a PDF (made in the request: a few tenths of a second, limited per client)."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.models import person_name
from app.amendments import queries as amendment_queries
from app.catalogue import files, queries
from app.core import organisation, pdf_files
from app.core.database import utcnow
from app.core.i18n import select_locale
from app.core.pdf import pdf_response, render_pdf_template
from app.core.urls import public_url
from app.proposals import queries as proposal_queries
from app.proposals import reading

bp = Blueprint("catalogue", __name__)

PROPOSAL_PDF = ("pdf/base.html", "pdf/proposal.html", "pdf/_proposal.html", "macros/proposals.html")


@bp.get("/catalogue")
def index():
    """List every proposal in the catalogue by topic, with its stances and outcomes."""
    topic = queries.topic_filter(request.args)
    reading.all_current(utcnow())
    return render_template(
        "catalogue/index.html",
        catalogue=queries.catalogue(topic),
        topic=topic,
        topics=proposal_queries.topics(include_retired=True),
    )


@bp.get("/catalogue.pdf")
def catalogue_pdf():
    """The catalogue as a PDF for a congress, as the worker made it last (app.catalogue.files):
    cover, contents, a section per proposal. Nothing is laid out here."""
    topic = queries.topic_filter(request.args)
    served = pdf_files.serve(
        files.file_name(select_locale(), topic),
        filename=_("political-catalogue.pdf"),
        attachment=True,
    )
    if served is not None:
        return served
    back = url_for("catalogue.index", **({"topic": topic.id} if topic else {}))
    return pdf_files.being_made(
        _("The catalogue is being made right now. Try again in a minute."),
        back,
        _("Back to the catalogue"),
    )


@bp.get("/proposals/<int:proposal_id>.pdf")
def proposal_pdf(proposal_id: int):
    """One proposal as a PDF, laid out like its page; 404 for those who may not see it."""
    now = utcnow()
    page = proposal_queries.load_detail(reading.load_proposal(proposal_id, current_user, now))
    proposal = page.proposal
    names = [person_name(p.user) for p in page.proposers]
    minority = [a for a in amendment_queries.decisions(proposal).items if a.minority]
    entry = queries.Entry(proposal, names, list(page.outcomes), minority)
    return pdf_response(
        lambda: render_pdf_template(
            "pdf/proposal.html",
            entry=entry,
            address=public_url("proposals.detail", proposal_id=proposal.id),
            timeline_items=page.timeline,
        ),
        key=(
            organisation.current().display_name,
            proposal.state,
            proposal.topic.name,
            proposal.hearing_ends_at,
            proposal.support_deadline,
            queries.Catalogue([(proposal.topic, [entry])]).key(),
            [(kind, item.id) for kind, item in page.timeline],
        ),
        templates=PROPOSAL_PDF,
        filename=_("proposal-%(id)s.pdf", id=proposal.id),
        private=not proposal.is_public,
    )
