"""The organisation a site serves: its name, the front page's introduction, a contact
address, the guidelines for proposals and the privacy notice, as the secretariat sets them
(the form is app.site.settings), read by every page, mail and PDF.

One row, id 1. The Markdown fields are stored with their HTML, rendered once on save.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.utils import formataddr, parseaddr

from flask import current_app, g
from markupsafe import Markup
from sqlalchemy import String, Text, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.local import LocalProxy

from app.core import audit, editing
from app.core.database import UTCDateTime, utcnow
from app.core.extensions import db
from app.core.markup import render_markdown_fields
from app.core.refusals import NotAllowed
from app.core.text import one_line

# What the site is called until the secretariat names it.
DEFAULT_NAME = "Forslag"


class SiteSettings(db.Model):
    __tablename__ = "site_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Empty until the secretariat names the organisation: DEFAULT_NAME is shown meanwhile.
    name: Mapped[str] = mapped_column(String(100), default="", server_default="")
    introduction: Mapped[str] = mapped_column(Text, default="", server_default="")
    introduction_html: Mapped[str] = mapped_column(Text, default="", server_default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="", server_default="")
    guidelines: Mapped[str] = mapped_column(Text, default="", server_default="")
    guidelines_html: Mapped[str] = mapped_column(Text, default="", server_default="")
    privacy: Mapped[str] = mapped_column(Text, default="", server_default="")
    privacy_html: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Raised by each save: the settings form carries the one it showed (app.core.editing).
    revision: Mapped[int] = mapped_column(default=0, server_default="0")
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


# --- what every page shows ------------------------------------------------------------------

MARKDOWN_FIELDS = ("introduction", "guidelines", "privacy")
FIELDS = ("name", "introduction", "contact_email", "guidelines", "privacy")
MAX_NAME = 100
MAX_MARKDOWN = 50_000


@dataclass(frozen=True)
class Site:
    """The settings as a page reads them; the defaults until the secretariat saves any."""

    name: str = ""
    introduction_html: Markup = Markup("")
    contact_email: str = ""
    guidelines_html: Markup = Markup("")
    privacy_html: Markup = Markup("")

    @property
    def display_name(self) -> str:
        return self.name or DEFAULT_NAME


def _stored(html: str | None) -> Markup:
    # Only render_markdown writes these columns: sanitised before it was stored.
    return Markup(html or "")  # noqa: S704  # nosec B704


def current() -> Site:
    """This request's settings: read once per request (or task) from row 1, then kept on
    `g`. Never kept longer in the process: several processes serve the site, and a save in
    one of them must show in all at once (the page cache's few seconds aside)."""
    if "site_settings" not in g:
        row = db.session.execute(
            select(
                SiteSettings.name,
                SiteSettings.introduction_html,
                SiteSettings.contact_email,
                SiteSettings.guidelines_html,
                SiteSettings.privacy_html,
            ).where(SiteSettings.id == 1)
        ).first()
        if row is None:
            g.site_settings = Site()
        else:
            # The HTML was sanitised when it was rendered, on save (app.core.markup).
            name, introduction, contact, guidelines, privacy = row
            g.site_settings = Site(
                name, _stored(introduction), contact, _stored(guidelines), _stored(privacy)
            )
    return g.site_settings


def forget() -> None:
    """After a save: this request reads the settings again, and no process-local page that
    visitors share keeps the old name."""
    g.pop("site_settings", None)
    cache = current_app.extensions.get("page_cache")
    if cache is not None:
        cache.clear()


# For templates (the header, titles, mail): `site.display_name` reads `current()`.
proxy = LocalProxy(current)


def mail_from(configured: str) -> str:
    """MAIL_FROM with the organisation's name shown, when it names none of its own (or the
    default "Forslag"): the address stays the configured one."""
    name, address = parseaddr(configured)
    if name in ("", DEFAULT_NAME) and address:
        return formataddr((one_line(current().display_name), address))
    return configured


# --- saving ---------------------------------------------------------------------------------


def _rendered(values: dict[str, str]) -> dict[str, str]:
    names = [name for name in MARKDOWN_FIELDS if name in values]
    return {
        f"{name}_html": str(html) for name, html in render_markdown_fields(values, names).items()
    }


# The settings are shared text: two secretaries saving from the same page never erase each
# other's words (app.core.editing), as with a topic's name.
SETTINGS_TEXT = editing.Subject(
    kind="settings",
    model=SiteSettings,
    fields=FIELDS,
    markdown=MARKDOWN_FIELDS,
    derived=_rendered,
)


def settings_row() -> SiteSettings:
    """Row 1, made (with its first revision kept) the first time anyone saves."""
    row = db.session.get(SiteSettings, 1)
    if row is not None:
        return row
    try:
        with db.session.begin_nested():
            row = SiteSettings(id=1, revision=0)
            db.session.add(row)
            db.session.flush()
            editing.record(SETTINGS_TEXT, 1, 0, {name: "" for name in FIELDS}, None, utcnow())
    except IntegrityError:  # made at the same moment by another save
        row = db.session.get(SiteSettings, 1)
    return row


def save(
    actor, values: dict[str, str], *, now: datetime, base_revision: int | None = None
) -> list[str]:
    """Save the settings in `values` (those left out stay as they are) as the form showed
    them at `base_revision` (None: as they are now), in the caller's transaction, and audit
    which fields changed. Another secretary's
    change to a different field is kept; to the same one, `editing.Conflict` and nothing is
    saved. The values must be valid (SettingsForm)."""
    if not actor.is_secretariat:
        raise NotAllowed("not_secretariat")
    row = settings_row()
    before = {name: getattr(row, name) for name in FIELDS}
    mine = {name: values[name] for name in FIELDS if name in values}
    saved = editing.save(
        SETTINGS_TEXT,
        1,
        row.revision if base_revision is None else base_revision,
        mine,
        author_id=actor.id,
        now=now,
        extra={"updated_at": now},
    )
    if not saved.ok:
        raise editing.Conflict(saved)
    db.session.refresh(row)
    plain = editing.plain_lines
    changed = [n for n in FIELDS if plain(getattr(row, n)) != plain(before[n])]
    if changed:
        audit.record(actor, "settings", subject=", ".join(changed), now=now)
    db.session.flush()
    return changed
