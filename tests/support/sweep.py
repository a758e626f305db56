"""The hostile-input sweep's machinery: a world with a proposal in every state, a crawler
that finds the app's forms by following its links as each role, an html.parser reading of
every <form>, and direct reads of the database that tell whether a request changed it.

The forms are discovered by crawling a throwaway SQLite app (`make forms`), and the list is
committed (tests/support/forms.json), so that each form field can be a test of its own
without a crawl while pytest collects; one test crawls again and fails when the list is
out of date. Each test finds its form afresh on its worker's world, on the page it was
found on.
"""

from __future__ import annotations

import io
import json
import re
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from sqlalchemy import delete, event, insert, select, update

from app.accounts import services as accounts
from app.accounts.mails import unsubscribe_token
from app.accounts.models import User
from app.amendments import services as amendment_services
from app.comments import services as comments
from app.core.database import utcnow
from app.core.extensions import db
from app.notifications import fanout, follows
from app.proposals import lifecycle as lc
from app.proposals import participation, services
from app.proposals.models import Proposal, Topic
from tests.support.forms import login
from tests.support.proposals import CONTENT, PATHS

PASSWORD = "correct horse battery"
# Who crawls: together they see every form the app has.
ROLES = ("visitor", "proposer", "secretary")
# Pages whose links lead nowhere a form lives.
NOT_CRAWLED = ("/static/", "/api/", "/feeds/", "/healthz")
# Files, not pages: no forms in them, and a PDF is slow to make.
NOT_CRAWLED_KINDS = (".pdf", ".csv")


# --- the world ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    id: int
    email: str
    name: str
    password: str = PASSWORD


@dataclass
class World:
    """The people, proposals and comments the sweep acts on, by name. Pages are recorded
    with names in place of ids ("/proposals/{their_draft}"), so a form found in one world
    is found again in another."""

    people: dict[str, Person]
    ids: dict[str, int]
    token: str
    unsubscribe: str = ""  # the link in a mail to the citizen
    # Other links from mail, by name: a registration's confirmation, an email change's.
    links: dict[str, str] = field(default_factory=dict)

    def url(self, template: str) -> str:
        return template.format_map(
            {**self.ids, "token": self.token, "unsubscribe": self.unsubscribe, **self.links}
        )

    def template(self, url: str) -> str:
        names = {(self._kind(name), number): name for name, number in self.ids.items()}

        def name(match: re.Match) -> str:
            found = names.get((match[1], int(match[2])))
            return f"/{match[1]}/{{{found}}}" if found else match[0]

        url = re.sub(r"/(proposals|comments|amendments)/(\d+)(?=/|$|\?|#)", name, url)
        url = url.replace(self.token, "{token}")
        for link_name, token in self.links.items():
            url = url.replace(token, f"{{{link_name}}}")
        return url.replace(self.unsubscribe, "{unsubscribe}") if self.unsubscribe else url

    @staticmethod
    def _kind(name: str) -> str:
        if name.startswith("a_"):
            return "amendments"
        return "comments" if name.startswith("c_") else "proposals"


