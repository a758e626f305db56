"""Only the secretariat reaches the console: every console route, generated from the URL
map, answers 403 to a visitor, a citizen and a member, for GET and POST alike."""

import pytest

from tests.support.forms import client_for, csrf_token


def console_routes(app) -> list[tuple[str, str]]:
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("secretariat."):
            routes += [(rule.rule, method) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return routes


def test_the_console_has_routes(app):
    assert {path for path, _ in console_routes(app)} == {
        "/secretariat",
        "/secretariat/members",
        "/secretariat/topics",
        "/secretariat/log",
        "/secretariat/settings",
    }


@pytest.mark.parametrize("who", ["visitor", "citizen", "member", "secretariat"])
def test_authorisation_matrix(app, make_user, who):
    account = {
        "visitor": None,
        "citizen": make_user(),
        "member": make_user("member"),
        "secretariat": make_user("member", "secretariat"),
    }[who]
    client = client_for(app, account)
    token = csrf_token(client)
    for path, method in console_routes(app):
        if method == "GET":
            response = client.get(path)
        else:
            response = client.post(path, data={"csrf_token": token, "action": "none"})
        if who == "secretariat":
            # Reached: the page, or a refusal of the meaningless action, never a 403.
            assert response.status_code in (200, 400, 422), (path, method, response.status_code)
        else:
            assert response.status_code == 403, (path, method, response.status_code)
            assert "Kun sekretariatet kan gøre dette." in response.get_data(as_text=True)


def test_the_console_link_is_shown_to_the_secretariat_only(app, make_user):
    assert "/secretariat" not in client_for(app, make_user("member")).get("/").get_data(
        as_text=True
    )
    page = client_for(app, make_user("secretariat")).get("/").get_data(as_text=True)
    assert 'href="/secretariat"' in page
