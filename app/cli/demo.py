"""`flask demo`: fill an empty database with a Danish demo to click through.

The demo is made through the same services as the real thing, on a clock set back in
time, so its timelines, versions and deadlines are what they would have been.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import delete, func, select, update
from werkzeug.security import generate_password_hash

from app.accounts import services as accounts
from app.accounts.models import User
from app.amendments import services as amendments
from app.comments import answers
from app.comments import services as comments
from app.core import organisation
from app.core.database import utcnow
from app.core.extensions import db
from app.core.outbox import OutgoingMail
from app.notifications import digests, fanout, follows
from app.notifications.models import EMAIL_DIGEST, EMAIL_NONE, Notification
from app.proposals import lifecycle as lc
from app.proposals import participation
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

# The organisation the demo is the site of: its settings as its secretariat would write them.
DEMO_SITE = {
    "name": "Fremtidspartiet",
    "introduction": (
        "Her skriver Fremtidspartiets medlemmer politik sammen. Alle kan læse med og give "
        "deres mening til kende i de åbne høringer; de forslag, der samler nok opbakning "
        "blandt medlemmerne, kommer i partiets **politiske katalog**."
    ),
    "contact_email": "sekretariat@example.org",
    "guidelines": """Et forslag til Fremtidspartiets politik skal:

- handle om politik, som partiet kan arbejde for i kommunerne, regionerne eller Folketinget;
- være i overensstemmelse med partiets principprogram;
- være konkret: hvad skal ændres, og hvordan;
- tale ordentligt om andre mennesker: ingen personangreb, ingen diskrimination.

Sekretariatet kan afvise et forslag, der ikke lever op til retningslinjerne. Begrundelsen
står altid offentligt på forslagets tidslinje, og forslagsstillerne kan skrive et nyt.

# Kommentarer

Skriv til sagen, ikke til personen. Sekretariatet skjuler kommentarer med personangreb,
trusler eller personoplysninger om andre; det står i tråden, at en kommentar er skjult, og
hvorfor.""",
    "privacy": """Fremtidspartiet er dataansvarlig for oplysningerne på denne side.

# Hvad vi gemmer

- Dit navn og din e-mailadresse, når du opretter en konto.
- Det, du skriver: forslag, kommentarer og ændringer.
- Som medlem: hvilke forslag du støtter, og hvordan du stiller dig til forslagene i det
  politiske katalog. Det er politiske holdninger, som loven beskytter særligt: de vises
  aldrig med dit navn, kun som tal.

# Hvorfor

For at du kan deltage i partiets politikudvikling, og for at alle kan se, hvordan et
forslag er blevet til. Grundlaget er dit samtykke, når du opretter kontoen, og for
medlemmer medlemskabet af partiet.

# Dine rettigheder