def build_world(app) -> World:
    """Proposals in every state of the lifecycle, with comments, an invitation, topics, a
    reset link, likes, a support, a stance and an outcome: enough for every form to show.

    Built through the services, walking the same PATHS as the `make_proposal` fixture; the
    fixture itself is function-scoped, and this world is built once per worker."""
    now = utcnow()
    with app.app_context():
        users: dict[str, User] = {}
        for key, name, roles in [
            ("secretary", "Karen Holm", {"member", "secretariat"}),
            ("proposer", "Ole Olsen", {"member"}),
            ("other", "Anne Andersen", {"member"}),
            ("invitee", "Ivan Iversen", {"member"}),
            ("outsider", "Ulla Ulriksen", {"member"}),
            ("citizen", "Carl Carlsen", set()),
        ]:
            users[key] = accounts.create_user(
                email=f"{key}@example.org", name=name, password=PASSWORD, roles=roles, now=now
            )
        topic = Topic(name="Landdistrikter")
        db.session.add_all([topic, Topic(name="Velfærd"), Topic(name="Gamle sager", retired=True)])
        db.session.flush()

        made: dict[str, Proposal] = {}

        def proposal(name: str, state: str, author: str) -> Proposal:
            walked = lc.SUPPORT if state in (lc.CATALOGUE, lc.LAPSED, lc.RETIRED) else state
            content = services.Content(topic_id=topic.id, **CONTENT)
            made[name] = services.create(users[author], content, now=now)
            for target, who in PATHS[walked]:
                actor = users[author] if who == "author" else users["secretary"]
                services.transition(actor, made[name], target, reason="Fordi.", now=now)
            made[name].state = state  # catalogue, lapsed and retired are set directly
            return made[name]

        for state in lc.STATES:
            proposal(f"mine_{state}", state, "proposer")
        for name, state in [
            ("their_draft", lc.DRAFT),  # the proposer is invited to it
            ("their_hidden_draft", lc.DRAFT),
            ("their_submitted", lc.SUBMITTED),
            ("their_commented", lc.HEARING),  # sent back to submitted below
            ("their_support", lc.SUPPORT),
            ("their_supported", lc.SUPPORT),
            ("their_catalogue", lc.CATALOGUE),
            ("their_hearing", lc.HEARING),  # the proposer may amend it
            ("their_amended", lc.HEARING),  # the proposer has amended it
        ]:
            proposal(name, state, "other")
        db.session.flush()

        me, other, staff = users["proposer"], users["other"], users["secretary"]
        hearing = made["mine_hearing"]
        hearing.hearing_ends_at = now + timedelta(days=3)  # on the console's list
        made["mine_support"].support_deadline = now + timedelta(days=3)
        services.edit(
            me,
            made["mine_revision"],
            services.Content(topic_id=topic.id, **{**CONTENT, "body": "En ny tekst."}),
            now=now,
        )
        services.invite(me, made["mine_draft"], other.email, now=now)
        services.invite(other, made["their_draft"], me.email, now=now)
        participation.add_support(me, made["their_supported"], now=now)
        participation.like(me, made["their_catalogue"], now=now)
        participation.set_stance(other, made["their_catalogue"], "for", now=now)
        services.add_outcome(
            staff, made["mine_catalogue"], on=now.date(), text="Vedtaget.", now=now
        )

        said = {}
        for name, author in [
            ("c_theirs", other),
            ("c_mine", me),
            ("c_liked", other),
            ("c_flagged", other),
            ("c_hidden", other),
        ]:
            said[name] = comments.add_comment(author, hearing, f"Kommentar {name}.", now=now)
        said["c_reply"] = comments.add_comment(
            other, hearing, "Et svar.", parent_id=said["c_mine"].id, now=now
        )
        comments.like_comment(me, said["c_liked"], hearing, now=now)
        comments.flag_comment(users["citizen"], said["c_flagged"], "Personangreb", now=now)
        comments.hide_comment(staff, said["c_hidden"], hearing, "Udenfor emnet", now=now)
        said["c_private"] = comments.add_comment(
            other, made["their_commented"], "Skrevet i høringen.", now=now
        )
        made["their_commented"].state = lc.SUBMITTED
        # A hearing response on the proposal in revision, as the hearing left it: the form
        # its proposer answers it with.
        revision = made["mine_revision"]
        revision.state = lc.HEARING
        said["c_response"] = comments.add_comment(other, revision, "Et høringssvar.", now=now)
        revision.state = lc.REVISION

        # Amendments: the proposer's own (to edit and withdraw), another's (to back), one on
        # the proposer's proposal in revision (to decide), and a minority amendment in the
        # catalogue (to state a stance on).
        def amendment(name: str, author: str, on: str) -> None:
            proposal = made[on]
            state, proposal.state = proposal.state, lc.HEARING
            text = {**amendment_services.hearing_text(proposal), "drawbacks": f"Ændret: {name}."}
            said[name] = amendment_services.file(users[author], proposal, text, "Fordi.", now=now)
            proposal.state = state

        amendment("a_mine", "proposer", "their_amended")
        amendment("a_theirs", "outsider", "their_amended")
        amendment("a_to_decide", "other", "mine_revision")
        amendment("a_minority", "other", "mine_catalogue")
        said["a_minority"].state = lc.DECIDED
        said["a_minority"].verdict = lc.NOT_ADOPTED
        said["a_minority"].minority = True

        follows.follow_topic(users["proposer"], topic, now=now)
        registered = accounts.register(
            email="registering@example.org",
            name="Rita Registrerer",
            password=PASSWORD,
            now=now,
            language="da",
            valid_for=timedelta(days=3),
            reset_valid_for=timedelta(days=1),
        )
        moving = accounts.request_email_change(
            users["citizen"], PASSWORD, "moving@example.org", now=now
        )
        # After the email change was asked for, which ends the reset links sent before.
        _, token = accounts.issue_reset_token(
            users["citizen"].email, now=now, valid_for=timedelta(days=1)
        )
        db.session.commit()
        # What happened becomes notifications, so their list and its forms are there.
        fanout.process_events(now)
        return World(
            people={k: Person(u.id, u.email, u.name) for k, u in users.items()},
            ids={**{k: p.id for k, p in made.items()}, **{k: c.id for k, c in said.items()}},
            token=token,
            unsubscribe=unsubscribe_token(users["citizen"]),
            links={"confirm": registered.token, "email_change": moving},
        )


