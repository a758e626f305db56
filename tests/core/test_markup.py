"""render_markdown: the allow-list, links, headings, and no way for script through."""

import pytest

from app.core.markup import render_markdown
from tests.support.xss import VECTORS, dangerous_markup


@pytest.mark.parametrize("vector", VECTORS)
def test_no_vector_survives(vector):
    html = str(render_markdown(vector))
    assert dangerous_markup(html) == [], html


def test_the_audit_itself_catches_script():
    assert dangerous_markup('<a href="javascript:x">a</a><img src=x onerror=y>') == [
        "a[href='javascript:x']",
        "<img>",
        "img[onerror]",
    ]


def test_allowed_markup():
    html = str(
        render_markdown(
            "# Overskrift\n\n*kursiv* **fed** `kode`\n\n> citat\n\n- a\n- b\n\n1. et\n2. to\n\n"
            "[link](https://example.org)\n\n| a | b |\n|---|---|\n| 1 | 2 |"
        )
    )
    for fragment in [
        "<h2>Overskrift</h2>",
        "<em>kursiv</em>",
        "<strong>fed</strong>",
        "<code>kode</code>",
        "<blockquote>",
        "<ul>",
        "<ol>",
        "<table>",
        '<a href="https://example.org" rel="nofollow noopener">link</a>',
    ]:
        assert fragment in html, fragment


def test_raw_html_is_shown_as_text():
    assert str(render_markdown("Skriv <b>fed</b> sådan")) == (
        "<p>Skriv &lt;b&gt;fed&lt;/b&gt; sådan</p>"
    )


def test_bare_links_become_links_with_rel():
    html = str(render_markdown("Se https://example.org/side nu"))
    assert '<a href="https://example.org/side" rel="nofollow noopener">' in html


def test_headings_stay_within_h2_to_h4():
    html = str(render_markdown("# a\n\n## b\n\n### c\n\n#### d\n\n##### e\n\n###### f"))
    assert "<h1" not in html and "<h5" not in html and "<h6" not in html
    assert html.count("<h4>") == 4


def test_images_become_links():
    assert str(render_markdown("![kort](https://example.org/kort.png)")) == (
        '<p><a href="https://example.org/kort.png" rel="nofollow noopener">kort</a></p>'
    )


def test_empty_text_is_empty_markup():
    assert str(render_markdown("")) == "" and str(render_markdown("   \n")) == ""
