"""The front page, the organisation's privacy notice and guidelines, the language switch
and the bare health route."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField

from app.core import organisation
from app.core.database import utcnow
from app.core.extensions import csrf, db
from app.core.i18n import LANGUAGES
from app.core.urls import back_to
from app.proposals import lifecycle as lc
from app.proposals import queries, reading
from app.proposals.models import Proposal

bp = Blueprint("main", __name__)


@bp.record_once
def _globals(state) -> None:
    # Every template, mail included: the organisation's name and texts.
    state.app.jinja_env.globals.update(
        site=organisation.proxy, default_site_name=organisation.DEFAULT_NAME
    )


class LanguageForm(FlaskForm):
    """The language switch carries no CSRF token: the worst a forged one can do is change
    the language, and without a token every visitor's page can be shared (app.core.caching)."""

    class Meta:
        csrf = False

    lang = StringField()
    next = HiddenField()


@bp.get("/")
def index():
    """Show open hearings, proposals seeking support and the newest in the catalogue."""
    now = utcnow()
    reading.all_current(now)
    sections = [
        (
            lc.HEARING,
            _("Open hearings"),
            queries.in_state(lc.HEARING, 6, order=Proposal.hearing_ends_at.asc()),
        ),
        (
            lc.SUPPORT,
            _("Seeking support"),
            queries.in_state(lc.SUPPORT, 6, order=Proposal.support_deadline.asc()),
        ),
        (lc.CATALOGUE, _("Newest in the political catalogue"), queries.in_state(lc.CATALOGUE, 6)),
    ]
    return render_template("main/index.html", sections=sections, now=now)


@bp.get("/privacy")
def privacy():
    """The organisation's privacy notice, as the secretariat wrote it."""
    return render_template("main/privacy.html")


@bp.get("/guidelines")
def guidelines():
    """The organisation's guidelines for proposals, as the secretariat wrote them."""
    return render_template("main/guidelines.html")


@bp.post("/language")
@csrf.exempt
def language():
    """Switch the language for this session, without JavaScript."""
    form = LanguageForm()
    if not form.validate_on_submit() or form.lang.data not in LANGUAGES:
        abort(400, description=_("Choose one of the languages: da (Dansk) or en (English)."))
    session["lang"] = form.lang.data
    if current_user.is_authenticated and current_user.language != form.lang.data:
        # Their mail is written in the language they last chose.
        current_user.language = form.lang.data
        db.session.commit()
    return back_to(url_for("main.index"), form.next.data)


@bp.get("/healthz")
def healthz():
    """Answer that the process is up; touches nothing else, so it is the benchmarks' ceiling."""
    return "ok\n", 200, {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}
