"""The organisation's own site: its name, the front page's introduction, a contact address,
the guidelines for proposals and the privacy notice, as the secretariat sets them.

One row, id 1. The Markdown fields are stored with their HTML, rendered once on save.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.database import UTCDateTime
from app.extensions import db

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
    # Raised by each save: the settings form carries the one it showed (app.editing).
    revision: Mapped[int] = mapped_column(default=0, server_default="0")
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
