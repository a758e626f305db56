"""XSS vectors in every field of a proposal: the stored HTML carries none of them, and the
plain-text fields come back escaped exactly as written."""

import re

from markupsafe import escape

from app.proposals import lifecycle as lc
from tests.support.forms import login, post_form, text_of
from tests.support.proposals import CONTENT
from tests.support.xss import VECTORS, dangerous_markup

MARKDOWN_FIELDS = ["body", "drawbacks", "process", "materials"]


def markdown_sections(page: str) -> str:
    return "".join(re.findall(r'<div class="markdown">(.*?)</div>', page, re.S))


def test_vectors_in_every_field(app, make_user, topic):
    for number, vector in enumerate(VECTORS):
        if number % lc.DRAFTS_PER_DAY == 0:  # as many drafts as one member may start a day
            client = app.test_client()
            login(client, make_user("member"))
        # A title is one line (a line break in it is refused: tests/test_mail_headers.py).
        title = " ".join(f"XSS {vector}".splitlines())[:160]
        data = {
            **CONTENT,
            "topic": str(topic),
            "title": title,
            "summary": f"Et resumé med {vector}"[:400],
            "organisations": vector[:200],
        }
        data.update({name: vector for name in MARKDOWN_FIELDS})
        response = post_form(client, "/proposals/new", data)
        assert response.status_code == 303, (vector, text_of(response)[:500])
        page = text_of(client.get(response.headers["Location"]))
        assert dangerous_markup(markdown_sections(page)) == [], vector
        assert f"<h1>{escape(title)}</h1>" in page
        assert "<script>alert(1)</script>" not in page
        api = client.get(f"/api/v1/proposals/{response.headers['Location'].rsplit('/', 1)[1]}")
        assert api.json["body"] == vector
        assert dangerous_markup(api.json["body_html"]) == []