# --- reading forms -----------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # an input's type, "textarea", "select" or "button"
    default: str
    options: tuple[str, ...] = ()
    label: str = ""


@dataclass(frozen=True)
class Form:
    method: str
    action: str  # as found; in a discovery, with names in place of ids
    enctype: str
    fields: tuple[Field, ...]
    has_token: bool
    role: str = ""
    page: str = ""  # where it was found, with names in place of ids
    endpoint: str = ""

    @property
    def pattern(self) -> str:
        """The action with every id replaced: forms that differ only there are one form."""
        path = urlsplit(self.action).path
        path = path.replace("{token}", "<token>").replace("{unsubscribe}", "<token>")
        return re.sub(r"\{\w+\}|(?<=/)\d+(?=/|$)", "<id>", path)

    @property
    def key(self) -> str:
        names = ",".join(sorted(f.name for f in self.fields))
        return f"{self.method} {self.pattern} [{names}]"

    @property
    def looks(self) -> tuple:
        """What a person sees of the form: its fields with their kinds and labels. Two
        forms that look alike and post alike are one form, wherever they post to (a new
        proposal and an existing one are written in the same form)."""
        return self.method, tuple(sorted((f.name, f.kind, f.label) for f in self.fields))

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)


class _PageParser(HTMLParser):
    """Every <form> of a page with its fields and their default values, and every link."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self.links: list[str] = []
        self._form: dict | None = None
        self._text: list[str] | None = None  # inside a <textarea> or an <option>
        self._textarea: str | None = None
        self._select: dict | None = None
        self._option: dict | None = None
        self._label: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = {name: "" if value is None else value for name, value in attrs}
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
        elif tag == "form":
            self._form = {
                "method": (a.get("method") or "get").upper(),
                "action": a.get("action", ""),
                "enctype": a.get("enctype", ""),
                "fields": {},  # name -> [kind, default, options]
                "elements": {},  # name -> the id of its first element (or its name)
                "labels": {},  # an element's id -> its label's text
            }
        elif self._form is None:
            return
        elif tag == "label":
            self._label = {"for": a.get("for"), "text": [], "inside": None}
        if self._form is None or tag not in ("input", "textarea", "select", "option", "button"):
            return
        if tag in ("input", "textarea", "select") and a.get("name"):
            element = a.get("id") or a["name"]
            self._form["elements"].setdefault(a["name"], element)
            if self._label is not None and self._label["inside"] is None:
                self._label["inside"] = element
        if tag == "input":
            self._input(a)
        elif tag == "textarea":
            self._textarea, self._text = a.get("name", ""), []
        elif tag == "select":
            self._select = {"name": a.get("name", ""), "options": [], "selected": None}
        elif tag == "option" and self._select is not None:
            self._option, self._text = {"value": a.get("value"), "selected": "selected" in a}, []
        elif tag == "button" and a.get("name") and a.get("type", "submit") == "submit":
            self._add(a["name"], "button", a.get("value", ""))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def _input(self, a: dict) -> None:
        kind, name, value = a.get("type", "text").lower(), a.get("name"), a.get("value", "")
        if not name or kind in ("reset", "image", "button"):
            return
        if kind == "checkbox":
            if "checked" in a:
                self._add(name, kind, value or "on")
        elif kind == "radio":
            self._add(name, kind, value, checked="checked" in a)
        else:
            self._add(name, kind, value)

    def _add(self, name: str, kind: str, value: str, *, checked: bool = False) -> None:
        fields = self._form["fields"]
        if name not in fields:
            fields[name] = [kind, value, [value]]
        else:  # a radio group, or several buttons of one name
            fields[name][2].append(value)
            if checked:
                fields[name][1] = value

    def handle_data(self, data):
        if self._text is not None:
            self._text.append(data)
        if self._label is not None:
            self._label["text"].append(data)

    def handle_endtag(self, tag):
        if tag == "label" and self._label is not None:
            target = self._label["for"] or self._label["inside"]
            text = " ".join("".join(self._label["text"]).split())
            self._form["labels"].setdefault(target, text)
            self._label = None
        elif tag == "textarea" and self._textarea is not None:
            text = "".join(self._text)
            # As a browser does: a newline right after <textarea> is not part of the value.
            text = text[2:] if text.startswith("\r\n") else text.removeprefix("\n")
            self._add(self._textarea, "textarea", text)
            self._textarea = self._text = None
        elif tag == "option" and self._option is not None:
            value = self._option["value"]
            value = "".join(self._text).strip() if value is None else value
            self._select["options"].append(value)
            if self._option["selected"]:
                self._select["selected"] = value
            self._option = self._text = None
        elif tag == "select" and self._select is not None:
            options = self._select["options"]
            default = self._select["selected"]
            default = default if default is not None else (options[0] if options else "")
            self._add(self._select["name"], "select", default)
            self._form["fields"][self._select["name"]][2] = list(options)
            self._select = None
        elif tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None


def read_page(html: str, url: str) -> tuple[list[Form], list[str]]:
    """The forms of a page (actions resolved against `url`) and its links."""
    parser = _PageParser()
    parser.feed(html)
    parser.close()
    forms = []
    for raw in parser.forms:
        token = raw["fields"].pop("csrf_token", None) is not None
        action = urljoin(url, raw["action"]).split("#")[0] if raw["action"] else url
        labels = {name: raw["labels"].get(element, "") for name, element in raw["elements"].items()}
        forms.append(
            Form(
                method=raw["method"],
                action=_local(action),
                enctype=raw["enctype"] or "application/x-www-form-urlencoded",
                fields=tuple(
                    Field(name, kind, default, tuple(options), labels.get(name, ""))
                    for name, (kind, default, options) in raw["fields"].items()
                ),
                has_token=token,
            )
        )
    return forms, parser.links


def _local(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def crawl(client, seeds: tuple[str, ...] = ("/",), limit: int = 300):
    """Follow the site's links from `seeds`, each path once; yield (url, forms)."""
    queue, seen = list(seeds), set()
    while queue and len(seen) < limit:
        url = queue.pop(0)
        path = urlsplit(url).path
        if path in seen or path.startswith(NOT_CRAWLED) or path.endswith(NOT_CRAWLED_KINDS):
            continue
        seen.add(path)
        response = client.get(url)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        forms, links = read_page(response.get_data(as_text=True), url)
        yield url, forms
        for link in links:
            target = urljoin(url, link).split("#")[0]
            parts = urlsplit(target)
            if not parts.scheme and not parts.netloc and target.startswith("/"):
                queue.append(target)


