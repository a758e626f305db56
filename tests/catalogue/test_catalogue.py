"""GET /catalogue: the proposals in the catalogue by topic, with the figures the detail page
shows, a topic filter, and a fixed number of SQL queries whatever their number."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from app.core.extensions import db
from app.proposals import lifecycle as lc
from app.proposals.models import Outcome, Topic
from tests.support.forms import text_of
from tests.support.proposals import add_proposer, force

HOSTILE = '<script>alert(1)</script> & "quotes"'
ENTERED = datetime(2026, 3, 14, 12, tzinfo=UTC)


def in_catalogue(app, make_proposal, *, stances=(0, 0, 0), author=None, **content) -> int:
    """A proposal walked to support and put in the catalogue with the given stances."""
    made = make_proposal(lc.SUPPORT, author=author, **content)
    force(
        app,
        made.id,
        state=lc.CATALOGUE,
        state_changed_at=ENTERED,
        support_count=51,
        stance_for=stances[0],
        stance_against=stances[1],
        stance_abstain=stances[2],
    )
    return made.id


def add_outcome(app, proposal_id: int, text: str) -> None:
    with app.app_context():
        db.session.add(
            Outcome(
                proposal_id=proposal_id,
                date=date(2026, 5, 1),
                text=text,
                text_html=f"<p>{text}</p>",
                recorded_at=ENTERED,
            )
        )
        db.session.commit()


def new_topic(app, name: str) -> int:
    with app.app_context():
        topic = Topic(name=name)
        db.session.add(topic)
        db.session.commit()
        return topic.id


def test_the_catalogue_by_topic_with_the_detail_pages_figures(
    app, client, make_proposal, make_user, topic
):
    """One world: two topics, three catalogue proposals, a draft and one still gathering
    support; everything the page shows is checked against it."""
    green = new_topic(app, "Grøn omstilling")
    author = make_user("member", name="Søren Ærø")
    bus = in_catalogue(app, make_proposal, stances=(2, 1, 0), author=author)
    hostile = in_catalogue(app, make_proposal, title=HOSTILE, stances=(1, 1, 1))
    wind = in_catalogue(app, make_proposal, title="Vindmøller på åen", stances=(0, 0, 0))
    force(app, wind, topic_id=green)
    with app.app_context():
        add_proposer(bus, make_user("member", name="Åse Øster").id)
    add_outcome(app, bus, "Vedtaget på kongressen")
    draft = make_proposal(lc.DRAFT, title="Hemmeligt udkast").id
    gathering = make_proposal(lc.SUPPORT, title="Samler stadig støtte").id

    html = text_of(client.get("/catalogue"))
    assert "3 forslag i kataloget" in html
    # Grouped by topic (by name), each topic's proposals by title.
    headings = re.findall(r'<h[23] id="[^"]+">(?:<a [^>]+>)?([^<]+)<', html)
    assert headings == [
        "Grøn omstilling",
        "Vindmøller på åen",
        "Landdistrikter",
        "Bedre busser på landet",
        "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;quotes&#34;",
    ]
    assert "<script>alert(1)</script>" not in html
    assert "Søren Ærø, Åse Øster" in html
    assert "14. marts 2026" in html
    assert "51 af 50" in html
    assert "Vedtaget på kongressen" in html
    assert "Hemmeligt udkast" not in html and "Samler stadig støtte" not in html
    assert f"/proposals/{draft}" not in html and f"/proposals/{gathering}" not in html
    # The shares are the detail page's, to the letter.
    detail = text_of(client.get(f"/proposals/{bus}"))
    shown = re.search(r'<ul class="stance-counts">.*?</ul>', detail, re.S).group(0)
    assert "(67 %)" in shown and "(33 %)" in shown
    assert shown in html
    assert html.count("(33 %)") == 4  # 1 of 3 against on one, each of three on the other
    assert 'href="/catalogue.pdf"' in html

    # The topic filter: a plain GET form.
    html = text_of(client.get(f"/catalogue?topic={green}"))
    assert "1 forslag i kataloget" in html and "Vindmøller på åen" in html
    assert "Bedre busser" not in html and f'href="/catalogue.pdf?topic={green}"' in html
    assert f'<option value="{green}" selected>' in html
    by_name = text_of(client.get("/catalogue?topic=gr%C3%B8n%20omstilling"))
    assert "Vindmøller på åen" in by_name and "Bedre busser" not in by_name
    assert client.get("/catalogue?topic=%00").status_code == 200  # no topic: all of them
    for unknown in ("999999", "Ingen+sådan", "x" * 500):
        response = client.get(f"/catalogue?topic={unknown}")
        assert response.status_code == 200, unknown
        assert "Intet forslag om dette emne er i kataloget." in text_of(response)
    assert hostile


def test_the_catalogue_costs_the_same_queries_for_2_or_8_proposals(
    app, make_proposal, make_user, count_queries
):
    client = app.test_client()
    counts = []
    for size in (2, 6):
        for n in range(size):
            made = in_catalogue(app, make_proposal, title=f"Forslag {size}-{n}", stances=(n, 1, 0))
            with app.app_context():
                add_proposer(made, make_user("member").id)
            add_outcome(app, made, f"Behandlet {n}")
        with count_queries() as statements:
            response = client.get("/catalogue?topic=Landdistrikter")
        assert response.status_code == 200
        assert text_of(response).count('class="catalogue-entry"') == (2 if size == 2 else 8)
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 8, counts
