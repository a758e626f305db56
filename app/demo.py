"""`flask demo`: fill an empty database with a Danish demo to click through.

The demo is made through the same services as the real thing, on a clock set back in
time, so its timelines, versions and deadlines are what they would have been.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

from app.accounts import services as accounts
from app.accounts.models import User
from app.database import utcnow
from app.extensions import db
from app.proposals import lifecycle as lc
from app.proposals import services as proposals
from app.proposals.models import Proposal, Topic

DEMO_PASSWORD = "forslag-demo"  # noqa: S105 (printed for everyone: it is the demo)

# (name, email, roles)
DEMO_USERS = [
    ("Karen Holm", "sekretariat@example.org", {"member", "secretariat"}),
    ("Mette Nørgaard", "mette@example.org", {"member"}),
    ("Jens Kristensen", "jens@example.org", {"member"}),
    ("Aisha Rahimi", "aisha@example.org", {"member"}),
    ("Søren Østergaard", "soren@example.org", {"member"}),
    ("Lærke Bech", "laerke@example.org", {"member"}),
    ("Peter Borger", "borger@example.org", set()),
]

TOPICS = ["Velfærd", "Erhverv", "Landdistrikter", "Uddannelse", "Klima og miljø", "Sundhed"]


def _content(topic: Topic, title: str, summary: str, body: str, **extra) -> proposals.Content:
    return proposals.Content(title=title, summary=summary, body=body, topic_id=topic.id, **extra)


BUS = dict(
    title="Bedre busforbindelser i landdistrikterne",
    summary="Alle landsbyer med mere end 200 indbyggere skal have mindst en bus i timen "
    "mellem kl. 6 og 22 på hverdage, betalt af en fælles pulje fra stat og regioner.",
    body="""## Forslaget

Vi foreslår, at **alle landsbyer med mere end 200 indbyggere** får en busforbindelse
mindst en gang i timen mellem kl. 6 og 22 på hverdage.

- Ruterne planlægges af regionerne sammen med lokalrådene.
- Hvor der er få passagerer, bruges flextrafik og mindre busser.
- Finansieringen kommer fra en fælles pulje på 400 mio. kr. om året.

## Hvorfor

