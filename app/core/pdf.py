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
- `render_pdf_in_parts(parts, front, kept=...)`: a long PDF (the catalogue) laid out in parts
  on the machine's cores, then joined: each part starts on a page of its own, the front pages
  (cover, contents) are made last, when the page of every anchor in the parts is known. A
  part (or a footer) laid out before, with the same HTML, is taken from `kept`.

The catalogue's PDFs and long hearing memos are made this way by the worker, never in a
request, and served as files (app.core.pdf_files); a single proposal's PDF is made in the request.

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
import io
import json
import mimetypes
import multiprocessing
import os
import re
import resource
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Protocol
from urllib.parse import quote, urlsplit

from flask import Response, current_app, render_template, request
from flask_babel import gettext as _
from markupsafe import Markup

from app.core.i18n import select_locale

STYLESHEET = "pdf.css"
MIME = "application/pdf"
# Raise when the way PDFs are made changes in a way the inputs do not show.
LAYOUT_VERSION = "2"


def static_files_only(public_url: str, static_folder: str):
    """A WeasyPrint URL fetcher that reads the site's static files from disk and refuses
    every other address."""
    return _static_files_only_class()(public_url, static_folder)


@cache
def _static_files_only_class():
    # WeasyPrint is imported when a PDF is made, not with the app: it is most of the time
    # an app takes to import (0.8 s), paid by every worker, command and test process.
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFilesOnly(URLFetcher):
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

    return StaticFilesOnly


def _static_folder() -> str:
    return current_app.static_folder or str(Path(current_app.root_path) / "static")


@cache
def _stylesheet_digest(folder: str) -> str:
    return hashlib.sha256((Path(folder) / STYLESHEET).read_bytes()).hexdigest()[:16]


def _public() -> str:
    return current_app.config["PUBLIC_URL"].rstrip("/") + "/"


def render_pdf(html: str) -> bytes:
    """The PDF of `html`, its links on the public address; the stylesheets it links to
    (pdf/base.html links static/pdf.css) are read from disk."""
    return _lay_out(html, _public(), _static_folder()).pdf


@dataclass
class Laid:
    """A laid-out PDF: its bytes, its number of pages, and the page (from 0) of each
    anchor (an element's id), the first if one is on several."""

    pdf: bytes
    pages: int
    anchors: dict[str, int]
    cpu: float = 0.0  # seconds of CPU it took, in the process that made it
    rss_peak_kib: int = 0  # that process's peak resident memory


def _lay_out(html: str, public: str, static_folder: str) -> Laid:
    """Lay out and write `html` (run in a helper process by render_pdf_in_parts: it needs
    no app, only strings)."""
    from weasyprint import HTML  # loaded lazily: see _static_files_only_class

    started = time.process_time()
    document = HTML(
        string=html, base_url=public, url_fetcher=static_files_only(public, static_folder)
    ).render()
    anchors: dict[str, int] = {}
    for number, page in enumerate(document.pages):
        for name in page.anchors:
            anchors.setdefault(name, number)
    pdf = document.write_pdf()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return Laid(pdf, len(document.pages), anchors, time.process_time() - started, peak)


def laid_key(html: str, public: str, static_folder: str) -> str:
    """What decides a laid-out document: its HTML, the address its links are made on, the
    stylesheet and the way PDFs are made."""
    parts = [LAYOUT_VERSION, public, _stylesheet_digest(static_folder), html]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:32]


class Kept(Protocol):
    """Laid-out documents kept by their `laid_key` (app.core.pdf_files keeps them on disk)."""

    def get(self, key: str) -> Laid | None: ...

    def put(self, key: str, laid: Laid) -> None: ...


class _Here(Executor):
    """Runs each job at once in this process (one core, or nothing to share out)."""

    def submit(self, fn, /, *args, **kwargs):
        future = Future()
        future.set_result(fn(*args, **kwargs))
        return future


# CPU seconds spent by helper processes on PDFs in parts since this process started, and
# the largest helper's peak memory (bench/pdf reports them: the operating system counts the
# helpers to another parent).
helper_cpu_seconds = 0.0
helper_rss_peak_kib = 0


