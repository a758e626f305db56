"""Languages: which one a request is served in, and the labels of domain words.

Message ids are English; Danish is the default language and its catalogue is complete.
"""

from __future__ import annotations

from flask import Flask, session
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

LANGUAGES = {"da": "Dansk", "en": "English"}
DEFAULT_LANGUAGE = "da"

LOGIN_REQUIRED = _l("Log in to see this page.")

ROLE_LABELS = {
    "citizen": _l("citizen"),
    "member": _l("member"),
    "secretariat": _l("secretariat"),
}


def select_locale() -> str:
    """The language chosen with POST /language, else Danish."""
    lang = session.get("lang")
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def init_app(app: Flask) -> None:
    @app.context_processor
    def _language_context():
        current = str(get_locale() or DEFAULT_LANGUAGE)
        return {
            "languages": LANGUAGES,
            "current_language": current,
            "role_labels": ROLE_LABELS,
        }
