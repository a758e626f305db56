"""Reading every page a person can GET, to show that some words appear on none of them.

The addresses come from three places, so that a new page is read without being listed here:
the URL map (every GET rule, its ids filled from the database and each `<any(...)>` value
taken), the OpenAPI description (every documented path, and each value of a parameter that
has a list of them), and the links of the pages read (followed to a limit, query strings
included). A rule whose parts cannot be filled is reported, not skipped: add how to fill it.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from itertools import product
from urllib.parse import urlencode, urljoin, urlsplit

from sqlalchemy import select
from werkzeug.routing import AnyConverter

from app.core.extensions import db
from tests.support.sweep import read_page

# Parts of a URL that need a secret the reader does not have (a reset link, an unsubscribe
# link): such pages say nothing about anyone else.
SECRET_PARTS = {"token"}
NOT_READ = ("/static/",)


@dataclass
class Found:
    pages: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _values(app) -> dict[str, list]:
    """What each kind of URL part can be, from the database."""
    from app.amendments.models import Amendment
    from app.comments.models import Comment
    from app.core.editing import Save
    from app.proposals.models import Proposal, Topic

    with app.app_context():
        return {
            "proposal_id": db.session.scalars(select(Proposal.id)).all(),
            "comment_id": db.session.scalars(select(Comment.id)).all(),
            "amendment_id": db.session.scalars(select(Amendment.id)).all(),
            "topic_id": db.session.scalars(select(Topic.id)).all(),
            "revision": sorted(set(db.session.scalars(select(Save.revision)).all())),
            "id": db.session.scalars(select(Proposal.id)).all(),
        }


def map_urls(app, values: dict[str, list]) -> tuple[list[str], list[str]]:
    """Every GET address of the URL map with its parts filled; and the rules that could not
    be filled."""
    urls, unfilled = [], []
    adapter = app.url_map.bind("localhost")
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.rule.startswith(NOT_READ):
            continue
        arguments = sorted(rule.arguments)
        if SECRET_PARTS & set(arguments):
            continue
        choices = []
        for name in arguments:
            converter = rule._converters.get(name)
            if isinstance(converter, AnyConverter):
                choices.append([(name, item) for item in sorted(converter.items)])
            elif name in values:
                choices.append([(name, value) for value in values[name]])
            else:
                unfilled.append(f"{rule.rule}: no values for <{name}>")
                break
        else:
            for combination in product(*choices):
                urls.append(adapter.build(rule.endpoint, dict(combination)))
    return urls, unfilled


def openapi_urls(client, values: dict[str, list]) -> list[str]:
    """Every path the API documents, its ids filled and each listed parameter value taken."""
    description = client.get("/api/v1/openapi.json").json
    base = urlsplit(description.get("servers", [{}])[0].get("url", "")).path.rstrip("/")
    urls = []
    for path, operations in description["paths"].items():
        operation = operations.get("get")
        if operation is None:
            continue
        full = path if path.startswith(base or "/api/") else base + path
        names = re.findall(r"\{(\w+)\}", full)
        for combination in product(*[values.get(name, [1]) for name in names]):
            filled = full
            for name, value in zip(names, combination, strict=True):
                filled = filled.replace(f"{{{name}}}", str(value))
            urls.append(filled)
            for parameter in operation.get("parameters", []):
                if parameter.get("in") != "query":
                    continue
                for choice in parameter.get("schema", {}).get("enum", []):
                    urls.append(f"{filled}?{urlencode({parameter['name']: choice})}")
    return urls


def _links(response, url: str) -> list[str]:
    if response.status_code in (301, 302, 303, 307, 308):
        return [response.headers.get("Location", "")]
    if response.mimetype == "text/html":
        return read_page(response.get_data(as_text=True), url)[1]
    if response.is_json:
        text = response.get_data(as_text=True)
        return re.findall(r'"(http://localhost/[^"]*)"', text)
    if response.mimetype == "application/atom+xml":
        return re.findall(r'href="(http://localhost/[^"]*)"', response.get_data(as_text=True))
    return []


def _forms(secret: str) -> set[str]:
    """The ways a text can be written on a page: as is, escaped for HTML, or for JSON."""
    return {secret, html.escape(secret), json.dumps(secret)[1:-1]}


def sweep(app, client, secrets: dict[str, str], *, limit: int = 1500) -> Found:
    """GET every address `client` can reach (see the module docstring) and report each page
    that contains one of `secrets` (text -> what it is), and any 500."""
    found = Found()
    values = _values(app)
    urls, found.problems = map_urls(app, values)
    states = ("draft", "submitted", "hearing", "revision", "support", "catalogue", "withdrawn")
    states += ("rejected", "lapsed", "retired")
    feeds = [f"/feeds/proposals.atom?state={state}" for state in states]
    queue = urls + openapi_urls(client, values) + feeds
    seen: set[str] = set()
    while queue and len(seen) < limit:
        url = queue.pop(0)
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost") or parts.path.startswith(NOT_READ):
            continue
        if parts.path.endswith(".pdf"):
            continue  # printed from the pages read here (and slow to make): not text to search
        local = parts.path + (f"?{parts.query}" if parts.query else "")
        if local in seen:
            continue
        seen.add(local)
        response = client.get(local)
        found.pages.append(local)
        if response.status_code >= 500:
            found.problems.append(f"{local}: {response.status_code}")
        body = response.get_data(as_text=True)
        for secret, what in secrets.items():
            if any(form in body for form in _forms(secret)):
                found.problems.append(f"{local} shows {what} ({secret!r})")
        for link in _links(response, local):
            target = urljoin(local, link).split("#")[0]
            if urlsplit(target).netloc in ("", "localhost"):
                queue.append(target)
    unread = {url for url in queue if urlsplit(url).path not in seen}
    if unread:
        found.problems.append(f"stopped after {limit} pages with {len(unread)} still to read")
    return found