def client_as(app, world: World, role: str):
    client = app.test_client()
    if role != "visitor":
        login(client, world.people[role])
    return client


@dataclass
class Discovery:
    forms: list[Form] = field(default_factory=list)  # one of each distinct form
    fields: list[tuple[Form, str]] = field(default_factory=list)  # each distinct field once
    pages: list[str] = field(default_factory=list)  # "role url" of every page crawled
    posted: list[str] = field(default_factory=list)  # the endpoints that take a POST
    id_rules: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)  # with an <int:…>
    error: str | None = None

    def describe(self) -> str:
        lines = [f"{len(self.pages)} pages crawled, {len(self.forms)} distinct forms:"]
        lines += [f"  {form.key}  (as {form.role} on {form.page})" for form in self.forms]
        return "\n".join(lines)


def discover_in(app, world: World) -> Discovery:
    """Crawl as each role and keep each distinct form, and each distinct field, once."""
    found = Discovery()
    rules = app.url_map.iter_rules()
    for rule in sorted(rules, key=lambda r: r.rule):
        methods = tuple(sorted(rule.methods - {"HEAD", "OPTIONS"}))
        if "POST" in methods:
            found.posted.append(rule.endpoint)
        if "<int:" in rule.rule:
            found.id_rules.append((rule.rule, methods))
    urls = app.url_map.bind("localhost")
    fields_seen: set[tuple[str, str, str]] = set()
    keys: set[str] = set()
    for role in ROLES:
        client = client_as(app, world, role)
        seeds = (
            (
                "/",
                "/password/reset/{token}",
                "/unsubscribe/{unsubscribe}",
                "/register/confirm/{confirm}",
                "/account/email/{email_change}",
            )
            if role == "visitor"
            else ("/",)
        )
        for url, forms in crawl(client, tuple(world.url(seed) for seed in seeds)):
            found.pages.append(f"{role} {url}")
            for form in forms:
                form = Form(
                    form.method,
                    world.template(form.action),
                    form.enctype,
                    form.fields,
                    form.has_token,
                    role=role,
                    page=world.template(url),
                    endpoint=urls.match(urlsplit(form.action).path, method=form.method)[0],
                )
                if form.key in keys:
                    continue
                keys.add(form.key)
                found.forms.append(form)
    # Each field once, in the form with the fewest fields that carries it: the one where
    # least else happens when a value is accepted. Forms that look alike are one form.
    looks_seen: set[tuple] = set()
    for form in sorted(found.forms, key=lambda form: len(form.fields)):
        if form.fields and form.looks in looks_seen:
            continue
        looks_seen.add(form.looks)
        for f in form.fields:
            if (form.method, form.pattern, f.name) not in fields_seen:
                fields_seen.add((form.method, form.pattern, f.name))
                found.fields.append((form, f.name))
    found.fields.sort(key=lambda pair: found.forms.index(pair[0]))
    return found


