"""The political catalogue on screen and as a PDF, and one proposal as a PDF."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from app import site as settings
from app.accounts.erasure import person_name
from app.catalogue import queries
from app.database import utcnow
from app.i18n import _zone
from app.pdf import pdf_response, pdf_workers, render_pdf_in_parts, render_pdf_template
from app.proposals import queries as proposal_queries
from app.urls import public_url

bp = Blueprint("catalogue", __name__)

CATALOGUE_PDF = (
    "pdf/base.html",
    "pdf/catalogue.html",
    "pdf/catalogue_part.html",
    "pdf/_proposal.html",
)
PROPOSAL_PDF = ("pdf/base.html", "pdf/proposal.html", "pdf/_proposal.html", "macros/proposals.html")


def _today(now: datetime):
    return now.astimezone(_zone(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


@bp.get("/catalogue")
def index():
    """List every proposal in the catalogue by topic, with its stances and outcomes."""
    topic = queries.topic_filter(request.args)
    proposal_queries.apply_all_due(utcnow())
    return render_template(
        "catalogue/index.html",
        catalogue=queries.catalogue(topic),
        topic=topic,
        topics=proposal_queries.topics(include_retired=True),
    )


@bp.get("/catalogue.pdf")
def catalogue_pdf():
    """The catalogue as a PDF for a congress: cover, contents, a section per proposal."""
    topic = queries.topic_filter(request.args)
    now = utcnow()
    proposal_queries.apply_all_due(now)
    found = queries.catalogue(topic, texts=True)
    today = _today(now)
    address = public_url("catalogue.index", **({"topic": topic.id} if topic else {}))

    def front(page_of, total):
        return render_pdf_template(
            "pdf/catalogue.html",
            footer_total=total,
            catalogue=found,
            topic=topic,
            today=today,
            address=address,
            page_of=page_of,
        )

    def render():
        parts = [
            render_pdf_template("pdf/catalogue_part.html", footer=False, groups=groups,
                                public_url=public_url)
            for groups in queries.parts(found, 2 * pdf_workers())
        ]  # fmt: skip
        outline = [
            (topic.name, f"topic-{topic.id}",
             [(e.proposal.title, f"proposal-{e.proposal.id}") for e in entries])
            for topic, entries in found.groups
        ]  # fmt: skip
        return render_pdf_in_parts(parts, front, outline)

    return pdf_response(
        render,
        key=(settings.current().display_name, today, topic.id if topic else None, found.key()),
        templates=CATALOGUE_PDF,
        filename=_("political-catalogue.pdf"),
        attachment=True,
    )


@bp.get("/proposals/<int:proposal_id>.pdf")
def proposal_pdf(proposal_id: int):
    """One proposal as a PDF, laid out like its page; 404 for those who may not see it."""
    now = utcnow()
    page = proposal_queries.load_detail(
        proposal_queries.load_proposal(proposal_id, current_user, now)
    )
    proposal = page.proposal
    names = [person_name(p.user) for p in page.proposers]
    entry = queries.Entry(proposal, names, list(page.outcomes))
    return pdf_response(
        lambda: render_pdf_template(
            "pdf/proposal.html",
            entry=entry,
            address=public_url("proposals.detail", proposal_id=proposal.id),
            timeline_items=page.timeline,
        ),
        key=(
            settings.current().display_name,
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
