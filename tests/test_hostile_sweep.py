"""Every form of the app, found by crawling it, against hostile input; and every URL with an
id, given ids that do not exist or belong to what the user may not see.

While pytest collects, tests/support/sweep.py crawls the app from / as a visitor, a proposer
and the secretariat and reads every <form> with html.parser. Forms that differ only in the
ids of their action are one form, and so are forms that look alike (the same fields and
labels) wherever they post: a new proposal and an existing one are written in one form, swept
once at /proposals/new. Of the naughty strings, one of each makeup (206 of the 485;
tests/comments sends all of them) is sent to a field of each kind (text, textarea, hidden,
select, id …): every field gets the 23 that between them hold every part of a makeup twice,
and its share of the others, dealt out among the fields of its kind; and a 1 MB value, a
NUL, bytes that are not UTF-8 and no value at all, with the other fields valid. Never a 5xx;
a refusal is a Danish page with a message and changes nothing; an accepted value is shown
back escaped where the app shows it, and nothing saved before is lost. After each accepted
submission the world is put back (keeping only the rows a final look at a list needs), so
every string meets the same world; the database is read only when the app's SQL wrote
something.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote

import flask_migrate
import pytest
from markupsafe import escape

from app import create_app
from app.core.extensions import db
from app.core.text import without_forbidden_characters
from app.proposals.forms import parse_moment
from tests.plugins.database import COMPILED_TEMPLATES
from tests.support import sweep
from tests.support.naughty import covering_naughty_strings, distinct_naughty_strings

pytestmark = pytest.mark.sweep

DISCOVERY = sweep.discover()
FORMS = DISCOVERY.forms
FIELDS = DISCOVERY.fields
# Fewer than this means the crawler broke, not that the app lost its forms.
FORM_FLOOR = 40
FIELD_FLOOR = 45

MEGABYTE = "x" * 2**20
CSRF_REFUSED = "Formularen var udløbet"


# Values at the ends of what a kind of field holds. Once accepted, the pages that show the
# thing are fetched too: a value can be stored and then break every page that shows it.
EDGES = {
    "datetime-local": [
        "9999-12-31T23:59+00:00",
        "9999-12-31T23:59",
        "0001-01-01T00:00",
        "0001-01-01T00:00+14:00",
        "2026-02-30T12:00",
        "2026-12-31T24:00",
    ],
    "date": ["9999-12-31", "0001-01-01", "2026-02-30", "+10000-01-01"],
    "number": ["0", "-1", str(2**31), str(10**30), "1e3", "NaN"],
}


def kind_of(field) -> str:
    """What a field is, as hostile values go: its input's type, or "number" for an id."""
    return "number" if any(o.isdigit() for o in (field.default, *field.options)) else field.kind


# Every field gets the naughty strings that between them hold every part of every makeup;
# the other distinct strings are dealt out among the fields of each kind, so that each of
# them still meets a text field, a textarea, a hidden field, a select … of some form.
NAUGHTY = distinct_naughty_strings()
CORE = covering_naughty_strings()
DEALT = [i for i, text in enumerate(NAUGHTY) if text not in CORE]
PEERS: dict[str, list[tuple]] = {}
for _form, _name in FIELDS:
    PEERS.setdefault(kind_of(_form.field(_name)), []).append((_form, _name))


def naughty_for(found, name) -> list[int]:
    """The indexes in NAUGHTY of the strings `name` of the form `found` gets."""
    peers = PEERS[kind_of(found.field(name))]
    dealt = DEALT[peers.index((found, name)) :: len(peers)]
    return sorted([NAUGHTY.index(text) for text in CORE] + dealt)


def hostile_values(world, field, naughty: list[int]) -> list[tuple[str, str | bytes | list | None]]:
    """(label, value) for `field`; None stands for leaving it out."""
    values = [(f"naughty string #{i}", NAUGHTY[i]) for i in naughty]
    values += [
        ("1 MB", MEGABYTE),
        ("bytes that are not UTF-8", b"\xff\xfe\xc3\x28 \xed\xa0\x80"),
        ("a NUL character", "a\x00b"),
        ("sent twice", ["Første", "Anden"]),
        ("missing", None),
    ]
    kind = kind_of(field)
    values += [(f"edge {value}", value) for value in EDGES.get(kind, [])]
    if kind == "number":  # an id: also those of what this user may not see
        foreign = [key for keys in sweep.FOREIGN.values() for key in keys]
        values += [(f"edge: the id of {key}", str(world.ids[key])) for key in foreign]
    return values