Du kan til enhver tid hente alt, hvad vi har gemt om dig, og slette din konto fra din
kontoside. Dine kommentarer bliver stående uden dit navn; alt andet om dig slettes.
Har du spørgsmål, eller vil du klage, så skriv til sekretariatet. Du kan også klage til
Datatilsynet.""",
}

# The rest of the membership, who back proposals and state stances in the demo.
FIRST_NAMES = [
    "Anne",
    "Lars",
    "Hanne",
    "Henrik",
    "Susanne",
    "Thomas",
    "Louise",
    "Niels",
    "Camilla",
    "Rasmus",
    "Ida",
    "Mads",
    "Freja",
    "Kasper",
    "Maja",
    "Jonas",
    "Sara",
    "Mikkel",
    "Emma",
    "Anders",
    "Nanna",
    "Frederik",
    "Sofie",
    "Christian",
    "Julie",
]
LAST_NAMES = [
    "Jensen",
    "Nielsen",
    "Hansen",
    "Pedersen",
    "Andersen",
    "Christensen",
    "Larsen",
    "Sørensen",
    "Rasmussen",
    "Jørgensen",
    "Petersen",
    "Madsen",
    "Kristensen",
    "Olsen",
    "Thomsen",
    "Poulsen",
    "Johansen",
    "Møller",
    "Mortensen",
    "Knudsen",
]
EXTRA_MEMBERS = 70


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


def load_demo(now: datetime | None = None) -> list[User]:
    """Create the demo accounts, topics and proposals as of `now`; the caller commits."""
    now = now or utcnow()
    start = now - timedelta(days=60)
    users = [
        accounts.create_user(email=email, name=name, password=DEMO_PASSWORD, roles=roles, now=start)
        for name, email, roles in DEMO_USERS
    ]
    karen, mette, jens, aisha, soren, laerke, _peter = users
    organisation.save(karen, DEMO_SITE, now=start)
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
    # Written on since: the draft's history keeps the first wording.
    proposals.edit(
        mette,
        fruit,
        _content(
            topics["Uddannelse"],
            "Gratis frugt i alle folkeskoler",
            "Alle elever i folkeskolen skal have et stykke frugt hver skoledag, betalt af staten, "
            "så ingen børn går sultne fra undervisningen.",
            "Staten betaler et stykke frugt eller grønt om dagen til alle elever i folkeskolen.\n\n"
            "Ordningen administreres af skolerne, der selv vælger lokale leverandører, gerne "
            "økologiske.",
        ),
        now=at(50.8),
        base_revision=0,
    )

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
    proposals.transition(karen, bus, lc.HEARING, ends_at=now + timedelta(days=10), now=at(48))
    evening = _amend(
        aisha,
        bus,
        at(49),
        "Skiftehold og aftenskoler slutter sent: bussen skal også køre om aftenen.",
        body=lambda text: text.replace("mellem kl. 6 og 22", "mellem kl. 5 og 24"),
    )
    for backer, when in ((mette, 49.2), (jens, 49.4)):
        amendments.back(backer, evening, bus, now=at(when))
    second_thoughts = _amend(
        jens,
        bus,
        at(49.5),
        "Puljen er for lille.",
        summary=lambda text: text.replace("fælles pulje", "fælles pulje på 600 mio. kr."),
    )
    amendments.withdraw(jens, second_thoughts, now=at(49.7))

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
    responses = _hearing_responses(apprentices, users, at)
    tradeschools = _amend(
        soren,
        apprentices,
        at(15),
        "Lærlingene lærer også på skolen: erhvervsskolerne skal vide, hvor pladserne er.",
        summary=lambda text: text + " Erhvervsskolerne formidler pladserne.",
    )
    amendments.back(laerke, tradeschools, apprentices, now=at(15.5))
    bigger = _amend(
        laerke,
        apprentices,
        at(16),
        "Et større tilskud giver flere pladser.",
        body=lambda text: text.replace("40.000 kr.", "75.000 kr."),
    )
    undecided = _amend(
        karen,
        apprentices,
        at(17),
        "Landbruget har også små virksomheder.",
        body=lambda text: text.replace(
            "Små virksomheder skal", "Små virksomheder, også landbrug, skal"
        ),
    )
    amendments.back(soren, undecided, apprentices, now=at(17.5))
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
    _answer_some(apprentices, responses, aisha, mette, at)
    amendments.decide(aisha, tradeschools, apprentices, lc.ADOPTED, now=at(31))
    amendments.decide(
        jens,
        bigger,
        apprentices,
        lc.NOT_ADOPTED,
        "Vi har hævet tilskuddet til 50.000 kr.; mere er der ikke råd til i første omgang.",
        now=at(31.5),
    )

    # Withdrawn by its proposer during its hearing, and rejected by the secretariat: both
    # stay public (one withdrawn before its hearing would stay private).
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
    proposals.transition(laerke, tax, lc.SUBMITTED, now=at(5.5))
    proposals.transition(karen, tax, lc.HEARING, now=at(6))
    proposals.transition(
        laerke,
        tax,
        lc.WITHDRAWN,
        reason="Vi arbejder videre med et bredere skatteforslag.",
        now=at(7),
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
    _participation(topics, users, at)
    db.session.flush()
    return users


def _amend(author: User, proposal: Proposal, when: datetime, why: str, **changes):
    """File an amendment: the hearing version with `changes` (a field's name -> a function
    of its text) made to it."""
    text = amendments.hearing_text(proposal)
    for name, change in changes.items():
        text[name] = change(text[name])
    return amendments.file(author, proposal, text, why, now=when)


def _hearing_responses(proposal: Proposal, users: list[User], at) -> list:
    """Four hearing responses, and a proposer's reply under one of them."""

    karen, mette, jens, aisha, soren, laerke, peter = users
    written = [
        (peter, 14, "Jeg driver et lille VVS-firma med 6 ansatte. 40.000 kr. dækker ikke "
         "en lærlings løn i skoleperioderne; 50.000 kr. ville gøre en forskel."),
        (soren, 16, "Tilskuddet bør også gælde virksomheder, der deler en lærling med en "
         "anden virksomhed (delt uddannelsesaftale)."),
        (laerke, 19, "Hvad med de store virksomheder? De burde betale mere til AUB i stedet."),
        (karen, 22, "Husk at beskrive, hvordan tilskuddet udbetales, så virksomhederne "
         "ikke venter et helt år på pengene."),
    ]  # fmt: skip
    responses = [
        comments.add_comment(author, proposal, text, now=at(day)) for author, day, text in written
    ]
    comments.add_comment(
        jens,
        proposal,
        "Tak. Vi ser på beløbet, når høringen er slut.",
        parent_id=responses[0].id,
        now=at(14.5),
    )
    return responses


