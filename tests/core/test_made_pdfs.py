"""The PDFs the worker makes and requests serve as files (app.core.pdf_files): the catalogue in
each language and for each topic, and long hearing memos. A request never lays one out; a
brand-new site gets a 503 page "being made" with Retry-After; the worker makes a file again
when what it shows changed, and only then; a file is replaced whole."""

from __future__ import annotations

import os
import re
import threading
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

import app.core.pdf as pdf_module
from app.accounts.models import User
from app.cli import jobs
from app.comments import memo_pdfs
from app.comments import services as comments
from app.comments.models import Comment
from app.core import pdf_files
from app.core.database import utcnow
from app.core.extensions import db
from app.proposals import lifecycle as lc
from app.proposals import services
from app.proposals.models import Proposal
from tests.catalogue.test_catalogue import in_catalogue, new_topic
from tests.core.test_pdf import pdf_text
from tests.support.http import Browserless
from tests.support.proposals import force

# 12:05 in Copenhagen, where the site's times are shown.
MADE = datetime(2026, 3, 14, 11, 5, tzinfo=UTC)
MADE_DA = "14. marts 2026 kl. 12:05"
MADE_EN = "Made 14 March 2026, 12:05"


def work(app, now: datetime = MADE) -> jobs.Printed:
    """What the worker does for the PDFs every minute."""
    with app.app_context():
        return jobs.make_pdfs(now)


def english(client):
    client.post("/language", data={"lang": "en"})
    return client


def first_page(data: bytes) -> str:
    return " ".join(pdf_text(data).split("\f")[0].split())


@pytest.fixture
def laid(monkeypatch):
    """The HTML of every document laid out from here on, all in this process."""
    seen: list[str] = []
    original = pdf_module._lay_out

    def spy(html, *args):
        seen.append(html)
        return original(html, *args)

    monkeypatch.setattr(pdf_module, "_lay_out", spy)
    return seen


@pytest.fixture
def catalogue(app, make_proposal, topic):
    """Two topics with a proposal in the catalogue each, laid out in this process."""
    app.config["PDF_WORKERS"] = 1
    green = new_topic(app, "Grøn omstilling")
    bus = in_catalogue(app, make_proposal, stances=(2, 1, 0))
    wind = in_catalogue(app, make_proposal, title="Vindmøller på åen", stances=(1, 0, 0))
    force(app, wind, topic_id=green)
    return {"rural": topic, "green": green, "bus": bus, "wind": wind}