# --- where an accepted value is shown ---------------------------------------------------


def search_words(value: str) -> str:
    return without_forbidden_characters(value).strip()[:200]


@dataclass(frozen=True)
class Shown:
    """Where the app shows a field's value once it is accepted: `html`, with {} for the
    value as stored, escaped; on the page a browser lands on ("redirect"), in the answer
    itself ("response"), on the proposal acted on ("proposal"), or on a list whose pages
    are followed (a path); seen by the sender or by `role`. With `keep`, the rows each
    submission adds to those tables stay until the test ends, and every value is looked
    for at the end, on one page or list."""

    html: str
    page: str = "redirect"
    role: str | None = None
    stored: Callable[[str], str] = str.strip
    keep: frozenset[str] = frozenset()

    def expected(self, value: str) -> str | None:
        stored = self.stored(value)
        return self.html.format(escape(stored)) if stored else None


REASON = '<blockquote class="reason">{}</blockquote>'
SEARCH = 'name="q" value="{}"'

SHOWN = {
    ("accounts.register", "name"): Shown(
        '<th scope="row">{}</th>', "/secretariat/members", "secretary", keep=frozenset({"users"})
    ),
    ("proposals.new", "title"): Shown(
        '">{}</a></h2>', "/proposals", keep=frozenset({"proposals", "proposers"})
    ),
    ("proposals.new", "summary"): Shown(
        '<p class="summary">{}</p>', "/proposals", keep=frozenset({"proposals", "proposers"})
    ),
    ("proposals.transition", "reason"): Shown(
        REASON, "proposal", keep=frozenset({"transition_events"})
    ),
    ("comments.moderate", "reason"): Shown(REASON, "proposal", keep=frozenset({"audit_entries"})),
    ("comments.flag", "reason"): Shown('<li class="flag-reason">{}</li>', "proposal", "secretary"),
    ("secretariat.topics", "name"): Shown(
        '<th scope="row">{}</th>', "/secretariat/topics", keep=frozenset({"topics"})
    ),
    ("secretariat.members", "csv"): Shown(
        'aria-describedby="register-text-hint">{}</textarea>', "response", stored=str
    ),
    ("proposals.index", "q"): Shown(SEARCH, "response", stored=search_words),
    ("secretariat.members", "q"): Shown(SEARCH, stored=search_words),
}


# --- the sweep's own app and world --------------------------------------------------------


@pytest.fixture(scope="session")
def sweep_app(base_config, empty_database):
    """The app on a database of its own, with the world built once per worker."""
    uri = empty_database("sweep")
    # A failure is answered with a 500 page, named with the value that caused it.
    config = {**base_config, "SQLALCHEMY_DATABASE_URI": uri, "PROPAGATE_EXCEPTIONS": False}
    if uri.startswith("postgresql"):  # durability is not under test: commit without waiting
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            "connect_args": {"options": "-c synchronous_commit=off"}
        }
    app = create_app(config)
    app.jinja_env.bytecode_cache = COMPILED_TEMPLATES  # the templates compiled once per process
    with app.app_context():
        flask_migrate.upgrade()
    yield sweep.Site(app, sweep.build_world(app))
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def site(sweep_app):
    """The world, put back as it was built when the test ends."""
    yield sweep_app
    sweep_app.reset()


# --- judging an answer --------------------------------------------------------------------


def refusal_problem(response) -> str | None:
    """What is missing from a refusal: a Danish HTML page with a heading and a message."""
    html = response.get_data(as_text=True)
    if response.mimetype != "text/html":
        return f"refused as {response.mimetype}, not as a page"
    if '<html lang="da">' not in html:
        return "refused with a page that is not in Danish"
    if "<h1" not in html:
        return "refused with a page without a heading"
    if not re.search(r'<p[ >]|class="error-summary"', html.split("<h1", 1)[1]):
        return "refused without a message"
    return None


def location_problem(response) -> str | None:
    location = response.headers.get("Location", "")
    if not location.startswith("/") or location.startswith("//") or "\\" in location:
        return f"redirected off the site, to {location!r}"
    return None


