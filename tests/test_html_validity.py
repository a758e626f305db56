"""Every kind of page is valid HTML by the Nu HTML Checker, in Danish and in English."""

import pytest

from tests.plugins.errors import ERROR_STATUSES, error_page_path
from tests.support.forms import csrf_token, login, post_form, text_of
from tests.support.pages import (
    REFUSED_FORMS,
    VISITOR_PAGES,
    proposal_pages,
    refused_proposal_form,
    reset_link,
)

# The HTML is the templates', whichever database the page was read from.
pytestmark = pytest.mark.once


@pytest.mark.parametrize("lang", ["da", "en"])
def test_every_page_is_valid_html(failing_app, make_user, assert_valid_html, lang):
    client = failing_app.test_client()
    client.post("/language", data={"lang": lang})
    pages: dict[str, str] = {}
    for name, path in VISITOR_PAGES.items():
        pages[name] = text_of(client.get(path))
    for name, (path, data) in REFUSED_FORMS.items():
        response = post_form(client, path, data)
        assert response.status_code == 422, name
        pages[name] = text_of(response)
    pages["refused csrf"] = text_of(client.post("/register", data={"name": "x"}))
    for status in ERROR_STATUSES:
        pages[f"error {status}"] = text_of(client.get(error_page_path(status)))

    user = make_user("member", "secretariat", name="Karen Holm")
    pages["reset password"] = text_of(client.get(reset_link(failing_app, user.email)))
    login(client, user)
    pages["front page logged in"] = text_of(client.get("/"))
    assert csrf_token(client, "/")

    for name, html in pages.items():
        assert f'<html lang="{lang}">' in html, name
        assert_valid_html(html, f"{name} ({lang})")


@pytest.mark.parametrize("lang", ["da", "en"])
def test_every_proposal_page_is_valid_html(
    app, make_proposal, make_user, secretary, topic, assert_valid_html, lang
):
    clients = {}

    def client_for(account):
        key = account.id if account else None
        if key not in clients:
            client = app.test_client()
            client.post("/language", data={"lang": lang})
            if account is not None:
                login(client, account)
            clients[key] = client
        return clients[key]

    pages = {}
    for name, account, path in proposal_pages(app, make_proposal, make_user, secretary):
        response = client_for(account).get(path)
        assert response.status_code == 200, (name, response.status_code)
        pages[name] = text_of(response)
    writer = client_for(make_user("member"))
    path, data = refused_proposal_form(topic)
    response = post_form(writer, path, data)
    assert response.status_code == 422
    pages["new proposal with errors"] = text_of(response)
    for name, html in pages.items():
        assert f'<html lang="{lang}">' in html, name
        assert_valid_html(html, f"{name} ({lang})")
