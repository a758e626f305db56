"""What people do with amendments: file, edit, withdraw, back and take back; and what the
proposers do: decide. Plain functions taking the acting user and `now`; the caller commits
once. The rules are lifecycle's (app.proposals.lifecycle, "amendments")."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from sqlalchemy import delete, select, update
from sqlalchemy.orm.attributes import set_committed_value

from app.accounts.models import User
from app.amendments import search
from app.amendments.hunks import hunks
from app.amendments.models import (
    Amendment,
    AmendmentBacking,
    AmendmentStance,
    AmendmentStanceDay,
)
from app.core import audit, editing, outbox
from app.core.extensions import db
from app.core.markup import render_markdown
from app.core.sql import bump, insert_if_absent, upsert
from app.proposals import lifecycle as lc
from app.proposals import services as proposal_services
from app.proposals.models import Proposal, Version
from app.proposals.participation import LOCAL_TIME, change_stance

MAX_JUSTIFICATION = 2_000
MAX_SUMMARY = 400
MAX_MARKDOWN = 50_000
MAX_REASON = 2_000
FIELDS = lc.AMENDABLE_FIELDS
MARKDOWN = ("body", "drawbacks")


def hearing_text(proposal: Proposal) -> dict[str, str]:
    """The hearing version's amendable fields: what every amendment is written against."""
    version = db.session.scalar(
        select(Version).where(
            Version.proposal_id == proposal.id, Version.number == proposal.hearing_version
        )
    )
    if version is None:  # never heard: nothing to amend (the rules refuse before this)
        raise lc.WrongState("amendments_in_hearing", source=proposal.state)
    return {name: getattr(version, name) for name in FIELDS}


def changed_fields(hearing: dict[str, str], text: dict[str, str]) -> list[str]:
    return [
        name
        for name in FIELDS
        if editing.plain_lines(text[name]).strip() != editing.plain_lines(hearing[name]).strip()
    ]


def _check_lengths(text: dict[str, str], justification: str) -> None:
    if not text["summary"].strip() or len(text["summary"]) > MAX_SUMMARY:
        raise lc.Invalid("amendment_summary_length", max=MAX_SUMMARY)
    if not text["body"].strip() or len(text["body"]) > MAX_MARKDOWN:
        raise lc.Invalid("amendment_body_length", max=MAX_MARKDOWN)
    if len(text["drawbacks"]) > MAX_MARKDOWN:
        raise lc.Invalid("amendment_body_length", max=MAX_MARKDOWN)
    if not justification.strip() or len(justification) > MAX_JUSTIFICATION:
        raise lc.Invalid("justification_length", max=MAX_JUSTIFICATION)


def _derived(hearing: dict[str, str]):
    """What a save of an amendment's text sets beside it: what it changes, its diff, and
    the justification's HTML."""

    def derived(values: dict[str, str]) -> dict:
        text = {name: values[name] for name in FIELDS}
        return {
            "changed": " ".join(changed_fields(hearing, text)),
            "hunks": hunks(hearing, text),
            "justification_html": render_markdown(values["justification"]),
        }

    return derived


def _subject(hearing: dict[str, str]) -> editing.Subject:
    return editing.Subject(
        kind="amendment",
        model=Amendment,
        fields=(*FIELDS, "justification"),
        markdown=(*MARKDOWN, "justification"),
        derived=_derived(hearing),
    )


def has_open(user: User, proposal: Proposal) -> bool:
    return (
        db.session.scalar(
            select(Amendment.id).where(
                Amendment.proposal_id == proposal.id,
                Amendment.author_id == user.id,
                Amendment.state == lc.OPEN,
            )
        )
        is not None
    )


def file(
    author: User, proposal: Proposal, text: dict[str, str], justification: str, *, now: datetime
) -> Amendment:
    """A member's new wording for the hearing version, with why."""
    lc.check_file_amendment(
        proposal.state,
        is_member=author.is_member,
        is_proposer=proposal_services.is_proposer(author, proposal),
        has_open=has_open(author, proposal),
    )
    text = {name: editing.plain_lines(text.get(name) or "") for name in FIELDS}
    justification = editing.plain_lines(justification or "")
    _check_lengths(text, justification)
    hearing = hearing_text(proposal)
    changed = changed_fields(hearing, text)
    lc.check_amendment_changes(changed)
    (number,) = bump(Proposal, proposal.id, proposal, amendment_count=1)
    values = {**text, "justification": justification}
    amendment = Amendment(
        proposal_id=proposal.id,
        number=number,
        author_id=author.id,
        version=proposal.hearing_version,
        **values,
        **_derived(hearing)(values),
        revision=1,
        state=lc.OPEN,
        created_at=now,
        updated_at=now,
    )
    db.session.add(amendment)
    db.session.flush()
    editing.record(_subject(hearing), amendment.id, 1, values, author.id, now)
    search.reindex(proposal)
    outbox.record(
        "amendment",
        now=now,
        proposal_id=proposal.id,
        actor_id=author.id,
        data={"amendment_id": amendment.id, "number": number},
    )
    return amendment


