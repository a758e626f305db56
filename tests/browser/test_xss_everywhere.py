"""Cross-site scripting in Chromium, everywhere people's text appears.

Every vector of tests/support/xss.py (ALL_VECTORS) goes into every kind of user text: the
proposal's fields, comments and replies, flag and moderation reasons, transition reasons,
outcomes, people's names and topic names. The data is made through the services; then
Chromium visits every kind of page that shows it, as a visitor and as the secretariat.

The app's Content-Security-Policy is switched off in the tab (CDP `Page.setBypassCSP`),
so escaping and the Markdown sanitiser must hold on their own: a vector that survived
would run and open a dialog or set a marker. After each page the DOM is audited (no
`<script>`, no `on*` attribute, no javascript:/data:/vbscript: target), the stored HTML
is checked with `dangerous_markup`, and injected links are hovered, focused and clicked.
`test_the_rig_catches_script_that_runs` shows that each of these checks can fail.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import quote
from xml.etree import ElementTree

import pytest
from sqlalchemy import func, select

from app.accounts import services as accounts
from app.accounts.models import User
from app.comments import services as comments
from app.core.audit import AuditEntry
from app.core.database import utcnow
from app.core.extensions import db
from app.core.markup import render_markdown
from app.proposals import lifecycle as lc
from app.proposals import participation, services
from app.proposals.models import Proposal
from app.secretariat import services as console
from app.secretariat.queries import PAGE_SIZE
from tests.support.checkers import watch
from tests.support.proposals import force
from tests.support.xss import ALL_VECTORS, MORE_VECTORS, dangerous_markup

pytestmark = pytest.mark.browser

CHUNK = 18  # vectors per proposal: one proposal per state in FINAL_STATES
GROUP = 3  # vectors per reply, per hidden comment
CO_PROPOSERS = 3
# Where each chunk's proposal ends up: every public state that shows its text differently.
FINAL_STATES = [
    lc.HEARING,
    lc.REVISION,
    lc.SUPPORT,
    lc.CATALOGUE,
    lc.RETIRED,
    lc.LAPSED,
    lc.WITHDRAWN,
]
STAFF_NAMES = (
    "\" autofocus onfocus=alert(1) x=\"<script>alert('staff')</script>",
    '<img src=x onerror="window.__xss=1">',
)
ATOM = "{http://www.w3.org/2005/Atom}"
EXTERNAL = re.compile(r"^(?!http://127\.0\.0\.1[:/])[a-z]+://")

# What must hold in a page after it loaded and after people poked at it; with the HTML
# the app made from Markdown, for `dangerous_markup`.
AUDIT_JS = """() => {
  const problems = [];
  const XHTML = 'http://www.w3.org/1999/xhtml';
  // JSON and the feed are shown in the browser's own text view, a styled <pre>.
  const viewer = document.contentType !== 'text/html';
  if (document.scripts.length) problems.push(`${document.scripts.length} script element(s)`);
  const forbidden = new Set(['script', 'iframe', 'frame', 'frameset', 'object', 'embed',
    'applet', 'base', 'math', 'template', 'img', 'image', 'video', 'audio', 'source',
    'marquee', 'isindex', 'xmp', 'plaintext', 'noscript', 'noembed', 'animate', 'set',
    'use', 'foreignobject']);
  const urls = new Set(['href', 'src', 'action', 'formaction', 'data', 'xlink:href',
    'background', 'poster', 'ping', 'codebase']);
  for (const el of document.getElementsByTagName('*')) {
    const tag = el.localName.toLowerCase();
    if (forbidden.has(tag)) problems.push(`<${tag}> element`);
    if (tag === 'svg' && !el.closest('figure.stance-chart')) problems.push('<svg> element');
    if (el.namespaceURI === XHTML && ['meta', 'link', 'title', 'style'].includes(tag)
        && !el.closest('head')) problems.push(`<${tag}> outside <head>`);
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      if (name.startsWith('on')) problems.push(`${tag}[${name}=${attr.value}]`);
      if (['srcdoc', 'autofocus', 'formaction', 'contenteditable'].includes(name)
          || (name === 'style' && !viewer)) problems.push(`${tag}[${name}]`);
      const bare = attr.value.replace(/[\\u0000-\\u0020]/g, '');
      if ((urls.has(name) || attr.localName === 'href')
          && /^(javascript|vbscript|data):/i.test(bare))
        problems.push(`${tag}[${name}=${attr.value}]`);
    }
  }
  for (const a of document.querySelectorAll('a[href], area[href]')) {
    let protocol;
    try { protocol = new URL(a.getAttribute('href'), document.baseURI).protocol; }
    catch (e) { continue; }  // a link no browser can follow
    if (!['http:', 'https:', 'mailto:'].includes(protocol))
      problems.push(`link to ${a.getAttribute('href')}`);
  }
  for (const form of document.querySelectorAll('form')) {
    if (new URL(form.action, document.baseURI).origin !== location.origin)
      problems.push(`form to ${form.getAttribute('action')}`);
  }
  if (document.baseURI.split('#')[0] !== location.href.split('#')[0])
    problems.push(`base URL changed to ${document.baseURI}`);
  if (window.__xss !== undefined) problems.push('window.__xss was set');
  if (document.title === 'PWNED') problems.push('document.title was set');
  const markdown = [...document.querySelectorAll('.markdown')].map(e => e.innerHTML);
  return [problems, markdown.join('')];
}"""

# Synthetic events on everything the page shows: an inline handler, had one survived,
# would run now without a person hovering every element.
POKE_JS = """() => {
  const types = ['mouseover', 'mouseenter', 'mousemove', 'mouseout', 'pointerover',
    'pointerdown', 'pointerup', 'focus', 'focusin', 'blur', 'dragstart', 'contextmenu',
    'auxclick', 'toggle', 'animationstart', 'transitionend'];
  const root = document.querySelector('main') || document.documentElement;
  for (const el of root.querySelectorAll('*')) {
    for (const type of types) el.dispatchEvent(new Event(type, {bubbles: false}));
    if (el.closest('.markdown') && el.focus) el.focus();
  }
  return document.querySelectorAll('.markdown a[href]').length;
}"""


# --- the rig: what catches script that runs ------------------------------------------------


@pytest.mark.parametrize("vector", MORE_VECTORS)
def test_more_vectors_leave_no_markup_that_runs(vector):
    """tests/test_markup.py does this for VECTORS; the sweep below uses both lists."""
    assert dangerous_markup(str(render_markdown(vector))) == []


def bypass_csp(tab) -> None:
    """Switch the page's Content-Security-Policy off, as Playwright's `bypass_csp` does."""
    tab.context.new_cdp_session(tab).send("Page.setBypassCSP", {"enabled": True})


class Sweep:
    """Visits pages in one tab and collects, per page, whatever sign of script it finds."""

    def __init__(self, tab, *, dismiss: bool = False) -> None:
        self.tab = tab
        self.seen = watch(tab, dismiss=dismiss)
        self.problems: list[str] = []
        # Other sites are answered in the tab's place (the clicks below lead there, and a
        # page they open asks for its icon later): no request leaves the machine.
        tab.route(EXTERNAL, lambda route: route.fulfill(body="<title>ude</title>"))

    def check(self, where: str, *, poke: bool = True) -> None:
        tab = self.tab
        if poke:
            if tab.evaluate(POKE_JS):  # and a person's hover, focus and tab on a link
                tab.hover(".markdown a[href]")
                tab.focus(".markdown a[href]")
            tab.keyboard.press("Tab")
        found, markdown = tab.evaluate(AUDIT_JS)
        found += dangerous_markup(markdown) + self.seen
        self.problems += [f"{where}: {problem}" for problem in found]
        self.seen.clear()

    def visit(self, path: str) -> None:
        response = self.tab.goto(path)
        assert response is not None and response.status == 200, (path, response.status)
        self.check(path, poke="html" in response.headers.get("content-type", ""))

    def json(self, path: str) -> dict:
        response = self.tab.goto(path)
        assert response.status == 200, (path, response.status)
        self.check(path, poke=False)
        return response.json()

    def click_links(self, path: str, *, skip: int = 0, count: int) -> int:
        """Click injected links: none may run script or lead anywhere but an http(s) page."""
        tab = self.tab
        tab.goto(path)
        hrefs = tab.eval_on_selector_all(
            ".markdown a[href]", "els => [...new Set(els.map(a => a.getAttribute('href')))]"
        )
        hrefs = [h for h in hrefs if not h.startswith("mailto:")][skip : skip + count]
        for href in hrefs:
            tab.goto(path)
            tab.locator(f".markdown a[href={_css_string(href)}]").first.click()
            tab.wait_for_load_state()
            if not tab.url.startswith(("http://", "https://")):
                self.problems.append(f"{path}: a click on {href!r} led to {tab.url}")
            self.check(f"{path} after a click on {href!r}", poke=False)
        return len(hrefs)


def _css_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\a ") + '"'


def test_the_rig_catches_script_that_runs(browser, live_server, app, make_proposal):
    """Each check of the sweep fails when script does run, so that a broken listener or
    audit cannot let the real test pass for nothing: among them, a proposal whose stored
    HTML had got past the sanitiser, as the live server shows it."""
    made = make_proposal(lc.HEARING)
    hole = '<p>Hul</p><img src=x onerror="alert(2)"><a href="javascript:window.__xss=1">a</a>'
    force(app, made.id, body_html=hole)
    context = browser.new_context(base_url=live_server.url)
    tab = context.new_page()
    sweep = Sweep(tab, dismiss=True)

    def caught(where: str) -> str:
        sweep.check(where)
        found, sweep.problems = "\n".join(sweep.problems), []
        return found

    try:
        tab.set_content("<p>x</p><img src=x onerror=alert(1)>")
        assert "dialog opened: 1" in caught("a page with a handler")

        # Behind the app's policy the handler is refused: an error in the console.
        sweep.visit(f"/proposals/{made.id}")
        found = caught("the hole, as shipped")
        assert "Content Security Policy" in found and "dialog" not in found, found
        for expected in ["<img> element", "img[onerror=alert(2)]", "<img>", "img[onerror]"]:
            assert expected in found, (expected, found)
        for expected in ["a[href=javascript:window.__xss=1]", "link to javascript:"]:
            assert expected in found, (expected, found)
        # With the policy bypassed, as the sweep runs, the handler runs.
        bypass_csp(tab)
        sweep.visit(f"/proposals/{made.id}")
        assert "dialog opened: 2" in caught("the hole, with the policy bypassed")

        tab.set_content(
            "<main><div class=markdown><a href='javascript:window.__xss=1'>a</a>"
            "<p onmouseover='document.title=\"PWNED\"'>p</p><b style=x>s</b></div>"
            "<script>window.__xss = 1</script><form action='javascript:x'></form></main>"
        )
        found = caught("a page with script and handlers")
        for expected in [
            "script element",
            "<script>",
            "p[onmouseover",
            "link to javascript:",
            "form to javascript:",
            "b[style]",
            "window.__xss was set",
            "document.title was set",
        ]:
            assert expected in found, (expected, found)

        # A click on a javascript: link that got through would run it.
        tab.set_content("<main><div class=markdown><a href='javascript:alert(3)'>a</a></div>")
        tab.click("a")
        assert "dialog opened: 3" in caught("a click on a javascript: link")
    finally:
        context.close()


# --- the data: every vector in every kind of user text ------------------------------------


@dataclass
class World:
    staff: object  # tests.plugins.accounts.Account of the secretariat that logs in
    public: dict[str, int] = field(default_factory=dict)  # what it shows → proposal id
    private: dict[str, int] = field(default_factory=dict)
    titles: dict[int, str] = field(default_factory=dict)
    vectors_of: dict[int, list[str]] = field(default_factory=dict)
    reasons: dict[int, str] = field(default_factory=dict)
    topic_names: list[str] = field(default_factory=list)
    topic_of_first: int = 0
    user_names: list[str] = field(default_factory=list)


def _content(vectors: list[str], topic_id: int, label: str) -> services.Content:
    text = "\n\n".join(vectors)
    return services.Content(
        topic_id=topic_id,
        title=f"{label} {' '.join(vectors)}"[:160],
        summary=f"Resumé {label}: {' '.join(vectors)}"[:400],
        body=text,
        drawbacks=text,
        process="\n\n".join(reversed(vectors)),
        materials="\n".join(f"- {v}" for v in vectors),
        organisations="\n".join(vectors),
    )


def build(app, make_user) -> World:
    """Proposals in every public state (and three the public cannot see), each carrying
    a chunk of the vectors in all its text, with comments, replies, flags, moderation,
    transitions, outcomes and versions, by people and in topics named with the vectors."""
    staff = make_user("member", "secretariat", name=STAFF_NAMES[0])
    moderator = make_user("member", "secretariat", name=STAFF_NAMES[1])
    world = World(staff=staff)
    app.config["SUPPORT_THRESHOLD"] = 2  # two supports carry a proposal into the catalogue
    now = utcnow()
    chunks = [ALL_VECTORS[i : i + CHUNK] for i in range(0, len(ALL_VECTORS), CHUNK)]
    with app.app_context():
        secretariat = db.session.get(User, staff.id)
        mod = db.session.get(User, moderator.id)
        people = [
            accounts.create_user(
                email=f"xss{i}@example.org",
                name=vector.strip()[:100],
                password=None,
                roles={"member"},
                now=now,
            )
            for i, vector in enumerate(ALL_VECTORS)
        ]
        world.user_names = [p.name for p in people]
        topics = [
            console.create_topic(secretariat, f"{i} {vector}"[:80], now=now)
            for i, vector in enumerate(ALL_VECTORS)
        ]
        for topic in topics[CHUNK // 2 :: CHUNK]:  # retired topics, still on their proposals
            console.set_topic_retired(secretariat, topic, True, now=now)
        world.topic_names = [t.name for t in topics]
        world.topic_of_first = topics[0].id

        def propose(k: int, label: str) -> Proposal:
            first, vectors = k * CHUNK, chunks[k]
            author = people[first]
            proposal = services.create(author, _content(vectors, topics[first].id, label), now=now)
            for invitee in people[first + 1 : first + CO_PROPOSERS + 1]:
                services.invite(author, proposal, invitee.email, now=now)
                services.answer_invitation(invitee, proposal, accept=True, now=now)
            world.titles[proposal.id] = proposal.title
            world.reasons[proposal.id] = "\n".join(vectors)
            world.vectors_of[proposal.id] = vectors
            return proposal

        def move(actor, proposal, target, **extra):
            services.transition(
                actor, proposal, target, reason=world.reasons[proposal.id], now=now, **extra
            )

        def discuss(proposal, k: int) -> None:
            """Every vector a comment of its own; then, three vectors at a time, a reply
            with the three (reported three times, with one of them as the reason each time),
            and a comment with the three hidden for them, and every other one restored."""
            first, vectors = k * CHUNK, chunks[k]
            for g in range(0, len(vectors), GROUP):
                group = vectors[g : g + GROUP]
                writers = people[first + g : first + g + len(group)]
                for writer, vector in zip(writers, group, strict=True):
                    top = comments.add_comment(writer, proposal, vector, now=now)
                replier = people[first + (g + GROUP) % len(vectors)]
                text = "\n\n".join(group)
                reply = comments.add_comment(replier, proposal, text, parent_id=top.id, now=now)
                for writer, vector in zip(writers, group, strict=True):
                    comments.flag_comment(writer, reply, vector, now=now)
                hidden = comments.add_comment(writers[0], proposal, text, now=now)
                reason = "\n".join(group)
                comments.flag_comment(replier, hidden, reason, now=now)
                comments.hide_comment(mod, hidden, proposal, reason, now=now)
                if g // GROUP % 2:
                    comments.restore_comment(mod, hidden, proposal, reason, now=now)

        for k, vectors in enumerate(chunks):
            final = FINAL_STATES[k % len(FINAL_STATES)]
            proposal = propose(k, f"X{k}")
            author = people[k * CHUNK]
            world.public[f"{final} {k}"] = proposal.id
            move(author, proposal, lc.SUBMITTED)
            move(secretariat, proposal, lc.HEARING, ends_at=now + timedelta(days=3))
            discuss(proposal, k)
            if final == lc.HEARING:
                continue
            move(secretariat, proposal, lc.REVISION)
            if final == lc.REVISION:
                changed = _content(list(reversed(vectors)), proposal.topic_id, f"X{k}")
                services.edit(author, proposal, changed, now=now)
                world.titles[proposal.id] = proposal.title
                continue
            if final == lc.WITHDRAWN:
                move(author, proposal, lc.WITHDRAWN)
                continue
            move(author, proposal, lc.SUPPORT)
            if final == lc.SUPPORT:
                proposal.support_deadline = now + timedelta(days=2)
                participation.add_support(mod, proposal, now=now)
            elif final == lc.LAPSED:
                proposal.support_deadline = now - timedelta(minutes=1)
                db.session.flush()
                services.apply_due(now, [proposal.id])
            else:
                participation.add_support(secretariat, proposal, now=now)
                participation.add_support(mod, proposal, now=now)
                participation.set_stance(secretariat, proposal, "for", now=now - timedelta(1))
                participation.set_stance(mod, proposal, "against", now=now)
                for vector in [*vectors, "\n\n".join(vectors)]:
                    services.add_outcome(secretariat, proposal, on=now.date(), text=vector, now=now)
                if final == lc.RETIRED:
                    move(secretariat, proposal, lc.RETIRED)

        # What only its proposers and the secretariat see, and a rejection the public sees.
        draft = propose(1, "Kladde")
        submitted = propose(2, "Indsendt")
        move(people[2 * CHUNK], submitted, lc.SUBMITTED)
        sent_back = propose(3, "Sendt tilbage")
        move(people[3 * CHUNK], sent_back, lc.SUBMITTED)
        move(secretariat, sent_back, lc.DRAFT)
        rejected = propose(4, "Afvist")
        move(people[4 * CHUNK], rejected, lc.SUBMITTED)
        move(secretariat, rejected, lc.REJECTED)
        world.private = {"draft": draft.id, "submitted": submitted.id, "sent back": sent_back.id}
        world.public["rejected"] = rejected.id
        db.session.commit()
    return world


def _pages(app, model) -> int:
    """How many pages the console needs for all rows of `model`."""
    with app.app_context():
        return -(-db.session.scalar(select(func.count()).select_from(model)) // PAGE_SIZE)


# Hostile query strings: reflected into search fields, hidden inputs, messages and links.
REFLECTED = " ".join(
    [
        '" autofocus onfocus=alert(1) x="',
        "' onmouseover=alert(1) x='",
        '"><svg onload=alert(1)>',
        "</title><script>alert(1)</script>",
    ]
)


def _reflected_paths(value: str) -> list[str]:
    v = quote(value, safe="")
    return [
        f"/proposals?q={v}",
        f"/proposals?state={v}",
        f"/proposals?topic={v}&page={v}",
        f"/feeds/proposals.atom?state={v}",
        f"/api/v1/proposals?state={v}",
        f"/login?next={quote('javascript:alert(1)', safe='')}&x={v}",
        f"/proposals/{v}",
    ]


def test_no_vector_runs_anywhere(page, app, make_user, live_server):
    """Every kind of page, as a visitor and then as the secretariat: nothing runs, and
    the text reads back as it was written (escaped, not stripped or mangled)."""
    world = build(app, make_user)
    bypass_csp(page)
    sweep = Sweep(page)
    public, private = world.public, world.private
    hearing = public[f"{lc.HEARING} 0"]
    revision = public[f"{lc.REVISION} 1"]
    catalogue = public[f"{lc.CATALOGUE} 3"]
    # The proposals whose vectors leave links behind (sanitised) to click.
    seeking, lapsed = public[f"{lc.SUPPORT} 2"], public[f"{lc.LAPSED} 5"]

    # --- as a visitor ------------------------------------------------------------------
    sweep.visit("/")
    sweep.visit("/proposals")
    sweep.visit(f"/proposals?topic={world.topic_of_first}")
    options = page.eval_on_selector_all("#filter-topic option", "os => os.map(o => o.textContent)")
    assert set(options[1:]) <= set(world.topic_names) and len(options) > len(ALL_VECTORS) // 2
    sweep.visit(f"/proposals?topic={quote(world.topic_names[0], safe='')}")
    for proposal_id in public.values():
        sweep.visit(f"/proposals/{proposal_id}")
        assert page.text_content("h1") == world.titles[proposal_id]
    reasons = page.eval_on_selector_all("blockquote.reason", "els => els.map(e => e.textContent)")
    assert world.reasons[public["rejected"]] in reasons
    sweep.visit(f"/proposals/{hearing}?input=hearing&comments=100")
    assert page.locator("article.comment").count() == CHUNK + 2 * (CHUNK // GROUP)
    sweep.visit(f"/proposals/{revision}/versions")
    sweep.visit(f"/proposals/{revision}/diff?from=1&to=2")
    assert page.locator(".diff ins").count() > 0
    clicked = sweep.click_links(f"/proposals/{seeking}", count=2)

    for proposal_id in public.values():
        path = f"/api/v1/proposals/{proposal_id}"
        # Opened in the tab for two of them; the rest only read.
        opened = proposal_id in (hearing, catalogue)
        data = (
            sweep.json(path) if opened else page.request.get(path, fail_on_status_code=True).json()
        )
        assert data["title"] == world.titles[proposal_id]
        assert dangerous_markup(data["body_html"]) == [], proposal_id
        assert world.reasons[proposal_id] in [e["reason"] for e in data["timeline"]]
        if proposal_id == catalogue:
            vectors = world.vectors_of[catalogue]
            assert [o["text"] for o in data["outcomes"]] == [*vectors, "\n\n".join(vectors)]
    sweep.json("/api/v1/proposals")
    response = page.goto("/feeds/proposals.atom")
    sweep.check("/feeds/proposals.atom", poke=False)
    feed = ElementTree.fromstring(response.body())
    titles = [entry.findtext(f"{ATOM}title") for entry in feed.iter(f"{ATOM}entry")]
    assert sorted(titles) == sorted(world.titles[i] for i in public.values())

    for path in _reflected_paths(REFLECTED):
        response = page.goto(path)
        assert response.status < 500 and response.status != 429, (path, response.status)
        sweep.check(path, poke="html" in response.headers.get("content-type", ""))

    # --- as the secretariat (logging in through a hostile "next") ------------------------
    page.goto("/login?next=" + quote("javascript:window.__xss=1", safe=""))
    page.get_by_label("E-mail").fill(world.staff.email)
    page.get_by_label("Adgangskode").fill(world.staff.password)
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_load_state()
    assert page.url == f"{live_server.url}/", page.url
    assert page.text_content(".user-name") == world.staff.name
    sweep.check("after login")

    sweep.visit(f"/proposals?topic={world.topic_of_first}")
    for proposal_id in [*public.values(), *private.values()]:
        # The hearing's whole discussion on one page, oldest first, as it was written.
        sweep.visit(
            f"/proposals/{proposal_id}"
            + ("?comments=100&order=oldest" if proposal_id == hearing else "")
        )
        assert page.text_content("h1") == world.titles[proposal_id]
        if proposal_id == hearing:
            flags = page.eval_on_selector_all(
                "li.flag-reason", "els => els.map(e => e.textContent)"
            )
            assert sorted(flags) == sorted(v.strip() for v in ALL_VECTORS[:CHUNK])
            hidden = page.eval_on_selector_all(
                ".comment .placeholder", "els => els.map(e => e.textContent)"
            )
            assert len(hidden) == CHUNK // GROUP // 2
            assert "\n".join(ALL_VECTORS[:GROUP]) in hidden[0]
    clicked += sweep.click_links(f"/proposals/{lapsed}", count=1)
    sweep.visit(f"/proposals/{hearing}?input=hearing&comments=100")
    sweep.visit(f"/proposals/{revision}/versions")
    sweep.visit(f"/proposals/{revision}/diff?from=1&to=2")
    sweep.json(f"/api/v1/proposals/{private['draft']}")

    sweep.visit("/secretariat")
    names = []
    for number in range(1, _pages(app, User) + 1):
        sweep.visit(f"/secretariat/members?page={number}")
        names += page.eval_on_selector_all("th[scope=row]", "els => els.map(e => e.textContent)")
    assert set(world.user_names) <= set(names)
    sweep.visit("/secretariat/members?q=" + quote(REFLECTED, safe=""))
    sweep.visit("/secretariat/topics")
    values = page.eval_on_selector_all("input[id^=rename-]", "els => els.map(e => e.value)")
    # A text field's value has no line breaks: the browser drops them.
    assert sorted(values) == sorted(re.sub("[\r\n]", "", n) for n in world.topic_names)
    cells = []
    for number in range(1, _pages(app, AuditEntry) + 1):
        sweep.visit(f"/secretariat/log?page={number}")
        cells += page.eval_on_selector_all(".audit-log td", "els => els.map(e => e.textContent)")
    assert world.reasons[hearing] in cells
    assert "\n".join(ALL_VECTORS[GROUP : 2 * GROUP]) in cells  # why a comment was restored

    assert clicked == 3
    assert not sweep.problems, "\n".join(sweep.problems)
