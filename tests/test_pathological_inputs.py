"""No request costs more than a second of CPU, whatever is sent: inputs known to make parsers,
patterns and diffs super-linear, at the largest size the app accepts, each timed in process.

First the pieces that did cost seconds, at their maxima: Markdown (50,000 characters), the word
diff and the three-way merge (two versions at 50,000), search snippets. Then every form the
hostile sweep finds (tests/support/sweep.py crawls for them) gets every pattern in each of its
fields, at that field's maximum length (from the app's form validators; 50,000 where none is
set), the other fields valid; a proposal gets the pattern in all four Markdown fields at once;
and the diff page, a search and a merge on a stale base get their texts at the maximum. After
each request that wrote, the world is put back, so each pattern meets the same world.

CPU is measured with time.thread_time() around each call (the test client runs the request
in this thread; the test process's other threads, a mail server's, are not the request's);
a timer on the process's CPU (SIGPROF) stops a call at twice the limit, so that a
regression fails in seconds, not hours.
"""

from __future__ import annotations

import gc
import random
import signal
import time
from contextlib import contextmanager

import flask_migrate
import pytest
from sqlalchemy import select, update
from wtforms.validators import Length

from app import create_app
from app.core import diffing, editing
from app.core.extensions import db
from app.core.forms import Form as AppForm
from app.core.markup import render_markdown
from app.proposals import services
from app.proposals.diff import word_diff
from app.proposals.models import Proposal, Version
from app.search import query as search_query
from app.search.snippets import snippet
from tests.plugins.database import COMPILED_TEMPLATES
from tests.support import sweep
from tests.support.xss import VECTORS, dangerous_markup

LIMIT = 1.0  # CPU seconds a request may take
MAX_MARKDOWN = 50_000  # app.proposals.forms.MAX_MARKDOWN
# Where a field has no length in its validators (a search's q, a hidden field, a file).
UNBOUNDED = 50_000


class TooCostly(Exception):  # noqa: N818 (what happened, as the tests read it)
    pass


def _stop(signum, frame):
    raise TooCostly


@contextmanager
def within_limit(what: str):
    """Fail if the block takes more than LIMIT of CPU; stop it at twice that."""
    # What the test process heaped up before (a thousand tests' objects) is set aside from
    # the collector while the block runs: a collection of it is not the request's cost
    # (the request's own garbage is still collected, and counted).
    gc.freeze()
    previous = signal.signal(signal.SIGPROF, _stop)
    signal.setitimer(signal.ITIMER_PROF, 2 * LIMIT)
    start = time.thread_time()
    stopped = False
    try:
        yield
    except TooCostly:
        stopped = True  # where it was stopped says nothing: no traceback
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)
        gc.unfreeze()
    spent = time.thread_time() - start
    if stopped:
        pytest.fail(f"{what}: stopped after {spent:.2f} s of CPU", pytrace=False)
    assert spent <= LIMIT, f"{what}: {spent:.2f} s of CPU"


def nested_list(n: int) -> str:
    lines, depth = [], 0
    while sum(map(len, lines)) < n:
        lines.append("  " * depth + "- a\n")
        depth = depth + 1 if depth < 2000 else 0
    return "".join(lines)


