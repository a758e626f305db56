"""Every error status gets a page in the user's language, with the site around it."""

import pytest

from app.core.errors import render_error
from tests.support.forms import text_of

DANISH_TITLES = {
    400: "Forespørgslen kunne ikke forstås",
    403: "Det har du ikke adgang til",
    404: "Siden findes ikke",
    405: "Denne adresse modtager ikke den slags forespørgsler",
    409: "Det kan ikke lade sig gøre i den nuværende fase",
    413: "Det, du sendte, er for stort",
    429: "For mange forespørgsler",
    500: "Der gik noget galt hos os",
}
ENGLISH_TITLES = {
    400: "The request could not be understood",
    403: "You may not do this",
    404: "Page not found",
    405: "This address does not take that kind of request",
    409: "This cannot be done in the current state",
    413: "What you sent is too large",
    429: "Too many requests",
    500: "Something went wrong on our side",
}


@pytest.mark.parametrize("lang", ["da", "en"])
@pytest.mark.parametrize("status", [400, 403, 404, 405, 409, 413, 429, 500])
def test_error_pages_in_both_languages(failing_app, status, lang):
    client = failing_app.test_client()
    client.post("/language", data={"lang": lang})
    response = client.get(f"/__fail/{status}" if status != 500 else "/__crash")
    assert response.status_code == status
    html = text_of(response)
    titles = DANISH_TITLES if lang == "da" else ENGLISH_TITLES
    assert f"<h1>{titles[status]}</h1>" in html
    assert f'<html lang="{lang}">' in html
    assert "boom" not in html


def test_real_triggers(client):
    assert client.get("/no/such/page").status_code == 404
    assert client.get("/logout").status_code == 405
    assert client.post("/login", data={"email": "x"}).status_code == 400
    big = client.post("/register", data={"name": "x" * (5 * 1024 * 1024)})
    assert big.status_code == 413
    assert "Det, du sendte, er for stort" in text_of(big)


def test_render_error_uses_a_specific_description(app):
    with app.test_request_context("/"):
        body, status = render_error(409, "Forslaget er allerede i høring.")
    assert status == 409 and "Forslaget er allerede i høring." in body


def test_api_errors_are_json(client):
    response = client.get("/api/nothing-here")
    assert response.status_code == 404
    assert response.is_json and response.json["status"] == 404


@pytest.mark.parametrize("lang", ["da", "en"])
def test_a_database_that_does_not_answer_gets_a_503(failing_app, lang):
    """A restore holding the tables, a deadlock broken, a failover: not the request's fault,
    and trying again will do."""
    from sqlalchemy.exc import OperationalError

    def unavailable():
        raise OperationalError("SELECT 1", {}, Exception("deadlock detected"))

    failing_app.add_url_rule("/__busy", view_func=unavailable)
    failing_app.add_url_rule("/api/__busy", endpoint="api_busy", view_func=unavailable)
    client = failing_app.test_client()
    client.post("/language", data={"lang": lang})
    response = client.get("/__busy")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    title = "Siden har travlt et øjeblik" if lang == "da" else "The site is busy for a moment"
    assert f"<h1>{title}</h1>" in text_of(response)
    api = client.get("/api/__busy")
    assert api.status_code == 503 and api.json["status"] == 503
