"""Every kind of page the app has so far, in each state worth checking: what the HTML and
accessibility sweeps walk through. Add a row here with each new page."""

from __future__ import annotations

from datetime import timedelta

from app.accounts import services
from app.core.database import utcnow
from app.core.extensions import db

# Pages reached by a plain GET, as a visitor.
VISITOR_PAGES = {
    "front page": "/",
    "register": "/register",
    "login": "/login",
    "reset request": "/password/reset",
    "reset link that does not work": "/password/reset/not-a-valid-token",
    "not found": "/no-such-page",
    "method not allowed": "/logout",
    "open data": "/data",
    "political catalogue, empty": "/catalogue",
    # A new site's catalogue PDF, before the worker has made it: 503, "being made".
    "political catalogue's PDF, being made": "/catalogue.pdf",
}

# Forms sent with bad input: the page that explains what to correct.
REFUSED_FORMS = {
    "register with errors": ("/register", {"name": "", "email": "nope", "password": "kort"}),
    "login with errors": ("/login", {"email": "x@example.org", "password": "forkert kodeord"}),
    "reset request with errors": ("/password/reset", {"email": ""}),
}


def reset_link(app, email: str) -> str:
    with app.app_context():
        _, token = services.issue_reset_token(email, now=utcnow(), valid_for=timedelta(hours=1))
        db.session.commit()
    return f"/password/reset/{token}"


def proposal_pages(app, make_proposal, make_user, secretary) -> list[tuple[str, object, str]]:
    """Proposals in the states worth seeing, and the pages to check as (name, who, path)."""
    from app.accounts.models import User
    from app.proposals import lifecycle as lc
    from app.proposals import services
    from app.proposals.models import Proposal
    from tests.support.proposals import CONTENT, force

    hearing = make_proposal(lc.HEARING, title="Bedre busser på landet")
    revision = make_proposal(lc.REVISION, title="Flere lærepladser")
    submitted = make_proposal(lc.SUBMITTED, title="Et sundhedshus i hver kommune")
    catalogue = make_proposal(lc.SUPPORT, title="Firedages arbejdsuge")
    draft = make_proposal(lc.DRAFT, title="Gratis frugt i skolen")
    # A draft with similar public proposals, shown to its proposer.
    alike = make_proposal(lc.DRAFT, title="Endnu bedre busser")
    invited = make_user("member", name="Inviteret Medlem")
    with app.app_context():
        author = db.session.get(User, revision.author.id)
        proposal = db.session.get(Proposal, revision.id)
        services.edit(
            author,
            proposal,
            services.Content(
                topic_id=proposal.topic_id,
                **{
                    **CONTENT,
                    "title": "Flere lærepladser",
                    "body": "Et helt nyt forslag til **alle**.",
                },
            ),
            now=utcnow(),
        )
        drafting = db.session.get(Proposal, draft.id)
        services.invite(
            db.session.get(User, draft.author.id), drafting, invited.email, now=utcnow()
        )
        db.session.commit()
    force(app, catalogue.id, state=lc.CATALOGUE)
    with app.app_context():
        services.add_outcome(
            db.session.get(User, secretary.id),
            db.session.get(Proposal, catalogue.id),
            on=utcnow().date(),
            text="Vedtaget som **toårigt** forsøg fra 1. april.",
            now=utcnow(),
        )
        db.session.commit()
    member = make_user("member", name="Skrivende Medlem")
    seeking = make_proposal(lc.SUPPORT, title="Styrket psykiatri for unge")
    _discuss(app, hearing.id, catalogue.id, seeking.id, member, secretary)
    _hearing_memo(app, revision.id, member)
    return [
        ("proposal seeking support, to a member", member, f"/proposals/{seeking.id}"),
        ("proposal seeking support, to its author", seeking.author, f"/proposals/{seeking.id}"),
        ("discussion, to the secretariat", secretary, f"/proposals/{hearing.id}"),
        ("discussion, to a member", member, f"/proposals/{hearing.id}"),
        ("hearing responses only", None, f"/proposals/{hearing.id}?input=hearing"),
        ("catalogue proposal with stances, to a member", member, f"/proposals/{catalogue.id}"),
        ("proposal list", None, "/proposals"),
        ("political catalogue", None, "/catalogue"),
        ("political catalogue on a topic, to a member", member, "/catalogue?topic=Landdistrikter"),
        ("proposal list, nothing found", None, "/proposals?state=hearing&q=ingenting"),
        ("search results with snippets", None, "/proposals?q=busser+landsby*"),
        ("search of stop words only", None, "/proposals?q=og+i&sort=newest"),
        ("draft with similar proposals, to its proposer", alike.author, f"/proposals/{alike.id}"),
        ("proposal in hearing", None, f"/proposals/{hearing.id}"),
        ("proposal in revision, to its author", revision.author, f"/proposals/{revision.id}"),
        ("submitted proposal, to the secretariat", secretary, f"/proposals/{submitted.id}"),
        ("catalogue proposal, to the secretariat", secretary, f"/proposals/{catalogue.id}"),
        ("draft, to an invited member", invited, f"/proposals/{draft.id}"),
        ("new proposal form", member, "/proposals/new"),
        ("edit form", revision.author, f"/proposals/{revision.id}/edit"),
        ("versions", None, f"/proposals/{revision.id}/versions"),
        ("diff", None, f"/proposals/{revision.id}/diff?from=1&to=2"),
        ("hearing memo", None, f"/proposals/{revision.id}/hearing-memo"),
        ("hearing memo, to its author", revision.author, f"/proposals/{revision.id}/hearing-memo"),
    ]