def repeated(pattern: str, n: int) -> str:
    """`pattern` repeated to exactly `n` characters ("nested" is a list nested ever deeper)."""
    if pattern == "nested":
        return nested_list(n)[:n]
    return (pattern * (n // len(pattern) + 1))[:n]


# What every field gets: each known to make some parser, pattern or diff super-linear.
PATTERNS = ["[", "[a](", "a ", "*", "_", "<", "\n", "`", "> ", "nested", "a\n\n"]
# Markdown gets these too: each once cost seconds (or python-markdown or bleach paid it).
MARKDOWN_PATTERNS = [
    *PATTERNS,
    "```\n",
    "&",
    "1. ",
    "**a",
    "![",
    "[]",
    "\\",
    "[a]: ",
    ">",
    "[a](b)",
    "![a](b)",
    "[a](<",
    "((",
    "```a\n",
    "~~~a\n",
    "\\``a",
    "a  \n",
    "# a\n",
    "a\n===\n",
    "\n- ",
    "- ",
    "*a",
    "a.dk ",
    "|a|b|\n",
]


# --- the pieces, at their maxima ------------------------------------------------------------


@pytest.mark.parametrize("pattern", MARKDOWN_PATTERNS)
def test_markdown_at_its_maximum(pattern):
    text = repeated(pattern, MAX_MARKDOWN)
    with within_limit(f"render_markdown({pattern!r} * n)"):
        html = str(render_markdown(text))
    assert "<script" not in html


def test_markdown_past_its_budget_is_shown_whole_as_plain_text():
    head = "Et afsnit med **fed** tekst og [et link](https://example.org).\n\n"
    text = head + "a\n\n" * 20_000 + "Sidste <linje> & slut"
    html = str(render_markdown(text))
    assert "<strong>fed</strong>" in html
    assert html.count("<p>a</p>") == 20_000
    assert html.endswith("<p>Sidste &lt;linje&gt; &amp; slut</p>\n")


def test_the_plain_rest_of_a_text_carries_no_vector():
    for vector in VECTORS:
        html = str(render_markdown(vector, marks=0))  # all of it past the budget
        assert html.startswith("<p>") or not vector.strip(), vector
        assert dangerous_markup(html) == [], vector


def test_an_ordinary_long_text_is_all_markdown():
    """A proposal at its longest, written as people write: every part of it is Markdown."""
    prose = (
        "Alle landsbyer med over 200 indbyggere skal have en bus i timen, hele dagen og "
        "hele ugen. Det er **vigtigt** for dem, der ikke har bil, og for de unge, der skal "
        "i skole. Se [Trafikstyrelsens tal](https://example.org/tal) og _bilag 2_. "
    ) * 3
    section = (
        f"## Afsnit\n\n{prose}\n\n{prose}\n\n- et punkt om `kode`\n- et andet punkt\n"
        "1. første\n2. anden\n\n> Et citat fra et borgermøde.\n\n"
        "| by | busser |\n|---|---|\n| Ry | 12 |\n| Låsby | 8 |\n\n"
    )
    text = section * (MAX_MARKDOWN // len(section))
    html = str(render_markdown(text + "Til sidst **fed**."))
    assert html.count("<table>") == text.count("| by | busser |")
    assert "Til sidst <strong>fed</strong>." in html


def check_pieces(pieces, old: str, new: str) -> None:
    assert "".join(p.text for p in pieces if p.kind != "inserted") == old
    assert "".join(p.text for p in pieces if p.kind != "deleted") == new


def random_words(words: list[str], n: int, seed: int) -> str:
    rng = random.Random(seed)
    text = []
    while len(text) < n:
        text += rng.choice(words)
    return "".join(text)[:n]


DIFFS = [
    ("a ", lambda n: ("a " * (n // 2), "a " * (n // 2 - 1) + "b ")),
    ("spaces", lambda n: (" " * n, " " * (n - 1) + "x")),
    (
        "a b at random",
        lambda n: (random_words(["a ", "b "], n, 1), random_words(["a ", "b "], n, 2)),
    ),
    ("short lines", lambda n: (random_words(["a\n", "b\n"], n, 3), random_words(["a\n"], n, 4))),
    ("paragraphs", lambda n: ("a\n\n" * (n // 3), "b\n\n" + "a\n\n" * (n // 3 - 1))),
    ("brackets", lambda n: ("[a](" * (n // 4), "[a](" * (n // 4 - 1) + "[b](")),
]


@pytest.mark.parametrize(("label", "make"), DIFFS, ids=[d[0] for d in DIFFS])
def test_word_diff_at_its_maximum(label, make):
    old, new = make(MAX_MARKDOWN)
    with within_limit(f"word_diff of {label}"):
        pieces = word_diff(old, new)
    check_pieces(pieces, old, new)


def test_a_diff_page_of_seven_fields_shares_one_budget():
    old, new = (
        random_words(["a ", "b "], MAX_MARKDOWN, 5),
        random_words(["a ", "b "], MAX_MARKDOWN, 6),
    )
    budget = diffing.Budget()
    with within_limit("seven word diffs"):
        for _ in range(7):
            check_pieces(word_diff(old, new, budget), old, new)


def test_an_ordinary_edit_is_shown_word_by_word():
    paragraphs = [f"Afsnit {i} handler om busser og tog på landet." for i in range(1000)]
    old = "\n\n".join(paragraphs)
    changed = list(paragraphs)
    for i in range(0, 1000, 50):
        changed[i] = changed[i].replace("busser", "cykler")
    new = "\n\n".join(changed)
    pieces = word_diff(old, new)
    check_pieces(pieces, old, new)
    assert [p.text for p in pieces if p.kind == "deleted"] == ["busser"] * 20
    assert [p.text for p in pieces if p.kind == "inserted"] == ["cykler"] * 20


MERGES = [
    (
        "same paragraphs, both change",
        lambda k: ("a\n\n" * k, "b\n\n" + "a\n\n" * (k - 1), "a\n\n" * (k - 1) + "c"),
    ),
    (
        "paragraphs at random",
        lambda k: (
            random_words(["a\n\n", "b\n\n"], 3 * k, 7),
            random_words(["a\n\n", "b\n\n"], 3 * k, 8),
            random_words(["a\n\n", "b\n\n"], 3 * k, 9),
        ),
    ),
]


@pytest.mark.parametrize(("label", "make"), MERGES, ids=[m[0] for m in MERGES])
def test_merge_at_its_maximum(label, make):
    base, theirs, mine = make(MAX_MARKDOWN // 3)
    with within_limit(f"merge of {label}"):
        editing.merge(
            {"body": base, "drawbacks": base},
            {"body": theirs, "drawbacks": theirs},
            {"body": mine, "drawbacks": mine},
            markdown=("body", "drawbacks"),
        )


def test_a_spent_budget_only_adds_conflicts():
    """A merge matched coarsely (its budget spent) gives the same text or a conflict, never
    another text: no change is lost."""
    rng = random.Random(10)
    for _ in range(2000):
        base = [rng.choice("abcd") for _ in range(rng.randint(0, 12))]
        theirs, mine = list(base), list(base)
        for side in (theirs, mine):
            for _ in range(rng.randint(0, 3)):
                at = rng.randint(0, len(side))
                side[at : at + rng.randint(0, 2)] = rng.choice(["", "x", "yz"])
        whole = editing.merge_sequences(base, theirs, mine)
        coarse = editing.merge_sequences(base, theirs, mine, diffing.Budget(rng.randint(0, 40)))
        assert coarse is None or coarse == whole, (base, theirs, mine)
    assert editing.merge_sequences(list("abc"), list("xbc"), list("abz"), diffing.Budget(0)) is None


@pytest.mark.parametrize("pattern", PATTERNS)
def test_snippets_at_their_maximum(pattern):
    text = repeated(pattern, MAX_MARKDOWN)
    with within_limit(f"a search's snippets of {pattern!r} * n"):
        for _ in range(5):  # five hits on a page
            snippet(search_query.parse("busser"), "Bedre busser", [text, text, text, text])


# --- every form, field and URL ---------------------------------------------------------------


def maximum_lengths() -> dict[str, int]:
    """The longest value any of the app's forms accepts in a field of each name."""
    found: dict[str, int] = {}
    classes = [AppForm]
    while classes:
        cls = classes.pop()
        classes += cls.__subclasses__()
        for attribute in dir(cls):
            unbound = getattr(cls, attribute, None)
            if not hasattr(unbound, "field_class"):
                continue
            name = unbound.kwargs.get("name") or attribute
            for validator in unbound.kwargs.get("validators") or ():
                if isinstance(validator, Length) and validator.max > 0:
                    found[name] = max(found.get(name, 0), validator.max)
    return found


pytestmark = pytest.mark.sweep

DISCOVERY = sweep.discover()
# A proposal's Markdown fields are swept all four at once, below.
TOGETHER = {"body", "drawbacks", "process", "materials"}
# Each distinct field once, in the form the hostile sweep sends it (tests/support/sweep.py).
FIELDS: dict = {}
for _form, _name in DISCOVERY.fields:
    if _form.field(_name).kind in ("checkbox", "radio", "button"):
        continue
    if _form.endpoint in ("proposals.new", "proposals.edit") and _name in TOGETHER:
        continue
    FIELDS.setdefault(_form, []).append(_name)


@pytest.fixture(scope="module")
def site(base_config, empty_database):
    """The app on a database of its own, with the sweep's world of every state."""
    uri = empty_database("pathological")
    app = create_app({**base_config, "SQLALCHEMY_DATABASE_URI": uri})
    app.jinja_env.bytecode_cache = COMPILED_TEMPLATES
    with app.app_context():
        flask_migrate.upgrade()
    site = sweep.Site(app, sweep.build_world(app))
    yield site
    site.reset()
    with app.app_context():
        db.engine.dispose()


def timed(site, browser, what: str, send):
    """Send one request within the limit; put back what it wrote and the session."""
    session = browser.session
    site.rows.log.clear()
    try:
        with within_limit(what):
            response = send()
        assert response.status_code < 500, f"{what}: answered {response.status_code}"
        return response
    finally:
        browser.session = session
        if site.rows.log.tables:
            site.rows.restore(site.rows.log.tables)


@pytest.mark.parametrize(("found", "names"), FIELDS.items(), ids=[f.key for f in FIELDS])
def test_every_field_at_its_maximum(site, found, names):
    maxima = maximum_lengths()
    browser = site.browser(found.role)
    form = browser.find(found)
    for name in names:
        size = maxima.get(name, UNBOUNDED)
        for pattern in PATTERNS:
            data = sweep.valid_data(form, site.world)
            data[name] = repeated(pattern, size)
            timed(
                site,
                browser,
                f"{found.key} as {found.role}, {name} = {pattern!r} * {size}",
                lambda data=data: browser.submit(form, data),
            )


def proposal_form(site, browser, name: str):
    url = f"/proposals/{site.world.ids[name]}/edit"
    forms, _ = sweep.read_page(browser.visit(url), url)
    return next(form for form in forms if form.action == url)


@pytest.mark.parametrize(
    "pattern", [*PATTERNS, "```\n", "&", "1. ", "**a", "a  \n", "# a\n", "|a|b|\n", "[a](b)", "(("]
)
def test_a_whole_proposal_at_its_maximum(site, pattern):
    """All four Markdown fields at once: what one save renders."""
    browser = site.browser("proposer")
    form = proposal_form(site, browser, "mine_draft")
    data = sweep.valid_data(form, site.world)
    text = repeated(pattern, MAX_MARKDOWN)
    data.update(body=text, drawbacks=text, process=text, materials=text)
    response = timed(
        site, browser, f"a proposal of {pattern!r} * n", lambda: browser.submit(form, data)
    )
    assert response.status_code == (422 if not text.strip() else 303)


def set_texts(site, names: list[str], **values) -> None:
    with site.app.app_context():
        ids = [site.world.ids[name] for name in names]
        db.session.execute(update(Proposal).where(Proposal.id.in_(ids)).values(**values))
        db.session.commit()


@pytest.mark.parametrize("pattern", PATTERNS)
def test_search_at_its_maximum(site, pattern):
    """Every public proposal holds the pattern in its longest fields; a search finds them
    all (by their titles) and makes a snippet of each."""
    public = ["mine_hearing", "mine_revision", "mine_support", "mine_catalogue"]
    public += ["their_support", "their_supported", "their_catalogue"]
    text = repeated(pattern, MAX_MARKDOWN)
    set_texts(site, public, body=text, drawbacks=text, summary=text[:400])
    browser = site.browser("visitor")
    try:
        for url in ("/proposals?q=busser", "/api/v1/proposals?q=busser"):
            response = timed(
                site, browser, f"{url} on {pattern!r} * n", lambda u=url: browser.client.get(u)
            )
            assert response.status_code == 200
    finally:
        site.rows.restore()


@pytest.mark.parametrize(("label", "make"), DIFFS, ids=[d[0] for d in DIFFS])
def test_the_diff_page_at_its_maximum(site, label, make):
    old, new = make(MAX_MARKDOWN)
    proposal = site.world.ids["mine_revision"]
    try:
        with site.app.app_context():
            versions = db.session.scalars(
                select(Version).where(Version.proposal_id == proposal).order_by(Version.number)
            ).all()
            assert len(versions) >= 2
            for version, text in zip(versions[-2:], (old, new), strict=True):
                for name in services.CONTENT_FIELDS:
                    if name not in ("title", "summary", "topic_id"):
                        setattr(version, name, text)
            numbers = [v.number for v in versions[-2:]]
            db.session.commit()
        browser = site.browser("visitor")
        url = f"/proposals/{proposal}/diff?from={numbers[0]}&to={numbers[1]}"
        response = timed(site, browser, f"the diff of {label}", lambda: browser.client.get(url))
        assert response.status_code == 200
    finally:
        site.rows.restore()


@pytest.mark.parametrize(("label", "make"), MERGES, ids=[m[0] for m in MERGES])
def test_a_save_on_a_stale_base_at_its_maximum(site, label, make):
    """Another proposer saved since the form was opened: the save is merged with theirs, or
    refused as a conflict, within the limit."""
    base, theirs, mine = make(MAX_MARKDOWN // 3)
    browser = site.browser("proposer")
    try:
        form = proposal_form(site, browser, "mine_draft")
        data = sweep.valid_data(form, site.world)
        data.update(body=base, drawbacks=base)
        assert browser.submit(form, data).status_code == 303
        stale = proposal_form(site, browser, "mine_draft")
        data = sweep.valid_data(stale, site.world)
        assert (
            browser.submit(stale, data | {"body": theirs, "drawbacks": theirs}).status_code == 303
        )
        data.update(body=mine, drawbacks=mine)
        response = timed(site, browser, f"a merge of {label}", lambda: browser.submit(stale, data))
        assert response.status_code in (303, 409)
    finally:
        site.rows.restore()