def page_of(site, viewer, form, response, shown: Shown) -> str:
    """The HTML of the page where `shown` says the value of `form` appears."""
    if shown.page == "response" or form.method == "GET":
        return response.get_data(as_text=True)
    if shown.page == "redirect":
        return viewer.client.get(response.headers["Location"].split("#")[0]).get_data(as_text=True)
    if shown.page == "proposal":
        return viewer.client.get(site.proposal_page(form.action)).get_data(as_text=True)
    pages, url = [], shown.page
    while url and len(pages) < 100:  # a list: follow its "next" links
        pages.append(viewer.client.get(url).get_data(as_text=True))
        following = re.search(r'<a rel="next" href="([^"]+)"', pages[-1])
        url = following and following[1].replace("&amp;", "&")
    return "".join(pages)


def judge(site, browser, form, response, *, value, shown=None, pending=None, follow=False):
    """The problems with one answer, after which the world is put back. `value` None is
    the form as found, which may take away what it is for (a like, a support). With
    `follow`, an accepted value must leave the page landed on, and the proposal's, whole."""
    status = response.status_code
    accepted = status in (200, 303)
    problems = []
    try:
        if not accepted and not 400 <= status < 500:
            return [f"answered {status}"]
        if not accepted:
            return [refusal_problem(response)]
        if form.method == "POST" and value == MEGABYTE:
            problems.append(f"accepted a 1 MB value with {status}")
        if status == 303:
            problems.append(location_problem(response))
        if follow and status == 303:
            problems += pages_problems(site, browser, form, response)
        expected = shown.expected(value) if shown and isinstance(value, str) else None
        if expected and shown.keep:
            pending.append(expected)
        elif expected:
            viewer = site.browser(shown.role) if shown.role else browser
            if expected not in page_of(site, viewer, form, response, shown):
                problems.append(f"not shown back escaped as {expected[:120]!r}")
        return problems
    finally:
        written = site.rows.log.tables
        if written:
            keep = shown.keep if shown and status == 303 else frozenset()
            restored = site.rows.restore(written, keep=keep)
            if restored.changed and status != 303:
                problems.append(f"answered {status} but changed {', '.join(restored.changed)}")
            if restored.lost and value is not None:
                problems.append(f"lost {', '.join(restored.lost)}")


def pages_problems(site, browser, form, response) -> list[str]:
    """Whether the page landed on and the page of the proposal acted on still open."""
    urls = [response.headers["Location"].split("#")[0]]
    if re.match(r"/(proposals|comments)/\d+", form.action):
        urls.append(site.proposal_page(form.action))
    answers = [(url, browser.client.get(url).status_code) for url in dict.fromkeys(urls)]
    return [f"then {url} answered {status}" for url, status in answers if status >= 500]


def pending_problems(site, browser, form, shown: Shown, pending: list[str]) -> list[str]:
    """The kept values that are not on their page at the end of the test."""
    if not pending:
        return []
    viewer = site.browser(shown.role) if shown.role else browser
    html = page_of(site, viewer, form, None, shown)
    return [f"not shown back escaped as {e[:120]!r}" for e in pending if e not in html]


def describe(problems: list[str], form) -> str:
    return f"{form.key} as {form.role}:\n" + "\n".join(problems[:40])


# --- the tests ----------------------------------------------------------------------------


def test_discovery_finds_every_form():
    """A crawl now finds every form that takes a POST, and the committed list the sweep
    reads (tests/support/forms.json) is what it finds: `make forms` writes it again."""
    crawled = sweep.crawl_for_forms()
    assert crawled.error is None, crawled.error
    found = crawled.describe()
    assert len(crawled.forms) >= FORM_FLOOR, found
    assert len(crawled.fields) >= FIELD_FLOOR, found
    without_form = sorted(set(crawled.posted) - {form.endpoint for form in crawled.forms})
    assert not without_form, f"no form found that posts to {without_form}\n{found}"
    assert DISCOVERY.error is None, DISCOVERY.error
    assert sweep.to_json(DISCOVERY) == sweep.to_json(crawled), (
        "tests/support/forms.json is out of date: run make forms"
    )


@pytest.mark.parametrize(
    ("found", "name"), FIELDS, ids=[f"{f.method} {f.pattern} {name}" for f, name in FIELDS]
)
def test_hostile_values_in_every_field(site, found, name):
    browser = site.browser(found.role)
    form = browser.find(found)
    shown = SHOWN.get((found.endpoint, name))
    problems, pending = [], []
    values = hostile_values(site.world, form.field(name), naughty_for(found, name))
    for i, (label, value) in enumerate(values):
        data = sweep.valid_data(form, site.world, serial=i)
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
        session = browser.session
        site.rows.log.clear()
        response = browser.submit(form, data)
        found_problems = judge(
            site,
            browser,
            form,
            response,
            value=value,
            shown=shown,
            pending=pending,
            follow=label.startswith("edge"),
        )
        browser.session = session
        problems += [f"{label} {value and value[:60]!r}: {p}" for p in found_problems if p]
    if shown:
        problems += pending_problems(site, browser, form, shown, pending)
    assert not problems, describe(problems, found)


