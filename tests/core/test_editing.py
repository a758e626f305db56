"""Writing together: the three-way merge as a table of cases, and saves of a proposal and a
topic against an older base on the real database (SQLite, and PostgreSQL in its run):
different fields and different paragraphs are both kept, the same passage is refused with
nothing saved, and two saves from one base at the same instant never lose a word."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.core import editing
from app.core.extensions import db
from app.proposals import lifecycle as lc
from app.proposals import services
from app.proposals.models import Proposal, Topic, Version
from app.secretariat import services as secretariat
from tests.support.proposals import CONTENT, add_proposer

T0 = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)

A, B, C, D = (
    "Første afsnit om busser.",
    "Andet afsnit om tog.",
    "Tredje afsnit om cykler.",
    "Fjerde afsnit om færger.",
)


def text(*paragraphs: str) -> str:
    return "\n\n".join(paragraphs)


# (case, base, theirs, mine, merged or None for a conflict)
MERGES = [
    ("nobody changed it", text(A, B), text(A, B), text(A, B), text(A, B)),
    ("only they changed it", text(A, B), text(A, "Nyt."), text(A, B), text(A, "Nyt.")),
    ("only I changed it", text(A, B), text(A, B), text(A, "Nyt."), text(A, "Nyt.")),
    ("both made the same change", text(A, B), text(A, "X."), text(A, "X."), text(A, "X.")),
    (
        "different paragraphs",
        text(A, B, C),
        text("A2.", B, C),
        text(A, B, "C2."),
        text("A2.", B, "C2."),
    ),
    (
        "neighbouring paragraphs",
        text(A, B, C),
        text("A2.", B, C),
        text(A, "B2.", C),
        text("A2.", "B2.", C),
    ),
    (
        "they add one, I change another",
        text(A, B),
        text(A, B, C),
        text("A2.", B),
        text("A2.", B, C),
    ),
    ("both add, in different places", text(A, B), text(C, A, B), text(A, B, D), text(C, A, B, D)),
    (
        "they delete one, I change another",
        text(A, B, C),
        text(A, C),
        text(A, B, "C2."),
        text(A, "C2."),
    ),
    (
        "the same sentence",
        text(A, B),
        text(A, "Andet afsnit om fly."),
        text(A, "Andet afsnit om biler."),
        None,
    ),
    ("they delete what I change", text(A, B), text(A), text(A, "B2."), None),
    ("both add at the same place", text(A, B), text(A, C, B), text(A, D, B), None),
    ("line endings of a browser are no change", "A\n\nB", "A\n\nB2", "A\r\n\r\nB", "A\n\nB2"),
    ("an empty text filled by both", "", "Deres.", "Min.", None),
    (
        "an indented code block keeps its indentation",
        text(A, "    kode()", B),
        text("A2.", "    kode()", B),
        text(A, "    kode()", "B2."),
        text("A2.", "    kode()", "B2."),
    ),
    (
        "extra blank lines between paragraphs",
        f"{A}\n\n\n\n{B}",
        f"A2.\n\n\n\n{B}",
        f"{A}\n\n\n\nB2.",
        text("A2.", "B2."),
    ),
]


@pytest.mark.parametrize(
    ("case", "base", "theirs", "mine", "merged"), MERGES, ids=[m[0] for m in MERGES]
)
def test_three_way_merge_of_markdown(case, base, theirs, mine, merged):
    assert editing.merge_text(base, theirs, mine, markdown=True) == merged


def test_a_plain_field_changed_on_both_sides_is_a_conflict():
    assert editing.merge_text("Busser", "Tog", "Cykler", markdown=False) is None
    assert editing.merge_text("Busser", "Tog", "Busser", markdown=False) == "Tog"
    assert editing.merge_text(3, 3, 5, markdown=False) == 5


def test_merge_names_each_conflicting_field_and_keeps_the_rest():
    base = {"title": "Busser", "body": text(A, B)}
    theirs = {"title": "Flere busser", "body": text(A, "B2.")}
    mine = {"title": "Busser", "body": text(A, "B3.")}
    outcome = editing.merge(base, theirs, mine, markdown=("body",))
    assert outcome.conflicts == ["body"]
    assert outcome.values["title"] == "Flere busser"


# --- saves on the database -----------------------------------------------------------------


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield db.session


def content_of(proposal: Proposal, **changes) -> services.Content:
    fields = {name: getattr(proposal, name) for name in services.CONTENT_FIELDS}
    return services.Content(topic_id=proposal.topic_id, **{**fields, **changes})


@pytest.fixture
def draft(ctx, topic, make_user):
    """A draft with two proposers, both of whom opened the edit form at revision 0."""
    first, second = make_user("member", name="Anna"), make_user("member", name="Bent")
    author = db.session.get(User, first.id)
    proposal = services.create(
        author, services.Content(topic_id=topic, **{**CONTENT, "body": text(A, B, C)}), now=T0
    )
    db.session.commit()
    add_proposer(proposal.id, second.id)
    return proposal, author, db.session.get(User, second.id)


def reread(proposal_id: int) -> Proposal:
    db.session.expire_all()
    return db.session.get(Proposal, proposal_id)


def test_different_fields_from_the_same_base_are_both_kept(ctx, draft):
    proposal, anna, bent = draft
    base = vars(content_of(proposal))
    services.edit(
        anna, proposal, content_of(proposal, body=text(A, B, C, D)), now=T0, base_revision=0
    )
    db.session.commit()
    # Bent's form was opened at revision 0: it still holds the old body.
    bents_form = {**base, "title": "Bus til alle landsbyer"}
    services.edit(
        bent, reread(proposal.id), services.Content(**bents_form), now=T0, base_revision=0
    )
    db.session.commit()
    saved = reread(proposal.id)
    assert saved.title == "Bus til alle landsbyer"
    assert saved.body == text(A, B, C, D)
    assert saved.revision == 2
    assert D in str(saved.body_html) and "all landsby" in saved.search_title


def test_different_paragraphs_of_the_body_are_both_kept(ctx, draft):
    proposal, anna, bent = draft
    base = vars(content_of(proposal))
    services.edit(
        anna, proposal, content_of(proposal, body=text("A2.", B, C)), now=T0, base_revision=0
    )
    db.session.commit()
    bents_form = services.Content(**{**base, "body": text(A, B, "C2.")})
    services.edit(bent, reread(proposal.id), bents_form, now=T0, base_revision=0)
    db.session.commit()
    assert reread(proposal.id).body == text("A2.", B, "C2.")


def test_the_same_sentence_is_refused_and_nothing_is_saved(ctx, draft):
    proposal, anna, bent = draft
    base = vars(content_of(proposal))
    services.edit(
        anna,
        proposal,
        content_of(proposal, body=text(A, "Andet afsnit om fly.", C)),
        now=T0,
        base_revision=0,
    )
    db.session.commit()
    with pytest.raises(editing.Conflict) as refused:
        services.edit(
            bent,
            reread(proposal.id),
            services.Content(
                **{**base, "body": text(A, "Andet afsnit om biler.", C), "title": "Bents titel her"}
            ),
            now=T0,
            base_revision=0,
        )
    db.session.rollback()
    saved = refused.value.saved
    assert saved.conflicts == ["body"] and saved.revision == 1
    assert saved.base["body"] == text(A, B, C) and saved.theirs["body"] == text(
        A, "Andet afsnit om fly.", C
    )
    # What the form gets back: Bent's words where they clash, and his title.
    assert saved.to_send_again["body"] == text(A, "Andet afsnit om biler.", C)
    assert saved.to_send_again["title"] == "Bents titel her"
    after = reread(proposal.id)
    assert (after.revision, after.body, after.title) == (
        1,
        text(A, "Andet afsnit om fly.", C),
        CONTENT["title"],
    )
    assert db.session.scalar(select(db.func.count()).select_from(editing.Save)) == 2


def test_every_save_is_kept_with_who_made_it(ctx, draft):
    proposal, anna, bent = draft
    services.edit(
        anna, proposal, content_of(proposal, body=text(A, B, C, D)), now=T0, base_revision=0
    )
    db.session.commit()
    services.edit(
        bent,
        reread(proposal.id),
        content_of(reread(proposal.id), title="Ny titel her"),
        now=T0,
        base_revision=1,
    )
    db.session.commit()
    saves = db.session.scalars(select(editing.Save).order_by(editing.Save.revision)).all()
    assert [(s.revision, s.author_id) for s in saves] == [(0, anna.id), (1, anna.id), (2, bent.id)]
    assert saves[0].values["body"] == text(A, B, C)
    assert (
        saves[1].values["body"] == text(A, B, C, D) and saves[1].values["title"] == CONTENT["title"]
    )
    assert saves[2].values["title"] == "Ny titel her"


def test_a_save_that_changes_nothing_makes_no_revision(ctx, draft):
    proposal, anna, _ = draft
    services.edit(anna, proposal, content_of(proposal), now=T0, base_revision=0)
    db.session.commit()
    assert reread(proposal.id).revision == 0


def test_in_revision_a_merged_save_is_a_version(ctx, draft):
    proposal, anna, bent = draft
    proposal.state = lc.REVISION
    db.session.commit()
    base = vars(content_of(proposal))
    services.edit(
        anna, proposal, content_of(proposal, body=text("A2.", B, C)), now=T0, base_revision=0
    )
    db.session.commit()
    bents_form = services.Content(**{**base, "body": text(A, B, "C2.")})
    services.edit(bent, reread(proposal.id), bents_form, now=T0, base_revision=0)
    db.session.commit()
    versions = db.session.scalars(select(Version).order_by(Version.number)).all()
    assert [v.body for v in versions][-1] == text("A2.", B, "C2.")


def save_at_the_same_instant(app, draft, forms: list[dict]) -> list[str]:
    """Anna and Bent each save their form, written on revision 0, released together by a
    barrier in threads of their own: "saved" or "refused" for each."""
    proposal, anna, bent = draft
    proposal_id, ids = proposal.id, (anna.id, bent.id)
    start = threading.Barrier(2)
    outcomes: list = [None, None]

    def save(i: int) -> None:
        with app.app_context():
            person = db.session.get(User, ids[i])
            target = db.session.get(Proposal, proposal_id)
            start.wait()
            try:
                services.edit(person, target, services.Content(**forms[i]), now=T0, base_revision=0)
                db.session.commit()
                outcomes[i] = "saved"
            except editing.Conflict:
                db.session.rollback()
                outcomes[i] = "refused"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=save, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return outcomes


def test_two_saves_from_one_base_at_the_same_instant_lose_nothing(app, draft):
    proposal_id = draft[0].id
    base = vars(content_of(draft[0]))
    forms = [
        {**base, "body": text("A2.", B, C)},  # Anna's first paragraph
        {**base, "body": text(A, B, "C2."), "title": "Bents titel her"},  # Bent's last, and title
    ]
    assert save_at_the_same_instant(app, draft, forms) == ["saved", "saved"]
    saved = reread(proposal_id)
    assert saved.body == text("A2.", B, "C2.") and saved.title == "Bents titel her"
    assert saved.revision == 2
    revisions = db.session.scalars(
        select(editing.Save.revision)
        .where(editing.Save.subject_id == proposal_id)
        .order_by(editing.Save.revision)
    ).all()
    assert revisions == [0, 1, 2]


def test_two_clashing_saves_at_the_same_instant_one_wins_one_is_refused(app, draft):
    base = vars(content_of(draft[0]))
    bodies = [text(A, "Andet afsnit om fly.", C), text(A, "Andet afsnit om biler.", C)]
    forms = [{**base, "body": body} for body in bodies]
    outcomes = save_at_the_same_instant(app, draft, forms)
    assert sorted(outcomes) == ["refused", "saved"]
    saved = reread(draft[0].id)
    assert saved.body == bodies[outcomes.index("saved")] and saved.revision == 1


def test_topic_renames_from_the_same_page_do_not_pass_each_other_by(ctx, make_user):
    chief = db.session.get(User, make_user("secretariat").id)
    topic = secretariat.create_topic(chief, "Trafik", now=T0)
    db.session.commit()
    secretariat.rename_topic(chief, topic, "Transport", now=T0, base_revision=0)
    db.session.commit()
    with pytest.raises(editing.Conflict) as refused:
        secretariat.rename_topic(chief, topic, "Mobilitet", now=T0, base_revision=0)
    db.session.rollback()
    assert refused.value.saved.theirs == {"name": "Transport"}
    assert db.session.get(Topic, topic.id).name == "Transport"
    # Sent again from what it is now, it is saved.
    secretariat.rename_topic(chief, topic, "Mobilitet", now=T0, base_revision=1)
    db.session.commit()
    assert db.session.get(Topic, topic.id).name == "Mobilitet"
