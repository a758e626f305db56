"""In Chromium: a visitor opens the political catalogue from the menu, filters it by topic
with the plain form, and downloads that topic's catalogue as a PDF (the file the worker
made; gunicorn only serves it). Before the worker's first run the link leads to a page
saying it is being made, and from there back."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from app.cli import jobs
from app.core.database import utcnow
from tests.catalogue.test_catalogue import in_catalogue, new_topic
from tests.core.test_pdf import pdf_text
from tests.support.proposals import force

pytestmark = pytest.mark.browser


def test_a_visitor_filters_the_catalogue_and_downloads_it(
    page, app, make_proposal, assert_accessible
):
    green = new_topic(app, "Grøn omstilling")
    in_catalogue(app, make_proposal, stances=(3, 1, 0))
    wind = in_catalogue(app, make_proposal, title="Vindmøller på åen", stances=(1, 0, 0))
    force(app, wind, topic_id=green)

    page.goto("/")
    page.get_by_role("navigation", name="Hovedmenu").get_by_role("link", name="Kataloget").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Det politiske katalog")
    expect(page.locator(".catalogue-entry")).to_have_count(2)
    expect(page.locator(".catalogue-entry").last).to_contain_text("For: 3 (75 %)")

    page.get_by_label("Emne", exact=True).select_option(label="Grøn omstilling")
    page.get_by_role("button", name="Vis").click()
    expect(page).to_have_url(re.compile(rf"/catalogue\?topic={green}$"))
    expect(page.locator(".catalogue-entry")).to_have_count(1)
    expect(page.locator(".catalogue-entry h3")).to_have_text("Vindmøller på åen")
    assert_accessible(page, "catalogue on a topic (da)")

    # A new site: the worker has not made the files yet.
    with page.expect_response(re.compile(r"/catalogue\.pdf")) as answer:
        page.get_by_role("link", name="Hent kataloget som PDF").click()
    assert answer.value.status == 503 and answer.value.headers["retry-after"] == "60"
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.locator(f'a[href="/catalogue?topic={green}"]').click()
    expect(page).to_have_url(re.compile(rf"/catalogue\?topic={green}$"))

    with app.app_context():
        jobs.make_pdfs(utcnow())  # the worker's run, in this process
    with page.expect_download() as waiting:
        page.get_by_role("link", name="Hent kataloget som PDF").click()
    download = waiting.value
    assert download.suggested_filename == "politisk-katalog.pdf"
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"

    # The whole catalogue: two proposals, laid out in parts and joined, each page numbered.
    whole = page.request.get("/catalogue.pdf")
    assert whole.ok and whole.headers["content-type"] == "application/pdf"
    text = pdf_text(whole.body())
    total = int(re.search(r"side 2 af (\d+)", text).group(1))
    assert [f"side {n} af {total}" in text for n in range(2, total + 1)] == [True] * (total - 1)
    assert "Vindmøller på åen" in text and "Bedre busser på landet" in text
