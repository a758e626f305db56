"""The app under gunicorn with several workers, as production runs it."""

import pytest

from tests.plugins.live import live_env
from tests.support.http import Browserless
from tests.support.live import start_gunicorn

pytestmark = pytest.mark.live


def test_workers_started_together_share_one_generated_secret_key(base_config, make_user, tmp_path):
    """No SECRET_KEY in the environment: every worker must read the same generated key,
    or a login made on one worker would be unknown to the others."""
    account = make_user(name="Søren Østergaard")
    env = live_env(base_config, FORSLAG_INSTANCE_PATH=str(tmp_path / "instance"))
    env["SECRET_KEY"] = ""
    server = start_gunicorn(env, tmp_path / "log.txt", workers=4)
    try:
        client = Browserless(server.url)
        client.login(account)
        for _ in range(40):
            status, page = client.get("/")
            assert status == 200 and "Søren Østergaard" in page
    finally:
        server.stop()
    assert (tmp_path / "instance" / "secret_key").exists()


def test_live_server_serves_pages_and_static_files(live_server):
    client = Browserless(live_server.url)
    status, page = client.get("/")
    assert status == 200 and '<html lang="da">' in page
    status, css = client.get("/static/style.css")
    assert status == 200 and ".skip-link" in css
    status, _ = client.get("/no-such-page")
    assert status == 404
