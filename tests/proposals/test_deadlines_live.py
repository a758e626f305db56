"""Deadlines under gunicorn with 2-second windows: the hearing ends and support lapses on
their own, with no tick having run; tick afterwards finds nothing left to do."""

import json
import time
from datetime import datetime, timedelta

import pytest

from app.proposals import lifecycle as lc
from tests.plugins.live import live_env
from tests.support.http import Browserless
from tests.support.live import start_gunicorn

pytestmark = pytest.mark.live


@pytest.fixture
def quick_server(base_config, app, tmp_path):
    env = live_env(base_config, FORSLAG_HEARING_WINDOW="2s", FORSLAG_SUPPORT_WINDOW="2s")
    server = start_gunicorn(env, tmp_path / "log.txt", workers=2)
    yield server
    server.stop()


def api(client, proposal_id):
    status, body = client.get(f"/api/v1/proposals/{proposal_id}")
    assert status == 200, body
    return json.loads(body)


def test_hearing_ends_and_support_lapses_without_tick(app, quick_server, make_proposal, secretary):
    made = make_proposal(lc.SUBMITTED)
    visitor = Browserless(quick_server.url)
    staff = Browserless(quick_server.url)
    staff.login(secretary)
    status, _ = staff.post(f"/proposals/{made.id}/transition", {"to": "hearing"})
    assert status == 303
    opened = api(visitor, made.id)
    started = datetime.fromisoformat(opened["timeline"][1]["at"])
    assert opened["timeline"][1]["to"] == "hearing"
    assert datetime.fromisoformat(opened["hearing_ends_at"]) - started == timedelta(seconds=2)

    time.sleep(2.3)
    data = api(visitor, made.id)
    assert data["state"] == "revision"
    assert data["timeline"][-1] == {
        **data["timeline"][-1],
        "from": "hearing",
        "to": "revision",
        "actor": "system",
    }

    author = Browserless(quick_server.url)
    author.login(made.author)
    status, _ = author.post(f"/proposals/{made.id}/transition", {"to": "support"})
    assert status == 303
    status, page = visitor.get(f"/proposals/{made.id}")
    assert "Søger opbakning" in page and "0 af 50" in page

    time.sleep(2.3)
    status, page = visitor.get(f"/proposals/{made.id}")
    assert "Udløbet" in page
    data = api(visitor, made.id)
    assert [e["to"] for e in data["timeline"]] == [
        "submitted",
        "hearing",
        "revision",
        "support",
        "lapsed",
    ]
    assert data["timeline"][-1]["actor"] == "system"

    result = app.test_cli_runner().invoke(args=["lifecycle", "tick"])
    assert "0 transition(s) applied." in result.output
    assert len(api(visitor, made.id)["timeline"]) == 5