def _answer_some(proposal: Proposal, responses: list, aisha: User, mette: User, at) -> None:
    """The proposers answer three of the four responses; one answer is changed later, so
    the timeline shows both. The fourth waits."""

    given = [
        (aisha, 0, 31, "adopted", "Tilskuddet er hævet til **50.000 kr.** om året."),
        (mette, 1, 31.5, "not_adopted", "Delte aftaler er en god idé, men de kræver en "
         "lovændring, som ligger uden for forslaget."),
        (aisha, 3, 32, "partly", "Tilskuddet udbetales nu halvårligt."),
        (aisha, 3, 33, "adopted", "Tilskuddet udbetales nu halvårligt, som foreslået."),
    ]  # fmt: skip
    for proposer, which, day, verdict, text in given:
        answers.answer(
            proposer, responses[which], proposal, verdict, text, is_proposer=True, now=at(day)
        )


def _more_members(start: datetime) -> list[User]:
    """Seventy members more, with one password hash between them (it is the demo's)."""
    password_hash = generate_password_hash(
        DEMO_PASSWORD, method=current_app.config["PASSWORD_HASH_METHOD"]
    )
    members = []
    for i in range(EXTRA_MEMBERS):
        name = f"{FIRST_NAMES[i % len(FIRST_NAMES)]} {LAST_NAMES[(i * 7) % len(LAST_NAMES)]}"
        member = User(
            email=f"medlem{i + 1:02}@example.org",
            name=name,
            password_hash=password_hash,
            is_member=True,
            is_secretariat=False,
            created_at=start,
        )
        db.session.add(member)
        members.append(member)
    db.session.flush()
    return members