def test_a_brand_new_site_is_told_the_catalogue_is_being_made(app, topic, monkeypatch):
    """Before the worker's first run: 503, Retry-After, a page in the visitor's language
    that leads back; nothing laid out. `worker --burst` makes the files."""
    monkeypatch.setattr(pdf_module, "_lay_out", lambda *args: pytest.fail("laid out"))
    visitor = app.test_client()
    for path in ("/catalogue.pdf", f"/catalogue.pdf?topic={topic}", "/catalogue.pdf?topic=x"):
        response = visitor.get(path)
        assert response.status_code == 503, path
        assert response.headers["Retry-After"] == "60"
        assert response.mimetype == "text/html" and "no-store" in response.headers["Cache-Control"]
        page = response.get_data(as_text=True)
        assert '<html lang="da">' in page and "<h1>" in page
    assert f'href="/catalogue?topic={topic}"' in visitor.get(
        f"/catalogue.pdf?topic={topic}"
    ).get_data(as_text=True)
    page = english(app.test_client()).get("/catalogue.pdf").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "The catalogue is being made right now. Try again in a minute." in page
    assert '<a href="/catalogue">Back to the catalogue</a>' in page

    monkeypatch.undo()
    result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code == 0, result.output
    assert "PDF(s) made" in result.output
    response = visitor.get(f"/catalogue.pdf?topic={topic}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"


def test_every_language_and_topic_is_made_and_says_when(app, catalogue, laid):
    made = work(app)
    languages = ("da", "en")
    topics = ("", f"-topic-{catalogue['rural']}", f"-topic-{catalogue['green']}", "-topic-0")
    assert sorted(made.made) == sorted(f"catalogue-{lang}{t}" for lang in languages for t in topics)
    # A topic's catalogue is joined from the whole one's parts: each proposal is laid out
    # once per language, not once per file.
    titles = [html for html in laid if 'class="proposal-title"' in html]
    assert len(titles) == 2 * 2

    danish, visitor_en = app.test_client(), english(app.test_client())
    for query, shown, hidden in [
        ("", ["Bedre busser på landet", "Vindmøller på åen"], []),
        (f"?topic={catalogue['rural']}", ["Bedre busser på landet"], ["Vindmøller på åen"]),
        (f"?topic={catalogue['green']}", ["Vindmøller på åen"], ["Bedre busser på landet"]),
        ("?topic=999", [], ["Bedre busser på landet", "Vindmøller på åen"]),
    ]:
        for client, when in ((danish, MADE_DA), (visitor_en, MADE_EN)):
            response = client.get(f"/catalogue.pdf{query}")
            assert response.status_code == 200, query
            assert response.headers["Content-Disposition"].startswith("attachment; filename=")
            text = pdf_text(response.get_data())
            assert when in first_page(response.get_data()), (query, first_page(response.data))
            assert all(title in text for title in shown), query
            assert not any(title in text for title in hidden), query
    assert "Det politiske katalog" in first_page(danish.get("/catalogue.pdf").data)
    assert "The political catalogue" in first_page(visitor_en.get("/catalogue.pdf").data)


def test_a_change_is_made_at_the_next_run_and_nothing_else(app, catalogue, laid, make_proposal):
    work(app)
    etag = app.test_client().get("/catalogue.pdf").headers["ETag"]
    laid.clear()

    again = work(app, MADE + timedelta(minutes=1))
    assert again.made == [] and again.unchanged == 8 and laid == []
    unchanged = app.test_client().get("/catalogue.pdf", headers={"If-None-Match": etag})
    assert unchanged.status_code == 304

    # A stance on the wind turbines: the files that show them, in both languages; the
    # buses' part is kept, not laid out again.
    force(app, catalogue["wind"], stance_for=7)
    changed = work(app, MADE + timedelta(minutes=2))
    green = f"-topic-{catalogue['green']}"
    expected = [f"catalogue-{lang}{t}" for lang in ("da", "en") for t in ("", green)]
    assert sorted(changed.made) == sorted(expected)
    parts = [html for html in laid if 'class="proposal-title"' in html]
    assert len(parts) == 2 and all("Vindmøller på åen" in html for html in parts)
    response = app.test_client().get("/catalogue.pdf", headers={"If-None-Match": etag})
    assert response.status_code == 200
    text = " ".join(pdf_text(response.get_data()).split())
    assert "For: 7" in text and "14. marts 2026 kl. 12:07" in text

    # A new proposal in the catalogue, on the buses' topic.
    in_catalogue(app, make_proposal, title="Cykelstier mellem landsbyerne")
    newer = work(app, MADE + timedelta(minutes=3))
    rural = f"-topic-{catalogue['rural']}"
    assert sorted(newer.made) == sorted(
        f"catalogue-{lang}{t}" for lang in ("da", "en") for t in ("", rural)
    )
    assert "Cykelstier mellem landsbyerne" in pdf_text(app.test_client().get("/catalogue.pdf").data)
    # The parts no file is joined from any more are forgotten.
    with app.app_context():
        kept = {path.stem for path in (pdf_files.folder() / "parts").glob("*.pdf")}
        joined = set()
        for name in pdf_files.names("catalogue-"):
            joined |= set(pdf_files._sidecar(name)["parts"])
    assert kept == joined


def test_a_file_is_replaced_whole(app, catalogue, monkeypatch):
    """Written to a temporary file in the same folder and moved into place: a download
    under way reads the old file to its end, and a write that fails leaves the old one."""
    work(app)
    client = app.test_client()
    old = client.get("/catalogue.pdf").get_data()
    moves = []
    replace = os.replace

    def spy(source, target):
        moves.append((str(source), str(target)))
        return replace(source, target)

    monkeypatch.setattr(os, "replace", spy)
    under_way = client.get("/catalogue.pdf", buffered=False)  # the file is open, unread
    force(app, catalogue["bus"], stance_for=9)
    assert "catalogue-da" in work(app, MADE + timedelta(minutes=1)).made
    assert under_way.get_data() == old
    under_way.close()
    new = client.get("/catalogue.pdf").get_data()
    assert new != old and "For: 9" in " ".join(pdf_text(new).split())
    with app.app_context():
        folder = str(pdf_files.folder())
    source, target = next(move for move in moves if move[1].endswith("/catalogue-da.pdf"))
    assert target == f"{folder}/catalogue-da.pdf"
    assert os.path.dirname(source) == folder and os.path.basename(source).startswith(".")

    def fail(_descriptor):
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", fail)
    force(app, catalogue["bus"], stance_for=10)
    with pytest.raises(OSError, match="disk full"):
        work(app, MADE + timedelta(minutes=2))
    assert client.get("/catalogue.pdf").get_data() == new
    left = os.listdir(folder) + os.listdir(f"{folder}/parts")
    assert [name for name in left if name.startswith(".")] == [".lock"]


def test_one_process_makes_them_at_a_time(app, topic):
    with app.app_context(), pdf_files.making() as ours:
        assert ours
        assert work(app).busy
    assert not work(app).busy


def test_the_minute_makes_the_pdfs_after_the_mail(app, topic, mailbox, monkeypatch):
    """The worker's minute: the mail first, then the PDFs (here a new site's first)."""
    done = []
    run_all, make_pdfs = jobs.run_all, jobs.make_pdfs
    monkeypatch.setattr(jobs, "run_all", lambda *a, **k: done.append("mail") or run_all(*a, **k))
    monkeypatch.setattr(jobs, "make_pdfs", lambda *a: done.append("pdfs") or make_pdfs(*a))
    app.extensions["queue"].forslag_every_minute.call_local()
    assert done == ["mail", "pdfs"]
    assert app.test_client().get("/catalogue.pdf").status_code == 200


# --- the hearing memo -------------------------------------------------------------------------


def hearing_with(app, make_proposal, make_user, secretary, responses: int) -> int:
    """A proposal in revision whose hearing got `responses` responses."""
    made = make_proposal(lc.HEARING)
    people = [make_user(name=f"Borger {n}") for n in range(3)]
    now = utcnow()
    with app.app_context():
        proposal = db.session.get(Proposal, made.id)
        for n in range(responses):
            writer = db.session.get(User, people[n % 3].id)
            comments.add_comment(writer, proposal, f"Høringssvar nummer {n + 1}.", now=now)
        services.transition(
            db.session.get(User, secretary.id), proposal, lc.REVISION, now=now + timedelta(1)
        )
        db.session.commit()
    return made.id


def test_a_long_memo_is_made_by_the_worker(app, make_proposal, make_user, secretary, laid):
    long = hearing_with(app, make_proposal, make_user, secretary, memo_pdfs.LONG_RESPONSES + 1)
    visitor = app.test_client()
    response = visitor.get(f"/proposals/{long}/hearing-memo.pdf")
    assert response.status_code == 503 and response.headers["Retry-After"] == "60"
    assert f'href="/proposals/{long}/hearing-memo"' in response.get_data(as_text=True)
    assert laid == []
    # Only what was asked for: the Danish memo, made at the worker's next run.
    assert work(app).made[-1:] == [f"memo-{long}-da"]
    response = visitor.get(f"/proposals/{long}/hearing-memo.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "public" in response.headers["Cache-Control"]
    assert MADE_DA in first_page(response.data)
    text = pdf_text(response.data)
    assert f"Høringssvar {memo_pdfs.LONG_RESPONSES + 1}" in text
    etag = response.headers["ETag"]
    assert work(app, MADE + timedelta(minutes=1)).made == []
    # A hidden response changes the memo: made again at the next run.
    with app.app_context():
        comment = db.session.scalars(
            select(Comment).where(Comment.proposal_id == long).order_by(Comment.id)
        ).first()
        proposal = db.session.get(Proposal, long)
        secretariat = db.session.get(User, secretary.id)
        comments.hide_comment(secretariat, comment, proposal, "Personangreb.", now=utcnow())
        db.session.commit()
    assert work(app, MADE + timedelta(minutes=2)).made == [f"memo-{long}-da"]
    changed = visitor.get(f"/proposals/{long}/hearing-memo.pdf", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and "14. marts 2026 kl. 12:07" in first_page(changed.data)

    # A short memo is made in the request, at once.
    short = hearing_with(app, make_proposal, make_user, secretary, 2)
    laid.clear()
    response = visitor.get(f"/proposals/{short}/hearing-memo.pdf")
    assert response.status_code == 200 and len(laid) == 1
    assert re.search(r"\d{1,2}\. \w+ \d{4} kl\. \d\d:\d\d", first_page(response.data))


# --- the rate limit on PDFs made in the request -----------------------------------------------


def test_a_proposals_pdf_is_limited_per_client(make_app, make_proposal):
    app = make_app(RATELIMIT_ENABLED=True)
    made = in_catalogue(app, make_proposal)
    visitor, neighbour = app.test_client(), app.test_client()
    neighbour.environ_base["REMOTE_ADDR"] = "198.51.100.20"
    first = visitor.get(f"/proposals/{made}.pdf")
    assert first.status_code == 200
    etag = first.headers["ETag"]
    # A copy that is still current costs a 304 and does not count.
    for _ in range(5):
        again = visitor.get(f"/proposals/{made}.pdf", headers={"If-None-Match": etag})
        assert again.status_code == 304
    for _ in range(19):
        assert visitor.get(f"/proposals/{made}.pdf").status_code == 200
    refused = visitor.get(f"/proposals/{made}.pdf")
    assert refused.status_code == 429 and refused.mimetype == "text/html"
    assert f'href="/proposals/{made}"' in refused.get_data(as_text=True)
    assert neighbour.get(f"/proposals/{made}.pdf").status_code == 200


# --- under gunicorn ----------------------------------------------------------------------------


def _fetch(client: Browserless, path: str) -> tuple[int, bytes, float]:
    started = time.perf_counter()
    try:
        with client.opener.open(client.base + path, timeout=60) as response:
            status, body = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read()
    return status, body, time.perf_counter() - started


def _storm(server, clients_and_paths) -> tuple[list[tuple[int, bytes, float]], list[float]]:
    """All the downloads at the same instant, while /healthz is asked again and again:
    their answers, and how long each /healthz took."""
    barrier = threading.Barrier(len(clients_and_paths) + 1)
    answers: list = [None] * len(clients_and_paths)
    health: list[float] = []

    def download(n, client, path):
        barrier.wait()
        answers[n] = _fetch(client, path)

    threads = [
        threading.Thread(target=download, args=(n, client, path))
        for n, (client, path) in enumerate(clients_and_paths)
    ]
    for thread in threads:
        thread.start()
    barrier.wait()
    time.sleep(0.01)  # the downloads first, then /healthz behind them
    while any(thread.is_alive() for thread in threads) or len(health) < 5:
        started = time.perf_counter()
        with urllib.request.urlopen(f"{server.url}/healthz", timeout=30) as response:
            assert response.status == 200
        health.append(time.perf_counter() - started)
    for thread in threads:
        thread.join()
    return answers, health


HEALTHY = 2.0  # seconds: far under the 13 s the flaw cost, far over a busy machine's pauses


@pytest.mark.live
def test_twelve_catalogue_downloads_at_once_leave_the_site_answering(
    app, live_server, make_proposal, topic
):
    """12 anonymous downloads of the catalogue at the same instant (every topic, both
    languages), under gunicorn: /healthz keeps answering throughout, on a brand-new site
    (503 "being made") and once the worker has made the files. Rendering in the web workers
    held /healthz for 13 s; the bound of 2 s is that flaw's, not a measure of speed (a busy
    2-core machine can pause any request for a few hundred milliseconds; the figures are in
    docs/performance.md)."""
    green = new_topic(app, "Grøn omstilling")
    for n in range(6):
        made = in_catalogue(app, make_proposal, title=f"Forslag {n + 1} om busser og stier")
        if n % 2:
            force(app, made, topic_id=green)
    danish, english_client = Browserless(live_server.url), Browserless(live_server.url)
    assert english_client.request("/language", {"lang": "en"})[0] == 303
    paths = ["/catalogue.pdf", f"/catalogue.pdf?topic={topic}", f"/catalogue.pdf?topic={green}"]
    downloads = [(client, path) for client in (danish, english_client) for path in paths] * 2
    assert len(downloads) == 12

    answers, health = _storm(live_server, downloads)
    assert [status for status, _body, _took in answers] == [503] * 12
    assert max(health) < HEALTHY, f"/healthz took {max(health):.3f} s; {sorted(health)[-5:]}"

    work(app, utcnow())  # the worker's run, in this process; gunicorn serves its files
    answers, health = _storm(live_server, downloads)
    assert [status for status, _body, _took in answers] == [200] * 12
    assert all(body.startswith(b"%PDF-") for _status, body, _took in answers)
    assert max(health) < HEALTHY, f"/healthz took {max(health):.3f} s; {sorted(health)[-5:]}"
    slowest = max(took for _status, _body, took in answers)
    print(f"12 downloads at once: the slowest took {slowest:.3f} s; /healthz at most "
          f"{max(health):.3f} s over {len(health)} requests")  # fmt: skip
    assert "Made " in first_page(answers[3][1])
    assert re.search(r"\d{4} kl\. ", first_page(answers[0][1]))
