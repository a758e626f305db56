"""The app under gunicorn with several workers, as production runs it."""

import http.cookiejar
import re
import urllib.parse
import urllib.request

import pytest

from tests.conftest import live_env
from tests.support.live import start_gunicorn

pytestmark = pytest.mark.live


def browser_like_opener():
    jar = http.cookiejar.CookieJar()

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)


def fetch(opener, url, data=None):
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    try:
        with opener.open(url, data=body, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_workers_started_together_share_one_generated_secret_key(base_config, make_user, tmp_path):
    """No SECRET_KEY in the environment: every worker must read the same generated key,
    or a login made on one worker would be unknown to the others."""
    account = make_user(name="Søren Østergaard")
    env = live_env(base_config, FORSLAG_INSTANCE_PATH=str(tmp_path / "instance"))
    env["SECRET_KEY"] = ""
    server = start_gunicorn(env, tmp_path / "log.txt", workers=4)
    try:
        opener = browser_like_opener()
        _, page = fetch(opener, f"{server.url}/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        status, _ = fetch(
            opener,
            f"{server.url}/login",
            {"csrf_token": token, "email": account.email, "password": account.password},
        )
        assert status == 303
        for _ in range(40):
            status, page = fetch(opener, f"{server.url}/")
            assert status == 200 and "Søren Østergaard" in page
    finally:
        server.stop()
    assert (tmp_path / "instance" / "secret_key").exists()


def test_live_server_serves_pages_and_static_files(live_server):
    opener = browser_like_opener()
    status, page = fetch(opener, f"{live_server.url}/")
    assert status == 200 and '<html lang="da">' in page
    status, css = fetch(opener, f"{live_server.url}/static/style.css")
    assert status == 200 and ".skip-link" in css
    status, _ = fetch(opener, f"{live_server.url}/no-such-page")
    assert status == 404
