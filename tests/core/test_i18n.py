"""Danish by default and complete; English on request; the switch needs no JavaScript."""

import subprocess
import sys

from babel.messages.pofile import read_po

from tests.support import ROOT
from tests.support.forms import csrf_token, post_form, text_of

DANISH_PO = ROOT / "app/translations/da/LC_MESSAGES/messages.po"


def test_danish_catalogue_covers_every_message_in_the_code(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "-q",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
    )
    extracted = {m.id for m in read_po(pot.open("rb")) if m.id}
    danish = read_po(DANISH_PO.open("rb"), locale="da")
    translated = {
        m.id for m in danish if m.id and m.string and all(m.string) and "fuzzy" not in m.flags
    }
    missing = sorted(str(i) for i in extracted - translated)
    assert not missing, "untranslated (run `make messages`, then translate):\n" + "\n".join(missing)


def test_danish_translations_keep_their_placeholders():
    import re

    placeholder = re.compile(r"%\(\w+\)[sd]")
    for message in read_po(DANISH_PO.open("rb"), locale="da"):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = sorted(set(placeholder.findall(ids[-1])))
        for string in strings:
            assert sorted(set(placeholder.findall(string))) == expected, message.id


def test_switch_to_english_and_back(client):
    assert '<html lang="da">' in text_of(client.get("/register"))
    response = client.post("/language", data={"lang": "en", "next": "/register"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/register"
    html = text_of(client.get("/register"))
    assert '<html lang="en">' in html and "Create account" in html and "Dansk" in html

    response = client.post("/language", data={"lang": "da", "next": "/"})
    html = text_of(client.get("/"))
    assert '<html lang="da">' in html and "English" in html


def test_switch_returns_to_the_referring_page_without_next(client):
    token = csrf_token(client, "/login")
    response = client.post(
        "/language",
        data={"csrf_token": token, "lang": "en"},
        headers={"Referer": "http://localhost/login"},
    )
    assert response.headers["Location"] == "/login"


def test_switch_never_redirects_off_site(client):
    response = client.post("/language", data={"lang": "en", "next": "https://evil.example/"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


def test_unknown_language_is_refused_in_the_current_language(client):
    response = client.post("/language", data={"lang": "de"})
    assert response.status_code == 400
    assert "Vælg et af sprogene" in text_of(response)
    assert '<html lang="da">' in text_of(client.get("/"))


def test_form_errors_come_in_english_after_switching(client):
    client.post("/language", data={"lang": "en"})
    response = post_form(client, "/register", {"name": "", "email": "x", "password": "y"})
    html = text_of(response)
    assert "This field is required." in html
    assert "Enter an email address like name@example.org." in html