def edit(
    author: User,
    amendment: Amendment,
    proposal: Proposal,
    text: dict[str, str],
    justification: str,
    *,
    base_revision: int | None,
    now: datetime,
) -> editing.Saved:
    """Its author changes the words while the hearing lasts; every save is kept, and a
    save from an older form is merged with what was saved since (or is a conflict)."""
    lc.check_edit_amendment(
        proposal.state, amendment.state, is_author=amendment.author_id == author.id
    )
    text = {name: editing.plain_lines(text.get(name) or "") for name in FIELDS}
    justification = editing.plain_lines(justification or "")
    _check_lengths(text, justification)
    hearing = hearing_text(proposal)
    lc.check_amendment_changes(changed_fields(hearing, text))
    saved = editing.save(
        _subject(hearing),
        amendment.id,
        amendment.revision if base_revision is None else base_revision,
        {**text, "justification": justification},
        author_id=author.id,
        now=now,
        extra={"updated_at": now},
    )
    if not saved.ok:
        raise editing.Conflict(saved)
    db.session.refresh(amendment)
    lc.check_amendment_changes(amendment.fields)  # merged with another save into nothing
    search.reindex(proposal)
    return saved


def _close(amendment: Amendment, **values) -> None:
    """Leave the open state exactly once, whoever else acts at the same moment."""
    changed = db.session.execute(
        update(Amendment)
        .where(Amendment.id == amendment.id, Amendment.state == lc.OPEN)
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        raise lc.WrongState("amendment_closed")
    db.session.refresh(amendment)


def withdraw(author: User, amendment: Amendment, *, now: datetime) -> None:
    lc.check_withdraw_amendment(amendment.state, is_author=amendment.author_id == author.id)
    _close(amendment, state=lc.WITHDRAWN, withdrawn_at=now, updated_at=now)
    search.reindex(db.session.get(Proposal, amendment.proposal_id))


def back(user: User, amendment: Amendment, proposal: Proposal, *, now: datetime) -> bool:
    """Back an amendment once; False when this member already did."""
    lc.check_back_amendment(
        proposal.state,
        amendment.state,
        is_member=user.is_member,
        is_author=amendment.author_id == user.id,
    )
    if not insert_if_absent(
        AmendmentBacking, amendment_id=amendment.id, user_id=user.id, created_at=now
    ):
        return False
    bump(Amendment, amendment.id, amendment, backer_count=1)
    return True


def unback(user: User, amendment: Amendment, proposal: Proposal, *, now: datetime) -> bool:
    """Take one's backing back; False when there was none."""
    lc.check_back_amendment(
        proposal.state,
        amendment.state,
        is_member=user.is_member,
        is_author=amendment.author_id == user.id,
    )
    gone = db.session.execute(
        delete(AmendmentBacking).where(
            AmendmentBacking.amendment_id == amendment.id, AmendmentBacking.user_id == user.id
        )
    ).rowcount
    if gone != 1:
        return False
    bump(Amendment, amendment.id, amendment, backer_count=-1)
    return True


# --- deciding --------------------------------------------------------------------------------


@dataclass
class Collision(Exception):  # noqa: N818 (what it is, as editing.Conflict)
    """Adopting met the proposers' own change (or an earlier adopted amendment) in the same
    paragraph: nothing was saved. `proposed` is the text to edit and send back: the
    amendment merged in wherever it could be, the proposal's current text in `conflicts`."""

    amendment: Amendment
    revision: int
    conflicts: list[str]
    hearing: dict[str, str]
    current: dict[str, str]
    proposed: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return ", ".join(self.conflicts)


def merged_text(amendment: Amendment, proposal: Proposal) -> editing.Merge:
    """The amendment's changes merged into the current text, against the hearing version:
    its own changed fields only."""
    hearing = hearing_text(proposal)
    fields = amendment.fields
    return editing.merge(
        {name: hearing[name] for name in fields},
        {name: getattr(proposal, name) for name in fields},
        {name: getattr(amendment, name) for name in fields},
        markdown=MARKDOWN,
    )


def _content(proposal: Proposal, text: dict[str, str]) -> proposal_services.Content:
    return proposal_services.Content(
        title=proposal.title,
        summary=text.get("summary", proposal.summary),
        body=text.get("body", proposal.body),
        topic_id=proposal.topic_id,
        drawbacks=text.get("drawbacks", proposal.drawbacks),
        process=proposal.process,
        materials=proposal.materials,
        organisations=proposal.organisations,
    )


def decide(
    proposer: User,
    amendment: Amendment,
    proposal: Proposal,
    verdict: str,
    reason: str = "",
    *,
    edited: dict[str, str] | None = None,
    base_revision: int | None = None,
    now: datetime,
) -> Version | None:
    """A proposer's decision. Adopting merges the amendment into the current text (base: the
    hearing version) and saves a version named after it; where it meets another change
    in the same paragraph, `Collision` and nothing saved. `edited`: the text the proposer
    made of it (adopted with changes, or a collision resolved), saved as shared text on
    `base_revision`. Returns the new version, if the text changed."""
    lc.check_decide(
        proposal.state,
        amendment.state,
        verdict,
        reason,
        is_proposer=proposal_services.acts_as_proposer(proposer, proposal),
    )
    version = None
    if verdict in lc.ADOPTING:
        if edited is None and verdict == lc.ADOPTED_MODIFIED:
            raise lc.Invalid("modified_text_required")
        if edited is None:
            merge = merged_text(amendment, proposal)
            if merge.conflicts:
                raise _collision(amendment, proposal, merge)
            text, base_revision = merge.values, proposal.revision
        else:
            text = {
                name: editing.plain_lines(edited.get(name, getattr(proposal, name)))
                for name in FIELDS
            }
            _check_lengths(text, "given")
        version = proposal_services.edit(
            proposer,
            proposal,
            _content(proposal, text),
            now=now,
            base_revision=base_revision,
            amendment=amendment.number,
        )
    _close(
        amendment,
        state=lc.DECIDED,
        verdict=verdict,
        reason=(reason or "").strip(),
        decided_at=now,
        decided_by_id=proposer.id,
        adopted_in=version.number if version else None,
        updated_at=now,
    )
    audit.record(
        proposer,
        "amendment",
        subject=f"{amendment.number} {verdict}",
        proposal_id=proposal.id,
        reason=reason,
        now=now,
    )
    outbox.record(
        "amendment_decided",
        now=now,
        proposal_id=proposal.id,
        actor_id=proposer.id,
        data={"amendment_id": amendment.id, "number": amendment.number, "verdict": verdict},
    )
    return version


def _collision(amendment: Amendment, proposal: Proposal, merge: editing.Merge) -> Collision:
    current = {name: getattr(proposal, name) for name in FIELDS}
    proposed = {**current, **merge.values}
    return Collision(
        amendment,
        proposal.revision,
        merge.conflicts,
        hearing_text(proposal),
        current,
        proposed,
    )


# --- stances on minority amendments ------------------------------------------------------------


def set_stance(
    user: User, amendment: Amendment, proposal: Proposal, value: str, *, now: datetime
) -> bool:
    """State, change or (empty `value`) remove where the member stands on a minority
    amendment in the catalogue. True when something changed; the counts move with it, and
    the day's counts are kept for the chart."""
    lc.check_amendment_stance(
        proposal.state, value or "for", is_member=user.is_member, minority=amendment.minority
    )
    changed = change_stance(AmendmentStance, "amendment_id", amendment, user.id, value, now=now)
    if changed:
        upsert(
            AmendmentStanceDay,
            ["amendment_id", "day"],
            amendment_id=amendment.id,
            day=now.astimezone(LOCAL_TIME).date(),
            stance_for=amendment.stance_for,
            stance_against=amendment.stance_against,
            stance_abstain=amendment.stance_abstain,
        )
    return changed


def stance_history(amendment: Amendment) -> list[AmendmentStanceDay]:
    return db.session.scalars(
        select(AmendmentStanceDay)
        .where(AmendmentStanceDay.amendment_id == amendment.id)
        .order_by(AmendmentStanceDay.day)
    ).all()


# --- what the lifecycle asks of amendments ---------------------------------------------------


@proposal_services.fact_source
def _undecided(proposal: Proposal) -> dict:
    """In revision, the numbers of the amendments still open: support waits for them."""
    if proposal.state != lc.REVISION or not proposal.amendment_count:
        return {}
    numbers = db.session.scalars(
        select(Amendment.number)
        .where(Amendment.proposal_id == proposal.id, Amendment.state == lc.OPEN)
        .order_by(Amendment.number)
    ).all()
    return {"undecided_amendments": tuple(numbers)}


@proposal_services.on_move
def _minorities(proposal: Proposal, source: str, target: str, actor, now: datetime) -> None:
    """Moving to support fixes which not-adopted amendments go with it."""
    if (source, target) != (lc.REVISION, lc.SUPPORT) or not proposal.amendment_count:
        return
    threshold = current_app.config["MINORITY_THRESHOLD"]
    decided = db.session.execute(
        select(Amendment.id, Amendment.verdict, Amendment.backer_count).where(
            Amendment.proposal_id == proposal.id, Amendment.state == lc.DECIDED
        )
    ).all()
    minority = [
        row.id for row in decided if lc.is_minority(row.verdict, row.backer_count, threshold)
    ]
    if minority:
        db.session.execute(
            update(Amendment)
            .where(Amendment.id.in_(minority))
            .values(minority=True)
            .execution_options(synchronize_session=False)
        )
        for amendment in db.session.identity_map.values():  # loaded ones say so too
            if isinstance(amendment, Amendment) and amendment.id in minority:
                set_committed_value(amendment, "minority", True)
