"""app/pdf.py: HTML to PDF with WeasyPrint, read back with pdftotext."""

from __future__ import annotations

import shutil
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from flask_babel import force_locale

from app.pdf import StaticFilesOnly, pdf_response, render_pdf_template
from tests.support import require


def pdf_text(data: bytes) -> str:
    """What a reader of the PDF can select and search, in layout order."""
    require(shutil.which("pdftotext") is not None, "pdftotext (poppler-utils)")
    assert data.startswith(b"%PDF-")
    done = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", "-", "-"],
        input=data,
        capture_output=True,
        check=True,
        timeout=30,
    )
    return done.stdout.decode()


def test_a_pdf_has_danish_letters_page_numbers_and_fetches_nothing_from_elsewhere(app):
    """One render: Danish letters as text, 'side N af M' on each page, an image on another
    host is not fetched, a conditional GET with the tag gets 304 without rendering."""
    asked = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            asked.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    elsewhere = f"http://127.0.0.1:{server.server_port}/spy.png"
    renders = []

    def render():
        renders.append(1)
        return render_pdf_template(
            "pdf/base.html",
        ).replace(
            "<body class=\"\">",
            f'<body><h1>Blåbærgrød på Ærø</h1><img src="{elsewhere}" alt="">'
            '<p style="break-before: page">Øresund</p>',
        )

    try:
        with app.test_request_context("/x.pdf"), force_locale("da"):
            response = pdf_response(render, key=("x", 1), filename="blåbær.pdf")
            etag = response.get_etag()[0]
        conditional = {"If-None-Match": f'"{etag}"'}
        with app.test_request_context("/x.pdf", headers=conditional), force_locale("da"):
            again = pdf_response(render, key=("x", 1), filename="blåbær.pdf")
        with app.test_request_context("/x.pdf", headers=conditional):
            changed = pdf_response(lambda: "<p>x</p>", key=("x", 2), filename="x.pdf")
    finally:
        server.shutdown()

    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith('inline; filename="bl_b_r.pdf"')
    assert "filename*=UTF-8''bl%C3%A5b%C3%A6r.pdf" in response.headers["Content-Disposition"]
    assert "no-cache" in response.headers["Cache-Control"]
    text = pdf_text(response.get_data())
    assert "Blåbærgrød på Ærø" in text and "Øresund" in text
    assert "side 1 af 2" in text and "side 2 af 2" in text
    assert asked == []
    assert again.status_code == 304 and renders == [1]
    assert changed.status_code == 200 and changed.get_etag()[0] != etag


def test_only_the_sites_static_files_are_read(tmp_path):
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "a.css").write_text("p{}")
    (tmp_path / "secret").write_text("no")
    fetch = StaticFilesOnly("https://forslag.example.dk", str(tmp_path / "static"))
    assert fetch.fetch("https://forslag.example.dk/static/a.css").read() == b"p{}"
    for url in (
        "https://forslag.example.dk/static/../secret",
        "https://forslag.example.dk/static/%2e%2e/secret",
        "file:///etc/passwd",
        "https://elsewhere.example/static/a.css",
        "https://forslag.example.dk/proposals/1",
    ):
        with pytest.raises(ValueError):
            fetch.fetch(url)