def refused_proposal_form(topic_id: int) -> tuple[str, dict]:
    return ("/proposals/new", {"title": "Kort", "summary": "", "body": "", "topic": str(topic_id)})


def _hearing_memo(app, revision_id, member) -> None:
    """Two hearing responses on the proposal in revision (written as the hearing would
    have), one of them answered by its proposer."""
    from app.accounts.models import User
    from app.comments import answers
    from app.comments.models import Comment
    from app.proposals.models import Proposal, Proposer
    from tests.support.proposals import recount_discussion

    with app.app_context():
        now = utcnow()
        said = [
            Comment(proposal_id=revision_id, author_id=member.id, body=text,
                    body_html=f"<p>{text}</p>", written_in="hearing", created_at=now)
            for text in ("Hvad med lærlinge over 25?", "Husk de små håndværksmestre.")
        ]  # fmt: skip
        db.session.add_all(said)
        db.session.commit()
        recount_discussion(revision_id)
        proposal = db.session.get(Proposal, revision_id)
        author = db.session.scalar(
            db.select(User).join(Proposer).where(Proposer.proposal_id == revision_id)
        )
        answers.answer(
            author, said[0], proposal, "partly", "Delvis: **over 25** med et lavere tilskud.",
            is_proposer=True, now=now,
        )  # fmt: skip
        db.session.commit()


def _discuss(app, hearing_id, catalogue_id, seeking_id, member, secretary) -> None:
    """Comments in every condition, likes, a support and stances over several days."""
    from datetime import timedelta

    from app.accounts.models import User
    from app.comments import services as comments
    from app.proposals import participation
    from app.proposals.models import Proposal

    with app.app_context():
        now = utcnow()
        writer = db.session.get(User, member.id)
        staff = db.session.get(User, secretary.id)
        hearing = db.session.get(Proposal, hearing_id)
        first = comments.add_comment(
            writer, hearing, "Godt forslag, men **hvad koster det?**", now=now
        )
        comments.add_comment(staff, hearing, "Det står under ulemper.", parent_id=first.id, now=now)
        flagged = comments.add_comment(writer, hearing, "En kommentar, der er anmeldt.", now=now)
        comments.flag_comment(staff, flagged, "Personangreb", now=now)
        hidden = comments.add_comment(writer, hearing, "En skjult kommentar.", now=now)
        comments.hide_comment(staff, hidden, hearing, "Udenfor emnet", now=now)
        gone = comments.add_comment(writer, hearing, "En slettet kommentar.", now=now)
        comments.delete_comment(writer, gone, hearing, now=now)
        comments.like_comment(staff, first, hearing, now=now)
        participation.like(writer, hearing, now=now)
        catalogue = db.session.get(Proposal, catalogue_id)
        for days, who, stance in [(3, writer, "for"), (2, staff, "against"), (1, staff, "for")]:
            participation.set_stance(who, catalogue, stance, now=now - timedelta(days=days))
        participation.add_support(staff, db.session.get(Proposal, seeking_id), now=now)
        db.session.commit()