# The forms the sweep sends hostile values to, as the crawl last found them: committed, so
# that no test process crawls while pytest collects. `make forms` crawls again and writes
# it; tests/test_hostile_sweep.py's discovery test crawls and fails when it differs.
FOUND = Path(__file__).with_name("forms.json")
# Fields whose values are the day or the time of the crawl.
TIMES = ("date", "datetime-local", "time", "month", "week")


def discover() -> Discovery:
    """The forms as the committed list has them (`make forms` writes it again)."""
    if not FOUND.exists():
        return Discovery(error=f"{FOUND} is missing: run make forms")
    return from_json(json.loads(FOUND.read_text(encoding="utf-8")))


def to_json(found: Discovery) -> dict:
    """A discovery as plain data: forms in order, fields by their form's place (not the
    pages crawled, whose links hold tokens made anew each time)."""
    forms = [asdict(form) for form in found.forms]
    for form in forms:
        for f in form["fields"]:
            if f["kind"] in TIMES:  # today's date, a hearing's default end: not kept
                f["default"], f["options"] = "", ()
    return {
        "forms": forms,
        "fields": [[found.forms.index(form), name] for form, name in found.fields],
        "posted": sorted(found.posted),
        "id_rules": [[rule, list(methods)] for rule, methods in found.id_rules],
    }