Uden bus er det svært at tage en uddannelse eller et job uden for landsbyen, og
mange ældre bliver isoleret, når de ikke længere kan køre bil.""",
    drawbacks="Puljen skal findes et andet sted i budgettet, og nogle ruter vil køre "
    "med få passagerer i starten.",
    process="Forslaget er skrevet af medlemmer fra tre lokalafdelinger efter et "
    "borgermøde i Vestjylland med 80 deltagere.",
    materials="- Trafikstyrelsens opgørelse over kollektiv trafik i landdistrikter\n"
    "- Samtaler med to buschauffører og en vognmand",
    organisations="Landdistrikternes Fællesråd\nDanske Ældreråd",
)


def load_demo() -> list[User]:
    """Create the demo accounts, topics and proposals; the caller commits."""
    start = utcnow() - timedelta(days=60)
    users = [
        accounts.create_user(email=email, name=name, password=DEMO_PASSWORD, roles=roles, now=start)
        for name, email, roles in DEMO_USERS
    ]
    karen, mette, jens, aisha, soren, laerke, _peter = users
    topics = {name: Topic(name=name) for name in TOPICS}
    db.session.add_all(topics.values())
    db.session.flush()

    def at(days: float) -> datetime:
        return start + timedelta(days=days)

    def with_proposers(proposal: Proposal, *members: User, when: float) -> None:
        author = db.session.get(User, proposal.created_by_id)
        for member in members:
            proposals.invite(author, proposal, member.email, now=at(when))
            proposals.answer_invitation(member, proposal, accept=True, now=at(when + 0.1))

    # A draft, still being written.
    fruit = proposals.create(
        mette,
        _content(
            topics["Uddannelse"],
            "Gratis frugt i alle folkeskoler",
            "Alle elever i folkeskolen skal have et stykke frugt hver skoledag, betalt af staten, "
            "så ingen børn går sultne fra undervisningen.",
            "Staten betaler et stykke frugt om dagen til alle elever i folkeskolen.\n\n"
            "Ordningen administreres af skolerne, der selv vælger lokale leverandører.",
        ),
        now=at(50),
    )
    proposals.invite(mette, fruit, aisha.email, now=at(50.5))

    # Submitted, waiting for the secretariat.
    health = proposals.create(
        jens,
        _content(
            topics["Sundhed"],
            "Et sundhedshus i hver kommune",
            "Hver kommune skal have mindst ét sundhedshus, hvor praktiserende læger, "
            "sygeplejersker og fysioterapeuter arbejder under samme tag.",
            "Vi foreslår et sundhedshus i hver kommune, hvor de almene sundhedstilbud "
            "er samlet.\n\n"
            "Kommunen stiller lokaler til rådighed, og regionen sikrer lægedækningen.",
            drawbacks="Nogle læger foretrækker deres egen praksis.",
        ),
        now=at(40),
    )
    proposals.transition(jens, health, lc.SUBMITTED, now=at(41))

    # In hearing, with two proposers.
    bus = proposals.create(soren, _content(topics["Landdistrikter"], **BUS), now=at(45))
    with_proposers(bus, laerke, when=46)
    proposals.transition(soren, bus, lc.SUBMITTED, now=at(47))
    proposals.transition(karen, bus, lc.HEARING, ends_at=utcnow() + timedelta(days=10), now=at(48))

    # The hearing has ended; the text has been revised since.
    apprentices = proposals.create(
        aisha,
        _content(
            topics["Erhverv"],
            "Flere lærepladser i små virksomheder",
            "Virksomheder med under 20 ansatte skal have et tilskud på 50.000 kr. om året for "
            "hver lærling, de tager ind ud over den første.",
            "Små virksomheder skal have et tilskud for hver ekstra lærling.\n\n"
            "Tilskuddet er 40.000 kr. om året.",
        ),
        now=at(10),
    )
    with_proposers(apprentices, jens, mette, when=11)
    proposals.transition(aisha, apprentices, lc.SUBMITTED, now=at(12))
    proposals.transition(karen, apprentices, lc.HEARING, now=at(13))
    proposals.apply_due(at(13) + proposals.policy().hearing_window)
    proposals.edit(
        aisha,
        apprentices,
        _content(
            topics["Erhverv"],
            "Flere lærepladser i små virksomheder",
            "Virksomheder med under 20 ansatte skal have et tilskud på 50.000 kr. om året for "
            "hver lærling, de tager ind ud over den første.",
            "Små virksomheder med under 20 ansatte skal have et tilskud for hver "
            "ekstra lærling.\n\n"
            "Tilskuddet er 50.000 kr. om året, og det udbetales halvårligt.",
            drawbacks="Tilskuddet kan i nogle tilfælde gå til lærepladser, der ville være "
            "oprettet alligevel.",
        ),
        now=at(30),
    )

    # Withdrawn by its proposer, and rejected by the secretariat: both stay public.
    tax = proposals.create(
        laerke,
        _content(
            topics["Velfærd"],
            "Afskaf topskatten fra næste år",
            "Topskatten afskaffes fra næste år, og provenuet findes ved at skære i "
            "erhvervsstøtten.",
            "Topskatten afskaffes.",
        ),
        now=at(5),
    )
    proposals.transition(
        laerke,
        tax,
        lc.WITHDRAWN,
        reason="Vi arbejder videre med et bredere skatteforslag.",
        now=at(6),
    )
    ads = proposals.create(
        jens,
        _content(
            topics["Erhverv"],
            "Reklamer for partiet på alle offentlige busser",
            "Partiet skal købe reklameplads på alle offentlige busser i valgåret og betale "
            "for det med kontingentet.",
            "Partiet køber reklameplads på alle offentlige busser.",
        ),
        now=at(7),
    )
    proposals.transition(jens, ads, lc.SUBMITTED, now=at(7.5))
    proposals.transition(
        karen,
        ads,
        lc.REJECTED,
        reason="Forslaget handler om partiets "
        "egen drift og hører hjemme i hovedbestyrelsen, ikke i "
        "forslagsprocessen.",
        now=at(8),
    )
    db.session.flush()
    return users


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Fill an empty database with a realistic Danish demo."""
    if db.session.scalar(select(func.count()).select_from(User)):
        click.echo("The database already has accounts; the demo was not loaded.")
    else:
        load_demo()
        db.session.commit()
        click.echo("Demo loaded.")
    if accounts.find_by_email(DEMO_USERS[0][1]) is None:
        return
    click.echo(f"\nDemo logins (password for all: {DEMO_PASSWORD}):")
    for name, email, roles in DEMO_USERS:
        label = ", ".join(sorted(roles)) or "citizen"
        click.echo(f"  {email:<28} {name:<20} {label}")