def pdf_workers() -> int:
    """How many processes lay out a PDF's parts: PDF_WORKERS, else up to 2 of the cores
    (the app's other requests and the worker share the machine). In a process of the
    worker (Huey's are daemons, which may not start processes) it is 1: the parts are laid
    out one after the other, and the web server keeps the other core."""
    if multiprocessing.current_process().daemon:
        return 1
    configured = current_app.config.get("PDF_WORKERS")
    return max(1, int(configured or min(2, os.cpu_count() or 1)))


def _pool(workers: int) -> Executor:
    """Processes forked from a clean server process that has WeasyPrint loaded: not from
    the app's process, whose threads and connections a fork would copy."""
    if workers < 2:
        return _Here()
    context = multiprocessing.get_context("forkserver")
    # With the main script loaded in the server, a helper need not run it again itself.
    context.set_forkserver_preload(["__main__", __name__, "weasyprint"])
    return ProcessPoolExecutor(max_workers=workers, mp_context=context)


class _Layer:
    """Lays out documents in `pool`, or takes them from `kept` when laid out before; what
    it laid out anew goes into `kept` once done."""

    def __init__(self, pool: Executor, public: str, folder: str, kept: Kept | None) -> None:
        self.pool, self.public, self.folder, self.kept = pool, public, folder, kept
        self.new: list[tuple[str, Future]] = []

    def __call__(self, html: str) -> Future:
        if self.kept is None:
            return self.pool.submit(_lay_out, html, self.public, self.folder)
        key = laid_key(html, self.public, self.folder)
        found = self.kept.get(key)
        if found is not None:
            done: Future = Future()
            done.set_result(found)
            return done
        job = self.pool.submit(_lay_out, html, self.public, self.folder)
        self.new.append((key, job))
        return job

    def keep(self) -> None:
        for key, job in self.new:
            if job.done() and job.exception() is None:
                self.kept.put(key, job.result())


def render_pdf_in_parts(
    parts: list[str],
    front: Callable[[Callable[[str], int | str], int | None], str],
    outline: Iterable[tuple[str, str, Iterable[tuple[str, str]]]] = (),
    *,
    kept: Kept | None = None,
) -> bytes:
    """One PDF of the front pages and `parts`, the parts laid out side by side.

    `parts`: the HTML of each part (a template extending pdf/base.html, rendered with
    `footer=False`); each starts on a new page, and they follow each other in this order.
    `front(page_of, total)`: the HTML of the pages before them (the cover, the contents),
    rendered with `footer_total=total`, where `page_of(anchor)` is the page number of an
    element of the parts; it is made twice, first with placeholders to count its pages.
    `outline`: the PDF's bookmarks after the front's own, (title, anchor, children).

    The parts' footers ("side 7 af 406") are laid over their pages once the numbers are
    known, and the front's links to anchors in the parts lead to them (the front names
    those anchors itself, e.g. as ids of its contents' entries, and they are pointed at the
    parts' pages).

    `kept`: parts and footers laid out before (for this PDF or another: a topic's catalogue
    is made of the whole catalogue's parts) are taken from it, and new ones put in it.
    """
    global helper_cpu_seconds, helper_rss_peak_kib
    public, folder = _public(), _static_folder()
    if not parts:
        return render_pdf(front(lambda _anchor: "", None))
    workers = min(pdf_workers(), len(parts))
    with _pool(workers) as pool:
        lay = _Layer(pool, public, folder, kept)
        laid = [lay(html) for html in parts]
        # The front with placeholders, to count its pages: last, the shortest job.
        probe = pool.submit(_lay_out, front(lambda _anchor: "9999", 9999), public, folder)
        laid = [job.result() for job in laid]
        front_pages = probe.result().pages
        for _attempt in range(3):
            firsts = [front_pages]  # pages before each part
            for part in laid:
                firsts.append(firsts[-1] + part.pages)
            total = firsts.pop()
            page_of = _pages_of(laid, firsts)
            html = front(lambda anchor, pages=page_of: pages.get(anchor, ""), total)
            made = pool.submit(_lay_out, html, public, folder)
            footers = [
                lay(_footer_html(first + 1, part.pages, total))
                for first, part in zip(firsts, laid, strict=True)
            ]
            made = made.result()
            if made.pages == front_pages:
                break
            front_pages = made.pages  # a number's width wrapped a title: count again
        footers = [job.result() for job in footers]
    if kept is not None:
        lay.keep()
    if workers > 1:
        jobs = [probe.result(), made, *laid, *footers]
        helper_cpu_seconds += sum(job.cpu for job in jobs)
        helper_rss_peak_kib = max(helper_rss_peak_kib, *(job.rss_peak_kib for job in jobs))
    return _join(made, laid, footers, firsts, outline)


