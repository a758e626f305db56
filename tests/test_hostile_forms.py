"""Every form of the app against hostile input: naughty strings, 1 MB values, empty and
missing fields, and missing or forged CSRF tokens. Never a 5xx; a refusal is a 4xx page
with a message and saves nothing; what is accepted is shown back escaped."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from app.accounts import services
from app.accounts.models import PasswordResetToken, User
from app.database import utcnow
from app.extensions import db
from tests.support.forms import csrf_token, text_of
from tests.support.naughty import naughty_strings

MEGABYTE = "x" * (1024 * 1024)


@dataclass
class FormCase:
    name: str
    path: str  # may contain {token}
    valid: dict[str, str]
    optional: set[str] = field(default_factory=set)


FORMS = [
    FormCase(
        "register",
        "/register",
        {"name": "Lærke Bech", "email": "laerke@example.org", "password": "en god adgangskode"},
    ),
    FormCase(
        "login",
        "/login",
        {"email": "laerke@example.org", "password": "en god adgangskode", "next": "/"},
        optional={"next"},
    ),
    FormCase("reset request", "/password/reset", {"email": "laerke@example.org"}),
    FormCase("reset password", "/password/reset/{token}", {"password": "en ny adgangskode"}),
    FormCase("language", "/language", {"lang": "en", "next": "/"}, optional={"next"}),
]

CASES = [(form, name) for form in FORMS for name in form.valid]
REQUIRED = [(form, name) for form, name in CASES if name not in form.optional]


def snapshot(app) -> tuple[int, int, list]:
    """What a refused submission must leave untouched."""
    with app.app_context():
        users = db.session.execute(
            select(User.email, User.name, User.password_hash).order_by(User.id)
        ).all()
        used = db.session.scalar(
            select(func.count())
            .select_from(PasswordResetToken)
            .where(PasswordResetToken.used_at.is_not(None))
        )
        return len(users), used, users


def fresh_token(app) -> str:
    with app.app_context():
        _, token = services.issue_reset_token(
            "existing@example.org", now=utcnow(), valid_for=timedelta(hours=1)
        )
        db.session.commit()
        return token


@pytest.fixture
def existing(make_user):
    return make_user(email="existing@example.org", name="Existing", password="existing password")


def submit(app, client, form: FormCase, data: dict[str, str], with_token: bool = True):
    path = form.path.format(token=fresh_token(app)) if "{token}" in form.path else form.path
    payload = dict(data)
    if with_token:
        # The session keeps one token; reading it once per client is what a browser does.
        if not hasattr(client, "form_token"):
            client.form_token = csrf_token(client)
        payload["csrf_token"] = client.form_token
    return client.post(path, data=payload)


def check_accepted_or_refused(app, client, form, field_name, value, before) -> None:
    response = submit(app, client, form, {**form.valid, field_name: value})
    status = response.status_code
    assert status < 500, f"{form.name}.{field_name} = {value!r} gave {status}"
    if status >= 400:
        page = text_of(response)
        assert "Der er et problem" in page or "<h1>" in page, page
        assert snapshot(app)[:2] == before[:2], f"{form.name}.{field_name} = {value!r} saved"
        return
    assert status == 303, status
    location = response.headers["Location"]
    assert location.startswith("/") and not location.startswith("//"), location
    if form.name == "register":
        if field_name == "name":
            assert str(escape(value.strip())) in text_of(client.get("/")), value
        client.post("/logout", data={"csrf_token": client.form_token})
        del client.form_token


@pytest.mark.parametrize(("form", "field_name"), CASES, ids=[f"{f.name}.{n}" for f, n in CASES])
def test_naughty_strings(app, client, existing, form, field_name):
    for i, value in enumerate(naughty_strings()):
        before = snapshot(app)
        if form.name == "register" and field_name != "email":
            # Each accepted registration needs an address of its own.
            form = FormCase(form.name, form.path, {**form.valid, "email": f"n{i}@example.org"})
        check_accepted_or_refused(app, client, form, field_name, value, before)


@pytest.mark.parametrize(("form", "field_name"), CASES, ids=[f"{f.name}.{n}" for f, n in CASES])
def test_one_megabyte_value_is_refused(app, client, existing, form, field_name):
    before = snapshot(app)
    response = submit(app, client, form, {**form.valid, field_name: MEGABYTE})
    assert 400 <= response.status_code < 500
    assert "<h1>" in text_of(response)
    assert snapshot(app) == before


@pytest.mark.parametrize(
    ("form", "field_name"), REQUIRED, ids=[f"{f.name}.{n}" for f, n in REQUIRED]
)
@pytest.mark.parametrize("how", ["empty", "missing"])
def test_empty_or_missing_required_field(app, client, existing, form, field_name, how):
    data = dict(form.valid)
    if how == "empty":
        data[field_name] = ""
    else:
        del data[field_name]
    before = snapshot(app)
    response = submit(app, client, form, data)
    assert 400 <= response.status_code < 500
    page = text_of(response)
    assert "Feltet skal udfyldes." in page or "Vælg et af sprogene" in page
    assert snapshot(app) == before


# The language switch alone takes no token (app/main/views.py says why).
GUARDED = [form for form in FORMS if form.name != "language"]


@pytest.mark.parametrize("form", GUARDED, ids=[f.name for f in GUARDED])
@pytest.mark.parametrize("token", [None, "", "forged-token", MEGABYTE[:5000]])
def test_missing_or_forged_csrf_token(app, client, existing, form, token):
    before = snapshot(app)
    data = dict(form.valid)
    if token is not None:
        data["csrf_token"] = token
    csrf_token(client)  # the session has a real token; the form does not carry it
    response = submit(app, client, form, data, with_token=False)
    assert response.status_code == 400
    assert "Formularen var udløbet" in text_of(response)
    assert snapshot(app) == before
