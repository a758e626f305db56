"""The register import's pages for a large file pass axe and the Nu HTML Checker, in Danish
and in English: the preview with its counts and first rows, the same with bad lines (more
than the page lists), and the answer to an upload that is gone."""

from io import BytesIO

import pytest

from tests.support.forms import client_for, csrf_token, text_of

pytestmark = pytest.mark.browser


def register_csv(rows: int, *, bad_every: int = 0) -> bytes:
    lines = ["email;name;role"]
    for i in range(rows):
        email = "ikke-en-adresse" if bad_every and i % bad_every == 0 else f"m{i}@example.dk"
        lines.append(f"{email};Medlem {i};member")
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.parametrize("lang", ["da", "en"])
def test_the_import_pages_are_accessible_and_valid(
    page, app, secretary, assert_accessible, assert_valid_html, lang
):
    staff = client_for(app, secretary)
    staff.post("/language", data={"lang": lang, "csrf_token": csrf_token(staff)})

    def send(data: dict):
        return staff.post(
            "/secretariat/members",
            data={"csrf_token": csrf_token(staff), **data},
            content_type="multipart/form-data",
        )

    pages = {
        "large preview": send(
            {"action": "preview", "register": (BytesIO(register_csv(3000)), "m.csv")}
        ),
        "large preview with bad lines": send(
            {"action": "preview", "register": (BytesIO(register_csv(3000, bad_every=20)), "m.csv")}
        ),
        "upload gone": send({"action": "import", "upload": "x" * 32}),
    }
    assert [response.status_code for response in pages.values()] == [200, 422, 422]
    page.goto("/")
    for name, response in pages.items():
        html = text_of(response)
        assert f'<html lang="{lang}">' in html, name
        assert_valid_html(html, f"{name} ({lang})")
        page.set_content(html)
        assert_accessible(page, f"{name} ({lang})")
