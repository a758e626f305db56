"""Many people at the same instant, under gunicorn with 4 workers (SQLite or PostgreSQL):
the threshold is crossed exactly once and every counter equals its rows."""

import random
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from app.amendments.models import Amendment, AmendmentBacking
from app.core.extensions import db
from app.proposals import lifecycle as lc
from app.proposals.models import Proposal, ProposalLike, Support, TransitionEvent
from tests.plugins.live import live_env
from tests.support.http import Browserless
from tests.support.live import start_gunicorn

pytestmark = pytest.mark.live


@pytest.fixture(scope="module")
def _four_workers(base_config, migrated, tmp_path_factory):
    """One server for the module's tests (each test's rows are emptied after it)."""
    server = start_gunicorn(
        live_env(base_config), tmp_path_factory.mktemp("four") / "log.txt", workers=4
    )
    yield server
    server.stop()


@pytest.fixture
def four_workers(_four_workers, app):
    assert _four_workers.process.poll() is None, _four_workers.log()
    return _four_workers


def logged_in_clients(server, accounts, path, app=None):
    """A client per account, logged in through the form, or with `app` signed in with the
    session cookie the login form gives."""
    clients = []
    for account in accounts:
        client = Browserless(server.url)
        if app is None:
            client.login(account)
        else:
            client.sign_in(app, account)
        clients.append((client, client.token(path)))
    return clients


def test_eighty_members_support_at_the_same_moment(app, four_workers, make_proposal, make_user):
    made = make_proposal(lc.SUPPORT)
    path = f"/proposals/{made.id}"
    clients = logged_in_clients(four_workers, [make_user("member") for _ in range(80)], path, app)
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = []

    def support(client, token):
        barrier.wait()
        status, _ = client.post(f"{path}/support", token=token)
        statuses.append(status)

    threads = [threading.Thread(target=support, args=pair) for pair in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert len(statuses) == 80
    assert not [s for s in statuses if s >= 500], four_workers.log()[-3000:]
    assert statuses.count(303) == 50
    assert statuses.count(409) == 30
    with app.app_context():
        proposal = db.session.get(Proposal, made.id)
        assert proposal.state == lc.CATALOGUE
        assert proposal.support_count == 50
        supports = db.session.scalar(
            select(func.count()).select_from(Support).where(Support.proposal_id == made.id)
        )
        assert supports == 50
        events = db.session.scalars(
            select(TransitionEvent).where(
                TransitionEvent.proposal_id == made.id, TransitionEvent.to_state == lc.CATALOGUE
            )
        )
        (event,) = events.all()
        assert event.from_state == lc.SUPPORT and event.actor_id is None

    late_client, token = clients[0]
    status, page = late_client.post(f"{path}/support", token=token)
    assert status in (303, 409)
    status, page = Browserless(four_workers.url).get(path)
    assert "Politisk katalog" in page and "50 af 50" in page


def test_likes_and_unlikes_interleaved_keep_the_count_equal_to_the_rows(
    app, four_workers, make_proposal, make_user
):
    made = make_proposal(lc.HEARING)
    path = f"/proposals/{made.id}"
    clients = logged_in_clients(four_workers, [make_user() for _ in range(100)], path, app)
    actions = [
        (client, token, verb)
        for client, token in clients
        for verb in ("like", "like", "unlike", "unlike")
    ]
    random.Random(4).shuffle(actions)

    def act(item):
        client, token, verb = item
        return client.post(f"{path}/{verb}", token=token)[0]

    with ThreadPoolExecutor(max_workers=24) as pool:
        statuses = list(pool.map(act, actions))
    assert len(statuses) == 400
    assert set(statuses) == {303}, sorted(set(statuses))
    with app.app_context():
        rows = db.session.scalar(
            select(func.count())
            .select_from(ProposalLike)
            .where(ProposalLike.proposal_id == made.id)
        )
        assert db.session.get(Proposal, made.id).like_count == rows
    assert 0 <= rows <= 100


# --- amendments, on the same server ----------------------------------------------------------


def test_fifty_members_back_an_amendment_at_once_and_the_count_is_exact(
    app, four_workers, heard, amend, make_user
):
    made = heard()
    amendment_id = amend(made, drawbacks="Det koster mere.")
    path = f"/amendments/{amendment_id}"
    members = [make_user("member") for _ in range(50)]
    clients = logged_in_clients(four_workers, members, path, app)
    # Each member twice, at the same instant: still one backing each.
    twice = clients + clients
    barrier = threading.Barrier(len(twice))

    def back(pair):
        client, token = pair
        barrier.wait()
        return client.post(f"{path}/back", token=token)[0]

    with ThreadPoolExecutor(max_workers=len(twice)) as pool:
        statuses = list(pool.map(back, twice))
    assert set(statuses) == {303}, four_workers.log()[-3000:]
    with app.app_context():
        rows = db.session.scalar(
            select(func.count())
            .select_from(AmendmentBacking)
            .where(AmendmentBacking.amendment_id == amendment_id)
        )
        assert rows == 50
        assert db.session.get(Amendment, amendment_id).backer_count == 50


def test_two_proposers_deciding_two_amendments_at_once_keep_both_changes(
    app, four_workers, heard, amend, make_user, secretary
):
    from tests.amendments.test_merging import P1, P2, P3, _body, to_revision
    from tests.support.proposals import add_proposer

    made = heard()
    first = amend(made, body=_body("Første afsnit: en bus hver halve time.", P2, P3))
    second = amend(made, body=_body(P1, P2, "Tredje afsnit: staten betaler det hele."))
    other = make_user("member")
    with app.app_context():
        add_proposer(made.id, other.id)
    to_revision(app, made, secretary)
    clients = logged_in_clients(four_workers, [made.author, other], f"/amendments/{first}", app)
    barrier = threading.Barrier(2)

    def adopt(pair_and_amendment):
        (client, token), amendment_id = pair_and_amendment
        barrier.wait()
        return client.post(
            f"/amendments/{amendment_id}/decide", {"verdict": "adopted"}, token=token
        )[0]

    with ThreadPoolExecutor(max_workers=2) as pool:
        statuses = list(pool.map(adopt, zip(clients, (first, second), strict=True)))
    assert statuses == [303, 303], four_workers.log()[-3000:]
    with app.app_context():
        proposal = db.session.get(Proposal, made.id)
        assert proposal.body == _body(
            "Første afsnit: en bus hver halve time.",
            P2,
            "Tredje afsnit: staten betaler det hele.",
        )
        decided = db.session.scalars(
            select(Amendment.adopted_in).where(Amendment.proposal_id == made.id)
        ).all()
        assert sorted(decided) == [proposal.version_count - 1, proposal.version_count]