def _participation(topics, users, at) -> None:
    """Comments in the hearings, a proposal close to its threshold, one that lapsed, and
    one in the catalogue with outcomes and stances."""

    karen, mette, jens, aisha, soren, laerke, peter = users
    members = _more_members(at(0))
    policy = proposals.policy()

    bus = db.session.scalar(select(Proposal).where(Proposal.title == BUS["title"]))
    first = comments.add_comment(
        peter,
        bus,
        "Jeg bor i en landsby med 350 indbyggere og har "
        "ingen bus efter kl. 17. Det her ville ændre min hverdag.",
        now=at(49),
    )
    comments.add_comment(
        soren,
        bus,
        "Tak! Netop den slags landsbyer har vi tænkt på.",
        parent_id=first.id,
        now=at(49.5),
    )
    comments.add_comment(
        members[0],
        bus,
        "Husk at flextrafik skal kunne bestilles samme dag, ellers bruger de ældre den ikke.",
        now=at(50),
    )
    participation.like(peter, bus, now=at(49))
    participation.like(members[1], bus, now=at(50))

    apprentices = db.session.scalar(
        select(Proposal).where(Proposal.title == "Flere lærepladser i små virksomheder")
    )
    comments.add_comment(
        members[2],
        apprentices,
        "Tilskuddet bør følge lærlingen, hvis virksomheden lukker.",
        now=at(20),
    )

    def support_until_catalogue(proposal, backers, *, start: float) -> None:
        for i, member in enumerate(backers):
            if proposal.state != lc.SUPPORT:
                break
            participation.add_support(member, proposal, now=at(start + i * 0.1))

    def walk_to_support(author, title, summary, body, topic, started, extra=(), heard=None):
        proposal = proposals.create(
            author, _content(topics[topic], title, summary, body), now=at(started)
        )
        for member in extra:
            proposals.invite(author, proposal, member.email, now=at(started))
            proposals.answer_invitation(member, proposal, accept=True, now=at(started))
        proposals.transition(author, proposal, lc.SUBMITTED, now=at(started + 0.5))
        proposals.transition(
            karen, proposal, lc.HEARING, ends_at=at(started + 8), now=at(started + 1)
        )
        during = heard(proposal) if heard else None
        proposals.apply_due(at(started + 8))
        if during:
            during()
        proposals.transition(author, proposal, lc.SUPPORT, now=at(started + 9))
        return proposal

    # Seeking support, a few backers short of the threshold, deadline in a few days.
    youth = walk_to_support(
        laerke,
        "Styrket psykiatri for unge",
        "Ventetiden i børne- og ungdomspsykiatrien skal ned på højst fire uger, og alle "
        "gymnasier skal have en psykolog tilknyttet.",
        "Ventetiden i børne- og ungdomspsykiatrien skal ned på **højst fire uger**.\n\n"
        "- Alle gymnasier og erhvervsskoler får en psykolog tilknyttet.\n"
        "- Regionerne får et fast beløb pr. ung patient.",
        "Sundhed",
        started=60 - policy.support_window.days + 4 - 9,
        extra=[mette],
    )
    backers = [m for m in members if m.id not in (laerke.id, mette.id)]
    for i, member in enumerate(backers[: max(policy.support_threshold - 4, 0)]):
        participation.add_support(member, youth, now=at(34 + i * 0.5))

    # Lapsed: the deadline passed below the threshold.
    parking = walk_to_support(
        jens,
        "Gratis parkering ved alle togstationer",
        "Parkering ved togstationer skal være gratis, så flere kører det sidste stykke og tager "
        "toget resten af vejen.",
        "Parkering ved alle togstationer gøres gratis og betales af statens trafikpulje.",
        "Klima og miljø",
        started=0,
    )
    for member in backers[:12]:
        participation.add_support(member, parking, now=at(12))
    proposals.apply_due(at(9) + policy.support_window)

    # In the political catalogue, with outcomes and stances that moved over time; and with
    # an amendment the proposers adopted and a minority amendment that went with it.
    week_amendments = {}

    def amend_the_week(proposal):
        week_amendments["evaluation"] = _amend(
            jens,
            proposal,
            at(3),
            "Forsøget skal kunne sammenlignes med andre kommuners.",
            body=lambda text: text.replace(
                "uafhængig forsker", "uafhængig forsker efter en fælles metode med andre kommuner"
            ),
        )
        week_amendments["three_years"] = minority = _amend(
            soren,
            proposal,
            at(3.5),
            "To år er for kort til at se virkningen på sygefraværet.",
            body=lambda text: text.replace("**toårigt forsøg**", "**treårigt forsøg**"),
        )
        for i, member in enumerate(members[:12]):
            amendments.back(member, minority, proposal, now=at(4 + i * 0.1))
        moot = _amend(
            laerke,
            proposal,
            at(4.5),
            "Kommunens egen revision kender forholdene bedst.",
            body=lambda text: text.replace("en uafhængig forsker", "kommunens revision"),
        )
        rota = _amend(
            karen,
            proposal,
            at(5),
            "Forslaget bør sige ærligt, hvad det koster i planlægning.",
            drawbacks=lambda text: "Vagtplanerne bliver sværere at lægge.",
        )

        def decide() -> None:
            amendments.decide(mette, week_amendments["evaluation"], proposal, lc.ADOPTED,
                              now=at(9.5))  # fmt: skip
            amendments.decide(
                aisha,
                minority,
                proposal,
                lc.NOT_ADOPTED,
                "Vi holder fast i to år, så resultatet kan nå budgetforhandlingerne.",
                now=at(9.6),
            )
            amendments.decide(
                mette,
                moot,
                proposal,
                lc.OBSOLETE,
                "Bortfaldet: ændringsforslag 1 om evalueringen er vedtaget.",
                now=at(9.7),
            )
            amendments.decide(
                aisha,
                rota,
                proposal,
                lc.ADOPTED_MODIFIED,
                "Vi har præciseret, at det gælder ældreplejen.",
                edited={"drawbacks": "Vagtplanerne kan blive sværere at lægge i ældreplejen."},
                now=at(9.8),
            )

        return decide

    week = walk_to_support(
        mette,
        "Forsøg med firedages arbejdsuge i kommunen",
        "Kommunens ansatte skal kunne vælge en firedages arbejdsuge med samme timetal i et "
        "toårigt forsøg, der evalueres udefra.",
        "Vi foreslår et **toårigt forsøg** med firedages arbejdsuge for kommunens ansatte.\n\n"
        "Timetallet er det samme; forsøget evalueres af en uafhængig forsker.",
        "Velfærd",
        started=1,
        extra=[aisha],
        heard=amend_the_week,
    )
    support_until_catalogue(week, backers, start=11)
    if week.state == lc.CATALOGUE:
        proposals.add_outcome(
            karen,
            week,
            on=at(30).date(),
            text="Behandlet i økonomiudvalget, der bad om et budget.",
            now=at(30),
        )
        proposals.add_outcome(
            karen,
            week,
            on=at(45).date(),
            text="Vedtaget af byrådet som **toårigt forsøg** fra 1. april.",
            now=at(45),
        )
        stances = ["for"] * 5 + ["against"] * 2 + ["abstain"]
        for i, member in enumerate(members[:40]):
            participation.set_stance(member, week, stances[i % len(stances)], now=at(20 + i // 4))
        for member in members[:6]:
            participation.set_stance(member, week, "against", now=at(34))
        minority = week_amendments["three_years"]
        for i, member in enumerate(members[:20]):
            amendments.set_stance(
                member, minority, week, ("for", "against", "against", "abstain")[i % 4],
                now=at(22 + i // 5),
            )  # fmt: skip
        comments.add_comment(members[5], week, "Glæder mig til at se evalueringen.", now=at(46))

    # More of the catalogue, on other topics: the /catalogue page has something to group.
    for author, title, summary, body, topic, started, outcome, shares in [
        (
            aisha,
            "Solceller på alle offentlige tage",
            "Alle offentlige bygninger med et egnet tag skal have solceller inden 2030, "
            "finansieret af de sparede elregninger.",
            "Alle offentlige bygninger med et **egnet tag** får solceller inden 2030.\n\n"
            "Investeringen betales tilbage af de sparede elregninger på under ti år.",
            "Klima og miljø",
            3,
            "Sendt til teknik- og miljøudvalget, der har bedt om en liste over egnede tage.",
            ["for"] * 6 + ["against", "abstain"],
        ),
        (
            jens,
            "Én indgang til erhvervsfremme for små iværksættere",
            "Små iværksættere skal kunne få al offentlig rådgivning og alle tilladelser ét "
            "sted, med svar inden for fire uger.",
            "Iværksættere får **én indgang** til kommunens og statens erhvervsfremme.\n\n"
            "- Svar på ansøgninger inden for fire uger.\n- Én sagsbehandler fra start til slut.",
            "Erhverv",
            4,
            None,
            ["for"] * 4 + ["against"] * 3 + ["abstain"],
        ),
    ]:
        extra = walk_to_support(author, title, summary, body, topic, started=started)
        support_until_catalogue(extra, backers, start=started + 10)
        if extra.state != lc.CATALOGUE:
            continue
        if outcome:
            proposals.add_outcome(
                karen, extra, on=at(started + 25).date(), text=outcome, now=at(started + 25)
            )
        for i, member in enumerate(members[10:40]):
            participation.set_stance(
                member, extra, shares[i % len(shares)], now=at(started + 18 + i // 5)
            )

    # Retired from the catalogue once it had been carried out.
    museums = walk_to_support(
        soren,
        "Gratis adgang til statens museer for unge under 25",
        "Unge under 25 skal have gratis adgang til alle statslige museer, så kulturen ikke "
        "afhænger af pengepungen.",
        "Unge under 25 får gratis adgang til alle statslige museer.",
        "Uddannelse",
        started=2,
    )
    support_until_catalogue(museums, backers, start=12)
    if museums.state == lc.CATALOGUE:
        proposals.add_outcome(
            karen,
            museums,
            on=at(25).date(),
            text="Indført i finansloven fra 1. januar.",
            now=at(25),
        )
        proposals.transition(
            karen,
            museums,
            lc.RETIRED,
            reason="Gennemført: ordningen er indført i finansloven.",
            now=at(40),
        )


def staying_informed(users: list[User], now: datetime) -> None:
    """Follows, email settings and notifications for the demo people: the history above
    told them of what happened (read and mailed back then, as it would have been), and a
    comment from the last hour waits to be mailed at once to a proposer who wants that."""

    karen, mette, jens, aisha, soren, laerke, peter = users
    topics = {topic.name: topic for topic in db.session.scalars(select(Topic))}
    bus = db.session.scalar(select(Proposal).where(Proposal.title == BUS["title"]))
    follows.follow_topic(peter, topics["Landdistrikter"], now=now - timedelta(days=50))
    follows.follow_topic(mette, topics["Velfærd"], now=now - timedelta(days=50))
    follows.set_following(jens, bus, True, now=now - timedelta(days=11))
    db.session.commit()
    fanout.process_events(now)
    old = now - timedelta(days=1)
    db.session.execute(
        update(Notification)
        .where(Notification.created_at < old)
        .values(email=EMAIL_NONE, mail_id=None)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(Notification)
        .where(Notification.created_at < now - timedelta(days=30))
        .values(read_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(delete(OutgoingMail))
    mette.email_setting = "instant"
    soren.email_setting = "weekly"
    jens.notify_seeking_support = True
    laerke.notify_new_hearings = True
    aisha.language = "en"
    db.session.commit()
    apprentices = db.session.scalar(
        select(Proposal).where(Proposal.title == "Flere lærepladser i små virksomheder")
    )
    comments.add_comment(
        peter,
        apprentices,
        "Kunne tilskuddet også gælde voksenlærlinge over 25?",
        now=now - timedelta(hours=1),
    )
    db.session.commit()
    fanout.process_events(now)
    # A digest whose time came within the hour (07:00, Mondays for the weekly one) would
    # have taken the comment then: it is not sent again when the worker starts.
    for batch in digests.due_batches(now):
        db.session.execute(
            update(Notification)
            .where(
                Notification.email == EMAIL_DIGEST,
                Notification.mail_id.is_(None),
                Notification.created_at < batch.cutoff,
                Notification.user_id.in_(
                    select(User.id).where(User.email_setting.in_(batch.settings))
                ),
            )
            .values(email=EMAIL_NONE)
            .execution_options(synchronize_session=False)
        )
    db.session.commit()


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Fill an empty database with a realistic Danish demo."""
    if db.session.scalar(select(func.count()).select_from(User)):
        click.echo("The database already has accounts; the demo was not loaded.")
    else:
        now = utcnow()
        users = load_demo(now)
        db.session.commit()
        staying_informed(users, now)
        click.echo("Demo loaded.")
    if accounts.find_by_email(DEMO_USERS[0][1]) is None:
        return
    click.echo(f"\nDemo logins (password for all: {DEMO_PASSWORD}):")
    for name, email, roles in DEMO_USERS:
        label = ", ".join(sorted(roles)) or "citizen"
        click.echo(f"  {email:<28} {name:<20} {label}")
    click.echo(f"  medlem01@example.org … medlem{EXTRA_MEMBERS}@example.org: more members")