def from_json(data: dict) -> Discovery:
    forms = [
        Form(
            **{
                **form,
                "fields": tuple(
                    Field(**{**f, "options": tuple(f["options"])}) for f in form["fields"]
                ),
            }
        )  # fmt: skip
        for form in data["forms"]
    ]
    return Discovery(
        forms=forms,
        fields=[(forms[index], name) for index, name in data["fields"]],
        posted=data["posted"],
        id_rules=[(rule, tuple(methods)) for rule, methods in data["id_rules"]],
    )


def write_found() -> Discovery:
    """Crawl the app and write what it found to FOUND (make forms)."""
    found = crawl_for_forms()
    if found.error is not None:
        raise SystemExit(found.error)
    FOUND.write_text(json.dumps(to_json(found), indent=1, ensure_ascii=False) + "\n")
    return found


def crawl_for_forms() -> Discovery:
    """Discover the forms by crawling a throwaway app and database as every role."""
    from app import create_app

    try:
        with tempfile.TemporaryDirectory() as folder:
            app = create_app(
                {
                    "TESTING": True,
                    "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(folder) / 'discovery.db'}",
                    "SECRET_KEY": "sweep-discovery",
                    "INSTANCE_PATH": folder,
                    "MAIL_URL": "console",
                    "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
                    "PAGE_CACHE_SECONDS": 0,
                    "RATELIMIT_ENABLED": False,
                }
            )
            from tests.plugins.database import COMPILED_TEMPLATES

            app.jinja_env.bytecode_cache = COMPILED_TEMPLATES  # compiled once per process
            with app.app_context():
                # Through the migrations: the search index (SQLite's FTS5) is made only there.
                import flask_migrate

                flask_migrate.upgrade()
            try:
                return discover_in(app, build_world(app))
            finally:
                with app.app_context():
                    db.engine.dispose()
    except Exception as error:  # reported by the discovery test, not as a collection error
        import traceback

        return Discovery(error="".join(traceback.format_exception(error)))


# --- submitting forms ----------------------------------------------------------------------

_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')

# Valid values for fields a form shows empty; the rest keep what the page filled in.
FILL = {
    "name": "Lærke Bech",
    "password": PASSWORD,
    "title": CONTENT["title"],
    "summary": CONTENT["summary"],
    "body": "En kommentar med **fed** tekst.",
    "reason": "Fordi.",
    "text": "Vedtaget som forsøg.",
    "csv": "ny@example.org;Ny Person",
}


def valid_data(form: Form, world: World, serial: int = 0) -> dict[str, str]:
    """What a person filling in `form` correctly sends (no file is chosen); `serial` makes
    a new account's address new."""
    people = world.people
    emails = {
        "/register": f"ny.person.{serial}@example.org",
        "/login": people["citizen"].email,
        "/password/reset": people["citizen"].email,
        "/proposals/<id>/proposers": people["invitee"].email,
    }
    data = {}
    for f in form.fields:
        if f.kind == "file":
            continue
        value = f.default
        if f.kind == "select" and not value:
            value = next((option for option in f.options if option), "")
        if not value:
            value = emails.get(form.pattern, "") if f.name == "email" else FILL.get(f.name, "")
        data[f.name] = value
    return data


