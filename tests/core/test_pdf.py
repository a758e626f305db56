"""app/core/pdf.py: HTML to PDF with WeasyPrint, read back with pdftotext."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pikepdf
import pytest
from flask_babel import force_locale

from app.core.database import utcnow
from app.core.extensions import db
from app.core.pdf import pdf_response, render_pdf_template, static_files_only
from app.proposals import lifecycle as lc
from tests.plugins.database import forget_made_pdfs
from tests.support import require
from tests.support.proposals import force

PUBLIC = "https://forslag.example.dk"


@pytest.fixture
def app(make_app):
    """The app told its public address, while requests name another host (localhost)."""
    return make_app(PUBLIC_URL=PUBLIC, TRUSTED_HOSTS=["localhost"])


def made_at(text: str) -> str:
    """A catalogue's text with the time it was made taken out."""
    return re.sub(r"(Lavet|Made) [^\n]*", r"\1 …", text)


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


def links_and_bookmarks(data: bytes) -> tuple[dict[str, int], dict[str, list]]:
    """Where the links of the contents lead, {anchor: page from 1}, and the bookmarks,
    {topic: [(proposal, page), ...]}."""
    pdf = pikepdf.open(io.BytesIO(data))
    number = {page.objgen: n + 1 for n, page in enumerate(pdf.pages)}
    names = pdf.Root.Names.Dests.Names
    targets = {str(names[i]): number[names[i + 1][0].objgen] for i in range(0, len(names), 2)}
    links = {
        str(annotation.Dest): targets[str(annotation.Dest)]
        for page in pdf.pages[:2]
        for annotation in page.get("/Annots", [])
        if "/Dest" in annotation
    }
    bookmarks = {}
    with pdf.open_outline() as outline:
        for item in outline.root:
            bookmarks[item.title] = [
                (child.title, number[child.destination[0].objgen]) for child in item.children
            ]
    return links, bookmarks


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
            '<body class="">',
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
    fetch = static_files_only("https://forslag.example.dk", str(tmp_path / "static"))
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


def make_pdfs(app, languages=None) -> list[str]:
    """What the worker does for the catalogue's PDFs; the names of the files it made."""
    from app.catalogue import files
    from app.core import pdf_files

    with app.app_context(), pdf_files.making():
        return files.make_all(utcnow(), languages=languages).made


