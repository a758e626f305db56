"""Languages: which one a request is served in, and the labels of domain words.

Message ids are English; Danish is the default language and its catalogue is complete.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import DateTimePattern, parse_pattern
from flask import Flask, current_app, has_request_context, session
from flask_babel import format_timedelta, get_babel, get_locale, get_translations
from flask_babel import lazy_gettext as _l
from jinja2.ext import _make_new_gettext, _make_new_ngettext

from app.core.database import utcnow

LANGUAGES = {"da": "Dansk", "en": "English"}
DEFAULT_LANGUAGE = "da"

ROLE_LABELS = {
    "citizen": _l("citizen"),
    "member": _l("member"),
    "secretariat": _l("secretariat"),
}


@cache
def _compiled(directories: tuple[str, ...], language: str) -> bool:
    return any(
        (Path(directory) / language / "LC_MESSAGES" / "messages.mo").is_file()
        for directory in directories
    )


def spoken_languages() -> dict[str, str]:
    """The languages pages can be in now: English always (the message ids are English),
    another only when its compiled catalogue is there. Without it every text would be
    English while the page said it was Danish."""
    directories = tuple(get_babel().translation_directories)
    return {
        code: label
        for code, label in LANGUAGES.items()
        if code == "en" or _compiled(directories, code)
    }


def select_locale() -> str:
    """The language chosen with POST /language, else Danish (and Danish outside a request:
    mail says in which language it is written, with force_locale); English wherever the
    chosen language's catalogue is missing."""
    spoken = spoken_languages()
    default = DEFAULT_LANGUAGE if DEFAULT_LANGUAGE in spoken else "en"
    if not has_request_context():
        return default
    lang = session.get("lang")
    return lang if lang in spoken else default


_MOMENT_FORMATS = {"da": "d. MMMM y 'kl.' HH:mm", "en": "d MMMM y, HH:mm"}
_DAY_FORMATS = {"da": "d. MMMM y", "en": "d MMMM y"}


@cache
def _pattern(pattern: str) -> DateTimePattern:
    """A Babel pattern parsed once per process, not on every date a page shows."""
    return parse_pattern(pattern)


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _formatted(value: date, formats: dict[str, str]) -> str:
    locale = get_locale()
    pattern = _pattern(formats.get(str(locale), formats["en"]))
    if isinstance(value, datetime):
        zone = _zone(current_app.config["BABEL_DEFAULT_TIMEZONE"])
        value = (
            value.astimezone(zone) if value.tzinfo else value.replace(tzinfo=UTC).astimezone(zone)
        )
    return pattern.apply(value, locale)


def moment(value: datetime | None) -> str:
    """A point in time as people here read it: Danish local time, in the page's language."""
    if value is None:
        return ""
    return _formatted(value, _MOMENT_FORMATS)


def day(value: date | None) -> str:
    if value is None:
        return ""
    return _formatted(value, _DAY_FORMATS)


def time_left(deadline: datetime | None, now: datetime | None = None) -> str:
    """ "3 dage" until `deadline` (nothing when it has passed)."""
    if deadline is None:
        return ""
    remaining = deadline - (now or utcnow())
    if remaining.total_seconds() <= 0:
        return ""
    return format_timedelta(remaining, threshold=1.1)


def iso(value: datetime | date | None) -> str:
    """ISO 8601, and for times in UTC with a Z: for <time datetime> and the API."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    return value.isoformat()


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(moment=moment, day=day, time_left=time_left, iso=iso)

    @app.context_processor
    def _language_context():
        spoken = spoken_languages()
        current = str(get_locale() or DEFAULT_LANGUAGE)
        # Mail is written with force_locale in its reader's language: without that
        # language's catalogue its text is English, and so is its lang.
        current = current if current in spoken else "en"
        # The page's catalogue, found once per render rather than on every `_()` of every
        # comment: Flask-Babel's own template functions look it up anew each call.
        translations = get_translations()
        gettext = _make_new_gettext(translations.ugettext)
        return {
            "languages": spoken,
            "current_language": current,
            "role_labels": ROLE_LABELS,
            "gettext": gettext,
            "_": gettext,
            "ngettext": _make_new_ngettext(translations.ungettext),
        }