def _pages_of(laid: list[Laid], firsts: list[int]) -> dict[str, int]:
    """The page number (from 1) of each anchor in the parts."""
    pages: dict[str, int] = {}
    for first, part in zip(firsts, laid, strict=True):
        for name, number in part.anchors.items():
            pages.setdefault(name, first + number + 1)
    return pages


def _footer_html(first: int, pages: int, total: int) -> str:
    """`pages` empty pages with the footer, numbered from `first`, laid over a part's."""
    return (
        '<!doctype html><html><head><meta charset="utf-8">'
        '<link rel="stylesheet" href="static/pdf.css">'
        f"<style>{footer_css(total)} @page :first {{ counter-reset: page {first}; }}"
        " div + div { break-before: page; }</style></head><body>"
        + "<div></div>" * pages
        + "</body></html>"
    )


def _join(
    front: Laid,
    parts: list[Laid],
    footers: list[Laid],
    firsts: list[int],
    outline: Iterable[tuple[str, str, Iterable[tuple[str, str]]]],
) -> bytes:
    """The front's PDF (its metadata, language and bookmarks kept) followed by the parts'
    pages, each with its footer laid over it; one table of named destinations for all."""
    import pikepdf  # loaded when a PDF is joined, as WeasyPrint is when one is made

    pdf = pikepdf.open(io.BytesIO(front.pdf))
    destinations: dict[str, pikepdf.Array] = {}
    for first, part, footer in zip(firsts, parts, footers, strict=True):
        source = pikepdf.open(io.BytesIO(part.pdf))
        overlay = pikepdf.open(io.BytesIO(footer.pdf))
        for page, over in zip(source.pages, overlay.pages, strict=True):
            page.add_overlay(over)
        pdf.pages.extend(source.pages)
        numbers = {page.objgen: n for n, page in enumerate(source.pages)}
        for name, target in _named_destinations(source):
            number = numbers.get(target[0].objgen)
            if number is not None and name not in destinations:
                target = pikepdf.Array([pdf.pages[first + number].obj, *list(target)[1:]])
                destinations[name] = target
    for name, target in _named_destinations(pdf):
        destinations.setdefault(name, target)  # the front's own, but for the parts' names
    names = pikepdf.Array()
    for name in sorted(destinations):  # a name tree is sorted; ids are ASCII
        names.extend([pikepdf.String(name), destinations[name]])
    if "/Names" not in pdf.Root:
        pdf.Root.Names = pikepdf.Dictionary()
    pdf.Root.Names.Dests = pikepdf.Dictionary(Names=names)
    starts = _pages_of(parts, firsts)
    with pdf.open_outline() as tree:
        for title, anchor, children in outline:
            if anchor not in starts:
                continue
            item = pikepdf.OutlineItem(title, starts[anchor] - 1)
            item.children.extend(
                pikepdf.OutlineItem(child, starts[target] - 1)
                for child, target in children
                if target in starts
            )
            tree.root.append(item)
    out = io.BytesIO()
    pdf.save(out, compress_streams=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return out.getvalue()


def _named_destinations(pdf) -> list:
    """The (flat) table of named destinations WeasyPrint writes: (name, [page, /XYZ, x, y, 0])."""
    try:
        names = pdf.Root.Names.Dests.Names
    except (AttributeError, KeyError):
        return []
    return [(str(names[i]), names[i + 1]) for i in range(0, len(names), 2)]


def _css_string(text: str) -> str:
    """`text` as a CSS string literal that is also safe inside a <style> element."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\A ")
    return '"' + escaped.replace("<", "\\3C ").replace(">", "\\3E ") + '"'


def footer_css(total: int | None = None) -> str:
    """The @page rule whose footer says which page of how many, in the page's language;
    `total`: the number of pages, when the PDF is made of several laid out apart."""
    words = _("page %(page)s of %(pages)s", page="\x01", pages="\x02")
    pages = "counter(pages)" if total is None else _css_string(str(total))
    counters = {"\x01": "counter(page)", "\x02": pages}
    content = " ".join(
        counters.get(piece) or _css_string(piece)
        for piece in re.split("([\x01\x02])", words)
        if piece
    )
    return f"@page {{ @bottom-center {{ content: {content}; }} }}"


# A part of a PDF made in parts: its footer comes later, and the outline is made whole.
PART_CSS = (
    "@page { @bottom-center { content: none; } } h1, h2, h3, h4, h5, h6 { bookmark-level: none; }"
)


def render_pdf_template(
    name: str, *, footer: bool = True, footer_total: int | None = None, **context
) -> str:
    """The HTML of a PDF's template (one that extends pdf/base.html). `footer=False`: a
    part for render_pdf_in_parts; `footer_total`: the pages of the whole, when in parts."""
    css = footer_css(footer_total) if footer else PART_CSS
    return render_template(name, pdf_footer_css=Markup(css), **context)  # noqa: S704  # nosec B704: _css_string escapes < > " \\


@cache
def _template_digest(name: str) -> str:
    env = current_app.jinja_env
    source, _filename, _uptodate = env.loader.get_source(env, name)
    return hashlib.sha256(source.encode()).hexdigest()[:16]


def etag_for(key: Iterable, templates: Iterable[str] = (), language: str | None = None) -> str:
    """A strong tag over `key` and everything else that shapes a PDF, in `language` (by
    default the request's)."""
    parts = [
        LAYOUT_VERSION,
        language or select_locale(),
        current_app.config["PUBLIC_URL"],
        _stylesheet_digest(_static_folder()),
        [_template_digest(name) for name in templates],
        list(key),
    ]
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()[:32]


# The last few public PDFs this process made, by their tag (which holds every input that
# shapes them): a crowd downloading the same proposal before a congress costs one render.
# Private ones (a draft's) are not kept.
_MADE: OrderedDict[str, bytes] = OrderedDict()
KEPT_PDFS = 4


def pdf_response(
    render: Callable[[], str | bytes],
    *,
    key: Iterable,
    filename: str,
    templates: Iterable[str] = (),
    attachment: bool = False,
    private: bool = False,
) -> Response:
    """Answer a GET with the PDF of the HTML `render()` makes (or the PDF it makes, as
    bytes), or a 304 without calling it.

    `key` holds every input that decides the PDF (ids, revisions, counts, the organisation's
    name...); `templates` names the templates `render` uses, so a changed template gives a
    new tag. `private`: the PDF is only for the person asking (a draft), no shared cache.
    """
    etag = etag_for(key, templates)
    if etag in request.if_none_match:
        return with_pdf_headers(
            Response(status=304), etag, filename, attachment=attachment, private=private
        )
    pdf = None if private else _MADE.get(etag)
    if pdf is None:
        made = render()
        pdf = made if isinstance(made, bytes) else render_pdf(made)
        if not private:
            _MADE[etag] = pdf
            while len(_MADE) > KEPT_PDFS:
                _MADE.popitem(last=False)
    else:
        _MADE.move_to_end(etag)
    return with_pdf_headers(
        Response(pdf, mimetype=MIME), etag, filename, attachment=attachment, private=private
    )


def with_pdf_headers(
    response: Response, etag: str, filename: str, *, attachment: bool, private: bool
) -> Response:
    """A PDF's answer (or its 304) with its tag, its name and who may keep a copy."""
    response.set_etag(etag)
    response.headers["Cache-Control"] = "private, no-cache" if private else "public, no-cache"
    response.vary.add("Cookie")  # the language and who may see it come from the session
    if response.status_code == 200:
        disposition = "attachment" if attachment else "inline"
        ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "")
        response.headers["Content-Disposition"] = (
            f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
        )
    return response