def test_the_catalogue_and_a_proposal_as_pdfs(
    app, base_config, make_proposal, make_user, topic, monkeypatch
):
    """The catalogue (Danish) as the worker makes it and a request serves it, and a
    proposal (English) made in the request, read back."""
    from app.core import organisation
    from tests.catalogue.test_catalogue import HOSTILE, add_outcome, in_catalogue, new_topic
    from tests.support.forms import client_for, login

    with app.app_context():
        row = organisation.settings_row()
        row.name = "Ærøskøbing Socialdemokrati"
        db.session.commit()
    green = new_topic(app, "Grøn omstilling")
    author = make_user("member", name="Søren Ærø")
    bus = in_catalogue(
        app, make_proposal, stances=(2, 1, 0), author=author, body="Blåbærgrød til **alle**."
    )
    hostile = in_catalogue(app, make_proposal, title=HOSTILE, stances=(1, 1, 1))
    wind = in_catalogue(app, make_proposal, title="Vindmøller på åen", stances=(0, 0, 0))
    force(app, wind, topic_id=green)
    add_outcome(app, bus, "Vedtaget på kongressen")
    draft = make_proposal(lc.DRAFT, title="Hemmeligt udkast", author=author).id
    make_proposal(lc.SUPPORT, title="Samler stadig støtte")
    visitor = app.test_client()

    make_pdfs(app)  # the worker makes the catalogue's files; a request serves them
    response = visitor.get("/catalogue.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith(
        'attachment; filename="politisk-katalog.pdf"'
    )
    text = pdf_text(response.get_data())
    flat = " ".join(text.split())
    assert "Ærøskøbing Socialdemokrati" in text and "Det politiske katalog" in text
    assert "Indhold" in text
    pages = int(re.search(r"side 2 af (\d+)", text).group(1))
    assert pages >= 5  # cover, contents, three proposals
    assert "side 1 af" not in text  # the cover has no number
    for page in range(2, pages + 1):
        assert f"side {page} af {pages}" in text
    # The contents give each proposal's page: the cover and contents come first. The
    # proposals were laid out in parts by other processes and joined: each number is the
    # page its section begins on, where its link and its bookmark lead.
    contents = re.findall(r"(Vindmøller på åen|Bedre busser på landet)[ .]*(\d+)", text)
    assert {title for title, _page in contents} == {"Vindmøller på åen", "Bedre busser på landet"}
    assert all(int(number) >= 3 for _title, number in contents)
    sheets = text.split("\f")
    for title, number in contents:
        top = sheets[int(number) - 1].strip().splitlines()[:2]  # maybe below its topic's
        assert title in top, (title, number, top)
    links, bookmarks = links_and_bookmarks(response.get_data())
    at = dict(contents)
    assert links[f"proposal-{wind}"] == int(at["Vindmøller på åen"])
    assert links[f"proposal-{bus}"] == int(at["Bedre busser på landet"])
    assert links[f"proposal-{hostile}"] > links[f"proposal-{bus}"]
    assert bookmarks["Grøn omstilling"] == [("Vindmøller på åen", links[f"proposal-{wind}"])]
    assert bookmarks["Landdistrikter"] == [
        ("Bedre busser på landet", links[f"proposal-{bus}"]),
        (HOSTILE, links[f"proposal-{hostile}"]),
    ]
    assert "Blåbærgrød til alle." in text
    assert HOSTILE in flat
    assert "For: 2 (67 %)" in flat and "Imod: 1 (33 %)" in flat
    assert "Vedtaget på kongressen" in text and "Søren Ærø" in text
    assert "Hemmeligt udkast" not in text and "Samler stadig støtte" not in text
    assert "http://localhost" not in text and f"{PUBLIC}/proposals/{bus}" in text
    etag = response.headers["ETag"]
    assert visitor.get("/catalogue.pdf", headers={"If-None-Match": etag}).status_code == 304
    # A request lays nothing out: it serves the file the worker made.
    import app.core.pdf as pdf_module

    laid = []
    monkeypatch.setattr(pdf_module, "_lay_out", lambda *args: laid.append(args))
    assert visitor.get("/catalogue.pdf").get_data() == response.get_data()
    assert laid == []
    monkeypatch.undo()
    # Made again by one process alone, and nothing kept from before: the same pages.
    app.config["PDF_WORKERS"] = 1
    forget_made_pdfs(base_config)
    make_pdfs(app, languages=["da"])
    alone = visitor.get("/catalogue.pdf")
    # The same pages, but for the minute it was made, which may have turned since.
    assert made_at(pdf_text(alone.get_data())) == made_at(text)
    assert links_and_bookmarks(alone.get_data()) == (links, bookmarks)
    filtered = visitor.get(f"/catalogue.pdf?topic={green}", headers={"If-None-Match": etag})
    assert filtered.status_code == 200  # another topic, another file (and tag)

    # A proposal's PDF, in English.
    visitor.post("/language", data={"lang": "en"})
    response = visitor.get(f"/proposals/{bus}.pdf")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith('inline; filename="proposal-')
    text = pdf_text(response.get_data())
    assert "Bedre busser på landet" in text and "Blåbærgrød til alle." in text
    assert "page 1 of 1" in text or "page 1 of 2" in text
    assert "For: 2 (67 %)" in " ".join(text.split())
    # Laid out like its page: the timeline too, each step and who took it.
    assert "Timeline" in text and "Created as a draft" in text
    assert "Being developed after the hearing → Seeking support, by Søren Ærø" in " ".join(
        text.split()
    )
    etag = response.headers["ETag"]
    assert visitor.get(f"/proposals/{bus}.pdf", headers={"If-None-Match": etag}).status_code == 304
    # A draft is no one's but its proposers' (and the secretariat's).
    assert visitor.get(f"/proposals/{draft}.pdf").status_code == 404
    assert client_for(app, make_user("member")).get(f"/proposals/{draft}.pdf").status_code == 404
    proposer = app.test_client()
    login(proposer, author)
    mine = proposer.get(f"/proposals/{draft}.pdf", headers={"If-None-Match": etag})
    assert mine.status_code == 200 and "private" in mine.headers["Cache-Control"]
    assert "Hemmeligt udkast" in pdf_text(mine.get_data())
