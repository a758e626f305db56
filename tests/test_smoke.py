"""The app starts, answers its bare route and its front page."""


def test_healthz_is_bare_and_plain(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ok\n"
    assert response.headers["Content-Type"].startswith("text/plain")


def test_front_page_is_danish_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="da">' in html
    assert "Skab politikken sammen" in html
