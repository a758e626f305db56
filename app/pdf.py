"""PDFs made on the server from HTML with WeasyPrint.

- `render_pdf(html)` lays out a page's HTML (pdf/base.html links static/pdf.css: DejaVu
  fonts, so Danish letters come out, and selectable, searchable text). Relative links are
  resolved on FORSLAG_PUBLIC_URL, never on the Host of a request, so the links printed in a
  PDF are the site's public ones; the only resources it reads are the site's own static
  files, from disk: it fetches nothing over the network, whatever a user's text links to.
- `pdf_response(render, key=..., filename=...)` answers a GET with a PDF and an ETag made
  from `key` (the inputs that decide the PDF), the language, the stylesheet and the
  template: a conditional GET whose tag still matches gets a 304 without any rendering.
- `render_pdf_template(name, **context)`: the HTML of a template that extends
  templates/pdf/base.html, whose footer prints "side 3 af 12" / "page 3 of 12".

For example (the PDF of one proposal, app/proposals/views.py):

    return pdf_response(
        lambda: render_pdf_template("pdf/proposal.html", proposal=proposal, ...),
        key=(proposal.id, proposal.revision, counts...),
        templates=("pdf/base.html", "pdf/proposal.html"),
        filename=f"proposal-{proposal.id}.pdf",
    )
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import re
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from urllib.parse import quote, urlsplit

from flask import Response, current_app, render_template, request
from flask_babel import gettext as _
from markupsafe import Markup
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from app.i18n import select_locale

STYLESHEET = "pdf.css"
MIME = "application/pdf"
# Raise when the way PDFs are made changes in a way the inputs do not show.
LAYOUT_VERSION = "1"


class StaticFilesOnly(URLFetcher):
    """Reads the site's static files from disk; refuses every other address."""

    def __init__(self, public_url: str, static_folder: str) -> None:
        super().__init__(allowed_protocols=())
        self.prefix = public_url.rstrip("/") + "/static/"
        self.folder = Path(static_folder).resolve()

    def fetch(self, url, headers=None):
        if not url.startswith(self.prefix):
            raise ValueError(f"not fetched for a PDF: {url[:200]}")
        path = urlsplit(url).path.removeprefix(urlsplit(self.prefix).path)
        file = (self.folder / path).resolve()
        if not file.is_file() or not file.is_relative_to(self.folder):
            raise ValueError(f"no such static file: {url[:200]}")
        kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, file.read_bytes(), headers={"Content-Type": kind})


def _static_folder() -> str:
    return current_app.static_folder or str(Path(current_app.root_path) / "static")


@cache
def _stylesheet_digest(folder: str) -> str:
    return hashlib.sha256((Path(folder) / STYLESHEET).read_bytes()).hexdigest()[:16]


def render_pdf(html: str) -> bytes:
    """The PDF of `html`, its links on the public address; the stylesheets it links to
    (pdf/base.html links static/pdf.css) are read from disk."""
    public = current_app.config["PUBLIC_URL"].rstrip("/") + "/"
    document = HTML(
        string=html, base_url=public, url_fetcher=StaticFilesOnly(public, _static_folder())
    )
    return document.write_pdf()


def _css_string(text: str) -> str:
    """`text` as a CSS string literal that is also safe inside a <style> element."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\A ")
    return '"' + escaped.replace("<", "\\3C ").replace(">", "\\3E ") + '"'


def footer_css() -> str:
    """The @page rule whose footer says which page of how many, in the page's language."""
    words = _("page %(page)s of %(pages)s", page="\x01", pages="\x02")
    counters = {"\x01": "counter(page)", "\x02": "counter(pages)"}
    content = " ".join(
        counters.get(piece) or _css_string(piece) for piece in re.split("([\x01\x02])", words)
        if piece
    )
    return f"@page {{ @bottom-center {{ content: {content}; }} }}"


def render_pdf_template(name: str, **context) -> str:
    """The HTML of a PDF's template (one that extends pdf/base.html)."""
    footer = Markup(footer_css())  # noqa: S704  # nosec B704: _css_string escapes < > " \\
    return render_template(name, pdf_footer_css=footer, **context)


@cache
def _template_digest(name: str) -> str:
    env = current_app.jinja_env
    source, _filename, _uptodate = env.loader.get_source(env, name)
    return hashlib.sha256(source.encode()).hexdigest()[:16]


def etag_for(key: Iterable, templates: Iterable[str] = ()) -> str:
    """A strong tag over `key` and everything else that shapes a PDF."""
    parts = [
        LAYOUT_VERSION,
        select_locale(),
        current_app.config["PUBLIC_URL"],
        _stylesheet_digest(_static_folder()),
        [_template_digest(name) for name in templates],
        list(key),
    ]
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()[:32]


def pdf_response(
    render: Callable[[], str],
    *,
    key: Iterable,
    filename: str,
    templates: Iterable[str] = (),
    attachment: bool = False,
    private: bool = False,
) -> Response:
    """Answer a GET with the PDF of the HTML `render()` makes, or a 304 without calling it.

    `key` holds every input that decides the PDF (ids, revisions, counts, the organisation's
    name...); `templates` names the templates `render` uses, so a changed template gives a
    new tag. `private`: the PDF is only for the person asking (a draft), no shared cache.
    """
    etag = etag_for(key, templates)
    cache_control = "private, no-cache" if private else "public, no-cache"
    if etag in request.if_none_match:
        response = Response(status=304)
        response.set_etag(etag)
        response.headers["Cache-Control"] = cache_control
        return response
    response = Response(render_pdf(render()), mimetype=MIME)
    response.set_etag(etag)
    response.headers["Cache-Control"] = cache_control
    disposition = "attachment" if attachment else "inline"
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "")
    response.headers["Content-Disposition"] = (
        f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    )
    response.vary.add("Cookie")  # the language and who may see it come from the session
    return response