@pytest.mark.parametrize("found", FORMS, ids=[form.key for form in FORMS])
def test_every_form_as_found_and_with_a_bad_token(site, found):
    browser = site.browser(found.role)
    form = browser.find(found)
    data = sweep.valid_data(form, site.world)
    problems = []
    if form.has_token:
        stranger = site.browser("visitor", fresh=True)
        stranger.visit("/login")
        for label, token in [
            ("no token", None),
            ("an empty token", ""),
            ("a forged token", "forged-token"),
            ("a 5,000 character token", MEGABYTE[:5000]),
            ("another session's token", stranger.token),
        ]:
            sent = dict(data) if token is None else {**data, "csrf_token": token}
            site.rows.log.clear()
            response = browser.submit(form, sent, token="")
            page = response.get_data(as_text=True)
            if response.status_code != 400 or CSRF_REFUSED not in page:
                problems.append(f"{label}: answered {response.status_code} without saying why")
            if site.rows.log.tables:
                problems.append(f"{label}: wrote to {sorted(site.rows.log.tables)}")
                site.rows.restore(site.rows.log.tables)
    session = browser.session
    site.rows.log.clear()
    response = browser.submit(form, data)
    problems += [f"as found: {p}" for p in judge(site, browser, form, response, value=None) if p]
    browser.session = session
    assert not problems, describe(problems, found)


# --- unknown and foreign ids in every URL -------------------------------------------------

BAD_IDS = [
    ("unknown", "999999"),
    ("zero", "0"),
    ("negative", "-1"),
    ("one past the column", str(2**31)),
    ("huge", str(10**30)),
    ("not a number", "abc"),
    ("a fraction", "1.5"),
]


def _urls(rule: str) -> list[str]:
    """`rule` with each choice of its <any(…)> parts, the id left as {id}."""
    match = re.search(r"<any\(([^)]*)\):\w+>", rule)
    if match is None:
        return [re.sub(r"<int(?:\([^)]*\))?:\w+>", "{id}", rule)]
    options = [o.strip().strip("'\"") for o in match[1].split(",")]
    return [u for o in options for u in _urls(rule[: match.start()] + o + rule[match.end() :])]


ID_URLS = [(url, methods) for rule, methods in DISCOVERY.id_rules for url in _urls(rule)]


@pytest.mark.parametrize(("url", "methods"), ID_URLS, ids=[url for url, _ in ID_URLS])
def test_unknown_and_foreign_ids_are_not_found(site, url, methods):
    """As a member who is no proposer of anything: 404 for ids that do not exist and for
    what the member may not see, and a wrong method is 405."""
    browser = site.browser("outsider")
    browser.visit("/")  # for the session's token
    kind = "comments" if url.startswith("/comments/") else "proposals"
    foreign = [(f"id of {key}", str(site.world.ids[key])) for key in sweep.FOREIGN[kind]]
    problems = []
    for label, bad_id in BAD_IDS + foreign:
        path = url.format(id=quote(bad_id))
        for method in methods:
            site.rows.log.clear()
            response = browser.client.open(
                path,
                method=method,
                data={"csrf_token": browser.token} if method == "POST" else None,
            )
            if response.status_code != 404:
                problems.append(f"{method} {path} ({label}): {response.status_code}")
            if site.rows.log.tables:
                restored = site.rows.restore(site.rows.log.tables)
                if restored.changed:
                    problems.append(f"{method} {path} ({label}) changed {restored.changed}")
    real = url.format(id=site.world.ids["mine_hearing" if kind == "proposals" else "c_theirs"])
    for method in {"GET", "POST"} - set(methods):
        response = browser.client.open(real, method=method)
        if response.status_code != 405:
            problems.append(f"{method} {real}: {response.status_code}, not 405")
    assert not problems, "\n".join(problems)


def test_ids_in_other_scripts_digits_are_not_found(site):
    browser = site.browser("visitor")
    number = str(site.world.ids["mine_hearing"])
    for digits in ("０１２３４５６７８９", "٠١٢٣٤٥٦٧٨٩"):  # fullwidth, Arabic-Indic
        path = "/proposals/" + quote(number.translate(str.maketrans("0123456789", digits)))
        assert browser.client.get(path).status_code == 404, path