class Browser:
    """A test client signed in as one role, holding its session's CSRF token."""

    def __init__(self, app, world: World, role: str) -> None:
        self.world, self.role = world, role
        self.client = client_as(app, world, role)
        self.cookie = app.config["SESSION_COOKIE_NAME"]
        self.token = ""

    def visit(self, url: str) -> str:
        """GET a page that must be there, and keep the CSRF token it hands out."""
        response = self.client.get(url)
        assert response.status_code == 200, f"{url} as {self.role}: {response.status_code}"
        html = response.get_data(as_text=True)
        token = _TOKEN.search(html)
        self.token = token[1] if token else self.token
        return html

    def find(self, found: Form) -> Form:
        """`found` as its page shows it in this world now: real ids, current defaults."""
        url = self.world.url(found.page)
        forms, _ = read_page(self.visit(url), url)
        for form in forms:
            named = Form(
                form.method, self.world.template(form.action), form.enctype, form.fields, True
            )
            if named.key == found.key:
                return form
        keys = "\n".join(f.key for f in forms)
        raise AssertionError(f"{found.key} is no longer on {url} as {self.role}; it has:\n{keys}")

    def submit(self, form: Form, data: dict, *, token: str | None = None):
        """Send `data` as the form does, with the session's CSRF token unless `token` is
        given ("" sends none)."""
        if form.method == "GET":
            return self.client.get(form.action, query_string=data)
        payload: dict = dict(data)
        token = self.token if token is None else token
        if form.has_token and token:
            payload["csrf_token"] = token
        for f in form.fields:
            content = payload.get(f.name)
            if f.kind == "file" and isinstance(content, str | bytes):
                content = content.encode() if isinstance(content, str) else content
                payload[f.name] = (io.BytesIO(content), "medlemmer.csv")
        if "multipart" in form.enctype:
            return self.client.post(form.action, data=payload, content_type="multipart/form-data")
        return self.client.post(form.action, data=payload)

    @property
    def session(self) -> str | None:
        cookie = self.client.get_cookie(self.cookie)
        return cookie.value if cookie else None

    @session.setter
    def session(self, value: str | None) -> None:
        if value is None:
            self.client.delete_cookie(self.cookie)
        else:
            self.client.set_cookie(self.cookie, value)


# The ids of what the `outsider` member may not see: private proposals of someone else, and
# a comment on such a proposal.
FOREIGN = {
    "proposals": ("their_submitted", "their_hidden_draft"),
    "comments": ("c_private",),
}


class Site:
    """The sweep's app, world and database, shared by the tests of one worker."""

    def __init__(self, app, world: World) -> None:
        self.app, self.world = app, world
        self.rows = Rows(app)
        self._browsers: dict[str, Browser] = {}

    def browser(self, role: str, *, fresh: bool = False) -> Browser:
        """A signed-in client for `role`, one per test unless `fresh`."""
        if fresh:
            return Browser(self.app, self.world, role)
        if role not in self._browsers:
            self._browsers[role] = Browser(self.app, self.world, role)
        return self._browsers[role]

    def proposal_page(self, action: str) -> str:
        """The page of the proposal an action acts on (for a comment: its proposal's)."""
        kind, number = re.match(r"/(proposals|comments)/(\d+)", action).groups()
        if kind == "comments":
            number = self.rows.value("comments", int(number), "proposal_id")
        return f"/proposals/{number}"

    def reset(self) -> Restored:
        """Forget this test's clients and put every table back as the world was built."""
        self._browsers.clear()
        return self.rows.restore()


# --- the database, read and put back directly --------------------------------------------


@dataclass
class Restored:
    changed: list[str]  # tables that differed from the snapshot
    lost: list[str]  # "table #id" of rows the snapshot had and the database no longer did


