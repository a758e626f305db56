"""The front page, the language switch and the bare health route."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, session, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField

from app.i18n import LANGUAGES
from app.urls import back_to

bp = Blueprint("main", __name__)


class LanguageForm(FlaskForm):
    lang = StringField()
    next = HiddenField()


@bp.get("/")
def index():
    """Show the front page."""
    return render_template("main/index.html")


@bp.post("/language")
def language():
    """Switch the language for this session, without JavaScript."""
    form = LanguageForm()
    if not form.validate_on_submit() or form.lang.data not in LANGUAGES:
        abort(400, description=_("Choose one of the languages: da (Dansk) or en (English)."))
    session["lang"] = form.lang.data
    return back_to(url_for("main.index"), form.next.data)


@bp.get("/healthz")
def healthz():
    """Answer that the process is up; touches nothing else, so it is the benchmarks' ceiling."""
    return "ok\n", 200, {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}