GARBAGE_TOKENS = [
    "x",
    "a" * 43,
    "a" * 5000,
    "..",
    "../../etc/passwd",
    "%2e%2e%2f",
    "a/b",
    "?next=/",
    "#top",
    "\x00",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "null",
    "undefined",
    "😀",
    "ｔｏｋｅｎ",
]


def test_garbage_reset_tokens_are_not_found(site):
    browser = site.browser("visitor")
    browser.visit("/login")
    real = site.world.token
    problems = []
    for token in [*GARBAGE_TOKENS, real.upper(), real[:-1], real + "x", real[::-1], f" {real}"]:
        path = f"/password/reset/{quote(token, safe='')}"
        for method in ("GET", "POST"):
            site.rows.log.clear()
            data = {"csrf_token": browser.token, "password": "en helt ny adgangskode"}
            response = browser.client.open(path, method=method, data=data)
            if response.status_code != 404 or refusal_problem(response):
                problems.append(f"{method} {token[:40]!r}: {response.status_code}")
            if site.rows.log.tables and site.rows.restore(site.rows.log.tables).changed:
                problems.append(f"{method} {token[:40]!r} changed the database")
    assert not problems, "\n".join(problems)


def test_the_sweep_reads_forms_as_a_browser_would():
    html = """<form method="post" action="/x?a=1#frag" enctype="multipart/form-data">
      <input type="hidden" name="csrf_token" value="t">
      <input name="plain" value="a &amp; b"><input type="checkbox" name="off">
      <input type="radio" name="r" value="1"><input type="radio" name="r" value="2" checked>
      <label for="t-id">Tekst <span>her</span></label><textarea id="t-id" name="t">
line</textarea>
      <label><input type="checkbox" name="on" checked> Til</label>
      <select name="s"><option value="">Vælg</option><option selected>Et</option></select>
      <button name="action" value="preview">P</button><button name="action" value="go">G</button>
    </form><a href="/y">y</a>"""
    (form,), links = sweep.read_page(html, "/page")
    assert (form.method, form.action, form.has_token) == ("POST", "/x?a=1", True)
    assert {f.name: f.default for f in form.fields} == {
        "plain": "a & b",
        "r": "2",
        "t": "line",
        "s": "Et",
        "action": "preview",
        "on": "on",
    }
    assert form.field("action").options == ("preview", "go")
    assert (form.field("t").label, form.field("on").label) == ("Tekst her", "Til")
    assert links == ["/y"]


def test_the_sweep_sees_what_a_request_changed(site):
    """The write log and the restore report what the app's SQL changed, and undo it."""
    from sqlalchemy import delete, insert, update

    from app.proposals.models import ProposalLike, Topic

    rows = site.rows
    with rows.engine.begin() as conn:  # through the app's engine, as a request writes
        conn.execute(update(Topic).where(Topic.name == "Velfærd").values(name="Ændret"))
        conn.execute(insert(Topic).values(name="Ny"))
        conn.execute(delete(ProposalLike))
    assert rows.log.tables == {"topics": {"UPDATE", "INSERT"}, "proposal_likes": {"DELETE"}}
    restored = rows.restore(rows.log.tables)
    assert sorted(restored.changed) == ["proposal_likes", "topics"]
    assert restored.lost == ["proposal_likes #1"]
    assert rows.restore().changed == []


# --- what the sweep found -----------------------------------------------------------------


def test_a_hearing_end_that_danish_time_cannot_show_is_refused(site):
    """9999-12-31T23:59+00:00 is 10000-01-01 in Copenhagen: once saved, every page showing
    the hearing answered 500."""
    with pytest.raises(OverflowError):
        parse_moment("9999-12-31T23:59+00:00")
    assert parse_moment("9999-12-31T23:59") == datetime(9999, 12, 31, 22, 59, tzinfo=UTC)
    browser = site.browser("secretary")
    browser.visit("/")
    proposal = f"/proposals/{site.world.ids['their_submitted']}"
    data = {"csrf_token": browser.token, "to": "hearing", "ends_at": "9999-12-31T23:59+00:00"}
    site.rows.log.clear()
    assert browser.client.post(f"{proposal}/transition", data=data).status_code == 422
    assert browser.client.get(proposal).status_code == 200
    assert not site.rows.log.tables