class Rows:
    """The sweep's database read and written outside the app's session: a snapshot of
    every row, and putting tables back as the snapshot has them."""

    def __init__(self, app) -> None:
        with app.app_context():
            self.engine = db.engine
        self.tables = list(db.metadata.sorted_tables)
        assert all(list(t.primary_key.columns.keys()) == ["id"] for t in self.tables)
        self.log = WriteLog(self.engine)
        self.snapshot = self._read_all()
        self.kept: dict[str, set[int]] = {}  # rows added and left in place on purpose

    def _read_all(self) -> dict[str, dict[int, tuple]]:
        with self.engine.connect() as conn:
            return {t.name: self._read(conn, t) for t in self.tables}

    @staticmethod
    def _read(conn, table) -> dict[int, tuple]:
        return {row.id: tuple(row) for row in conn.execute(select(table))}

    def restore(self, written=None, *, keep=frozenset()) -> Restored:
        """Put back the tables in `written` (table -> SQL verbs; default: every table, and
        then no row is kept) as the snapshot has them. The rows just added to the tables
        in `keep` stay, with those kept before, until a restore of every table."""
        if written is None or "*" in written:
            written, keep = {t.name: {"UPDATE"} for t in self.tables}, frozenset()
            self.kept = {}
        full = [t for t in self.tables if written.get(t.name, {"INSERT"}) != {"INSERT"}]
        changed, lost = [], []
        self.log.paused = True
        try:
            with self.engine.begin() as conn:
                now = {t.name: self._read(conn, t) for t in full}
                for table in reversed(self.tables):
                    if table.name in written and self._drop_added(conn, table, now, keep):
                        changed.append(table.name)
                for table in full:
                    was, current = self.snapshot[table.name], now[table.name]
                    names = list(table.columns.keys())
                    for row_id, row in was.items():
                        if row_id not in current:
                            lost.append(f"{table.name} #{row_id}")
                            conn.execute(insert(table).values(dict(zip(names, row, strict=True))))
                        elif current[row_id] != row:
                            values = {
                                name: old
                                for name, old, new in zip(names, row, current[row_id], strict=True)
                                if old != new
                            }
                            conn.execute(update(table).where(table.c.id == row_id).values(values))
                        else:
                            continue
                        if table.name not in changed:
                            changed.append(table.name)
        finally:
            self.log.paused = False
            self.log.clear()
        return Restored(changed, lost)

    def _drop_added(self, conn, table, now, keep) -> bool:
        """Delete the rows added to `table` since the snapshot, except those kept (or, if
        it is in `keep`, keep them too); whether any were deleted."""
        kept = self.kept.setdefault(table.name, set())
        # Ids only grow: what was added after the newest row kept so far is new.
        newest = max([*self.snapshot[table.name], *kept], default=0)
        if table.name in keep:
            kept.update(conn.scalars(select(table.c.id).where(table.c.id > newest)))
            return False
        if table.name in now:
            added = [i for i in now[table.name] if i not in self.snapshot[table.name]]
            added = [i for i in added if i not in kept]
            if added:
                conn.execute(delete(table).where(table.c.id.in_(added)))
            return bool(added)
        return bool(conn.execute(delete(table).where(table.c.id > newest)).rowcount)

    def value(self, table: str, row_id: int, column: str):
        """A column of a row as the snapshot has it."""
        names = [t for t in self.tables if t.name == table][0].columns.keys()
        return self.snapshot[table][row_id][list(names).index(column)]


_WRITE = re.compile(
    r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\s+(?:OR\s+\w+\s+)?(?:INTO\s+|FROM\s+)?\"?(\w+)",
    re.IGNORECASE,
)


class WriteLog:
    """The tables the app wrote to since `clear()`, with the verbs, seen in the SQL it
    sends: a request that wrote nothing changed nothing, and one that wrote is checked
    table by table."""

    def __init__(self, engine) -> None:
        self.tables: dict[str, set[str]] = {}
        self.paused = False
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, _conn, _cursor, statement, *_args) -> None:
        if self.paused or statement.lstrip()[:6].upper() not in _WRITE_VERBS:
            return
        match = _WRITE.match(statement)
        if match is None:  # a statement this log cannot read: check every table
            self.tables["*"] = {"UPDATE"}
        else:
            self.tables.setdefault(match[2], set()).add(match[1].upper())

    def clear(self) -> None:
        self.tables = {}


_WRITE_VERBS = ("INSERT", "UPDATE", "DELETE", "REPLACE", "WITH")


if __name__ == "__main__":  # make forms
    print(write_found().describe())
