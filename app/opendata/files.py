"""The five CSV files of /data: their columns (as data, so that the page describing them and
the files themselves cannot disagree), their rows, and the validator that tells a harvester
whether anything changed.

Rows are read a batch at a time (`yield_per`: a server-side cursor on PostgreSQL) and written
as they are read, so memory stays the same whatever the number of proposals; the proposers'
names cost one query per batch. Only public proposals appear, and only counts: never a
person's own support or stance, never an email address. The files are written in the site's
default language (it shows only in a deleted account's name), whoever asks, so that every
harvester gets the same file and shared caches may keep it.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from threading import Lock

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger, case, cast, func, literal, select
from sqlalchemy.dialects.postgresql import aggregate_order_by

from app.accounts.models import User, deleted_user
from app.amendments.models import Amendment, AmendmentBacking, AmendmentStance
from app.comments.models import Comment
from app.core.database import utcnow
from app.core.extensions import db
from app.core.i18n import DEFAULT_LANGUAGE, iso, spoken_languages
from app.core.urls import public_url
from app.proposals.models import (
    Proposal,
    ProposalLike,
    Proposer,
    StanceDay,
    Support,
    Topic,
    TransitionEvent,
)
from app.proposals.participation import LOCAL_TIME

# Rows read and written per batch: one query for the proposers' names per batch.
DEFAULT_BATCH = 1000
# What a spreadsheet would run as a formula at the start of a cell (PRODUCT.md).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PROPOSER_SEPARATOR = "; "


def cell(text: str | None) -> str:
    """Text a person wrote, safe to open in a spreadsheet: a leading formula character
    gets a ' in front (CSV injection). Only for user text, never numbers or times."""
    text = text or ""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


@dataclass(frozen=True)
class DataFile:
    name: str  # the file's name under /data/
    title: object  # lazy text: what the file holds
    columns: tuple[tuple[str, object], ...]  # (header, what it means)
    rows: object  # callable(batch) -> iterator of row lists

    @property
    def header(self) -> list[str]:
        return [name for name, _ in self.columns]


# --- the rows --------------------------------------------------------------------------------


def _public():
    return Proposal.is_public


def _deleted_name() -> str:
    """A deleted account's name in the site's default language: the same in every file."""
    language = DEFAULT_LANGUAGE if DEFAULT_LANGUAGE in spoken_languages() else "en"
    with force_locale(language):
        return str(deleted_user())


def _batches(statement, batch: int) -> Iterator[list]:
    result = db.session.execute(statement.execution_options(yield_per=batch))
    try:
        yield from result.partitions()
    finally:
        result.close()


def _proposal_url():
    """public_url for a proposal's page, built once: a route build per row cost more than
    the rest of the row."""
    marker = 2**31 - 1  # the largest id a route takes
    before, after = public_url("proposals.detail", proposal_id=marker).split(str(marker))
    return lambda proposal_id: f"{before}{proposal_id}{after}"


def proposal_rows(batch: int) -> Iterator[list]:
    deleted = _deleted_name()
    url = _proposal_url()
    statement = (
        select(
            Proposal.id,
            Proposal.title,
            Proposal.summary,
            Proposal.state,
            Topic.name.label("topic"),
            Proposal.created_at,
            Proposal.state_changed_at,
            Proposal.hearing_ends_at,
            Proposal.support_deadline,
            Proposal.support_count,
            Proposal.support_threshold,
            Proposal.like_count,
            Proposal.comment_count,
            Proposal.stance_for,
            Proposal.stance_against,
            Proposal.stance_abstain,
        )
        .join(Topic, Topic.id == Proposal.topic_id)
        .where(_public())
        .order_by(Proposal.id)
    )
    for rows in _batches(statement, batch):
        names: dict[int, list[str]] = {}
        for proposal_id, name in db.session.execute(
            select(Proposer.proposal_id, User.name)
            .outerjoin(User, User.id == Proposer.user_id)
            .where(Proposer.proposal_id.in_([row.id for row in rows]))
            .order_by(Proposer.proposal_id, Proposer.position)
        ):
            names.setdefault(proposal_id, []).append(deleted if name is None else name)
        for p in rows:
            # As the API says it: a deadline only with a threshold, both from support on.
            seeking = p.support_threshold is not None
            yield [
                p.id,
                url(p.id),
                cell(p.title),
                cell(p.summary),
                p.state,
                cell(p.topic),
                PROPOSER_SEPARATOR.join(cell(name) for name in names.get(p.id, ())),
                iso(p.created_at),
                iso(p.state_changed_at),
                iso(p.hearing_ends_at),
                iso(p.support_deadline) if seeking else "",
                p.support_count,
                p.support_threshold if seeking else "",
                p.like_count,
                p.comment_count,
                p.stance_for,
                p.stance_against,
                p.stance_abstain,
            ]


def event_rows(batch: int) -> Iterator[list]:
    deleted = _deleted_name()
    statement = (
        select(
            TransitionEvent.proposal_id,
            TransitionEvent.from_state,
            TransitionEvent.to_state,
            TransitionEvent.actor_id,
            TransitionEvent.actor_erased,
            User.name,
            TransitionEvent.reason,
            TransitionEvent.at,
        )
        .join(Proposal, Proposal.id == TransitionEvent.proposal_id)
        .outerjoin(User, User.id == TransitionEvent.actor_id)
        .where(_public())
        .order_by(TransitionEvent.proposal_id, TransitionEvent.id)
    )
    for rows in _batches(statement, batch):
        for e in rows:
            if e.actor_id is not None:
                actor = cell(e.name)
            else:
                actor = deleted if e.actor_erased else "system"
            yield [e.proposal_id, e.from_state or "", e.to_state, actor, cell(e.reason), iso(e.at)]


def amendment_rows(batch: int) -> Iterator[list]:
    """Every amendment of a public proposal with what became of it; stances on the minority
    amendments that went with their proposal (empty for the others)."""
    deleted = _deleted_name()
    statement = (
        select(Amendment, User.name)
        .join(Proposal, Proposal.id == Amendment.proposal_id)
        .outerjoin(User, User.id == Amendment.author_id)
        .where(_public())
        .order_by(Amendment.id)
    )
    for rows in _batches(statement, batch):
        for a, name in rows:
            stances = (
                (a.stance_for, a.stance_against, a.stance_abstain) if a.minority else ("",) * 3
            )
            yield [
                a.id,
                a.proposal_id,
                deleted if name is None else cell(name),
                " ".join(a.fields),
                a.state,
                a.verdict or "",
                cell(a.reason),
                a.backer_count,
                "true" if a.minority else "false",
                *stances,
                iso(a.created_at),
                iso(a.decided_at),
            ]


def _utc_hour(column):
    """The hour of a time as text, 'YYYY-MM-DD HH' in UTC, computed by the database."""
    if db.session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM-DD HH24")
    return func.substr(column, 1, 13)  # SQLite keeps UTC times as 'YYYY-MM-DD HH:MM:SS…'


def support_day_rows(batch: int) -> Iterator[list]:
    """New supports per proposal and day (Danish time), with the running total. The
    database counts them per UTC hour (Danish time is a whole number of hours from UTC,
    so an hour lies within one Danish day); the hours are summed into days as they
    stream by, holding only the current day."""
    hour = _utc_hour(Support.created_at)
    statement = (
        select(Support.proposal_id, hour, func.count())
        .join(Proposal, Proposal.id == Support.proposal_id)
        .where(_public())
        .group_by(Support.proposal_id, hour)
        .order_by(Support.proposal_id, hour)
    )
    current = None  # (proposal_id, day)
    new = total = 0
    for rows in _batches(statement, batch):
        for proposal_id, utc_hour, count in rows:
            at = datetime.strptime(utc_hour, "%Y-%m-%d %H").replace(tzinfo=UTC)
            key = (proposal_id, at.astimezone(LOCAL_TIME).date())
            if key != current:
                if current is not None:
                    yield [current[0], current[1].isoformat(), new, total]
                if current is None or current[0] != proposal_id:
                    total = 0
                current, new = key, 0
            new += count
            total += count
    if current is not None:
        yield [current[0], current[1].isoformat(), new, total]


def stance_day_rows(batch: int) -> Iterator[list]:
    statement = (
        select(
            StanceDay.proposal_id,
            StanceDay.day,
            StanceDay.stance_for,
            StanceDay.stance_against,
            StanceDay.stance_abstain,
        )
        .join(Proposal, Proposal.id == StanceDay.proposal_id)
        .where(_public())
        .order_by(StanceDay.proposal_id, StanceDay.day)
    )
    for rows in _batches(statement, batch):
        for s in rows:
            yield [
                s.proposal_id,
                s.day.isoformat(),
                s.stance_for,
                s.stance_against,
                s.stance_abstain,
            ]


# --- the files -------------------------------------------------------------------------------

UTC_TIME = _l("UTC time, ISO 8601 (e.g. 2026-03-01T09:30:00Z).")
LOCAL_DAY = _l("The day in Danish time (Europe/Copenhagen), as YYYY-MM-DD.")

FILES = {
    f.name: f
    for f in (
        DataFile(
            "proposals.csv",
            _l("Every public proposal, one row each, with its figures as they are now."),
            (
                ("id", _l("The proposal's number, as in its address and in the API.")),
                ("url", _l("The address of the proposal's page.")),
                ("title", _l("The title.")),
                ("summary", _l("The summary, plain text of at most 400 characters.")),
                (
                    "state",
                    _l(
                        "Where the proposal is now: hearing, revision, support, catalogue, "
                        "withdrawn, rejected, lapsed or retired."
                    ),
                ),
                ("topic", _l("The topic's name.")),
                (
                    "proposers",
                    _l(
                        'The proposers\' names in their numbered order, separated by "; ". '
                        'A person who has deleted their account appears as "Slettet bruger".'
                    ),
                ),
                ("created_at", _l("When the proposal was created. %(utc)s", utc=UTC_TIME)),
                (
                    "state_changed_at",
                    _l("When it last changed state. %(utc)s", utc=UTC_TIME),
                ),
                (
                    "hearing_ends_at",
                    _l("When its hearing ends or ended; empty without one. %(utc)s", utc=UTC_TIME),
                ),
                (
                    "support_deadline",
                    _l(
                        "The deadline for support; empty before it seeks support. %(utc)s",
                        utc=UTC_TIME,
                    ),
                ),
                ("support_count", _l("How many members support it (people).")),
                (
                    "support_threshold",
                    _l(
                        "How many supporters it needs to enter the political catalogue; "
                        "empty before it seeks support."
                    ),
                ),
                ("likes", _l("How many people like it.")),
                (
                    "comment_count",
                    _l("How many comments it has, not counting deleted and hidden ones."),
                ),
                ("stance_for", _l("How many members are for it now (catalogue).")),
                ("stance_against", _l("How many members are against it now.")),
                ("stance_abstain", _l("How many members abstain now.")),
            ),
            proposal_rows,
        ),
        DataFile(
            "events.csv",
            _l("Every step on the public timelines, oldest first for each proposal."),
            (
                ("proposal_id", _l("The proposal's number (the id in proposals.csv).")),
                ("from", _l("The state before the step; empty for the first.")),
                ("to", _l("The state after the step.")),
                (
                    "actor",
                    _l(
                        'Who took the step: a person\'s name, or "system" when a deadline '
                        "or the support threshold moved the proposal."
                    ),
                ),
                ("reason", _l("The reason given; often empty.")),
                ("at", _l("When. %(utc)s", utc=UTC_TIME)),
            ),
            event_rows,
        ),
        DataFile(
            "support-daily.csv",
            _l("New supports per proposal and day, for the days with any."),
            (
                ("proposal_id", _l("The proposal's number (the id in proposals.csv).")),
                ("date", LOCAL_DAY),
                (
                    "supports",
                    _l("Supports given that day and not withdrawn since (people)."),
                ),
                ("support_total", _l("The proposal's supports up to the end of that day.")),
            ),
            support_day_rows,
        ),
        DataFile(
            "stances-daily.csv",
            _l("The stance counts per catalogue proposal at the end of each day with a change."),
            (
                ("proposal_id", _l("The proposal's number (the id in proposals.csv).")),
                ("date", LOCAL_DAY),
                ("stance_for", _l("Members for it at the end of that day.")),
                ("stance_against", _l("Members against it at the end of that day.")),
                ("stance_abstain", _l("Members abstaining at the end of that day.")),
            ),
            stance_day_rows,
        ),
        DataFile(
            "amendments.csv",
            _l("Every amendment of a public proposal, and what the proposers decided."),
            (
                ("id", _l("The amendment's number on this site.")),
                ("proposal_id", _l("The proposal's number (the id in proposals.csv).")),
                ("author", _l("Who filed it, as shown on the site.")),
                ("fields", _l("The parts it changes: summary, body, drawbacks.")),
                ("state", _l("open, withdrawn or decided.")),
                (
                    "verdict",
                    _l("adopted, adopted_modified, not_adopted or obsolete; empty until decided."),
                ),
                ("reason", _l("The proposers' reason; often empty when adopted.")),
                ("backers", _l("Members backing it (people).")),
                (
                    "minority",
                    _l("true when it went with the proposal to support as a minority amendment."),
                ),
                ("stance_for", _l("Members for it now (minority amendments only).")),
                ("stance_against", _l("Members against it now (minority amendments only).")),
                ("stance_abstain", _l("Members abstaining now (minority amendments only).")),
                ("created_at", _l("When it was filed. %(utc)s", utc=UTC_TIME)),
                ("decided_at", _l("When it was decided; empty until then. %(utc)s", utc=UTC_TIME)),
            ),
            amendment_rows,
        ),
    )
}


def chunks(data_file: DataFile) -> Iterator[bytes]:
    """The file as UTF-8 bytes (no byte order mark), a batch of rows at a time."""
    batch = int(current_app.config.get("OPEN_DATA_BATCH", DEFAULT_BATCH))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(data_file.header)
    for written, row in enumerate(data_file.rows(batch), start=1):
        writer.writerow(row)
        if written % batch == 0:
            yield _drain(buffer)
    yield _drain(buffer)


def _drain(buffer: io.StringIO) -> bytes:
    data = buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    return data


# --- has anything changed? -------------------------------------------------------------------


def _scalar(column):
    return select(column).scalar_subquery()


def _weighted(counter):
    # Two counters moving opposite ways on two proposals leave a plain sum as it was;
    # weighted by the proposal's id they do not.
    return func.coalesce(func.sum(cast(Proposal.id, BigInteger) * counter), 0)


def _names(user_id, order):
    """Every name that `user_id` points at, as one value: their md5 on PostgreSQL, the
    names joined on SQLite (which has no md5; the caller hashes them)."""
    names = select(User.name).select_from(user_id.class_).join(User, User.id == user_id)
    if db.session.get_bind().dialect.name == "postgresql":
        joined = func.string_agg(User.name, aggregate_order_by(literal("|"), order))
        return names.with_only_columns(func.md5(joined)).scalar_subquery()
    ordered = names.add_columns(order).order_by(order).subquery()
    return select(func.group_concat(ordered.c.name, "|")).scalar_subquery()


@dataclass(frozen=True)
class Version:
    etag: str
    last_modified: datetime


def version() -> Version:
    """A validator of everything the five files show: one aggregate query over what the
    files read, every part of it served by an index or a small table (counts, sums and
    id-weighted sums of the counters, which change without any time being stamped; the
    newest ids of the rows counted), and the names the files show (a rename stamps nothing
    either).

    Last-Modified is when this process first saw the current version (never before the
    change itself): a support withdrawn, a stance changed or a name corrected has no time
    of its own to give, and an older date would answer 304 to a file that changed."""
    facts = db.session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(Proposal.id), 0),
            func.max(Proposal.updated_at),
            func.max(Proposal.state_changed_at),
            func.coalesce(func.sum(Proposal.support_count), 0),
            func.coalesce(func.sum(Proposal.like_count), 0),
            func.coalesce(func.sum(Proposal.comment_count), 0),
            func.coalesce(func.sum(Proposal.stance_for), 0),
            func.coalesce(func.sum(Proposal.stance_against), 0),
            func.coalesce(func.sum(Proposal.stance_abstain), 0),
            _weighted(Proposal.support_count),
            _weighted(Proposal.like_count),
            _weighted(Proposal.comment_count),
            _weighted(Proposal.stance_for),
            _weighted(Proposal.stance_against),
            _weighted(Proposal.stance_abstain),
            _weighted(func.coalesce(Proposal.support_threshold, -1)),
            _scalar(func.count(Proposer.id)),
            _scalar(func.max(Proposer.id)),
            _scalar(func.count(Proposer.user_id)),
            _scalar(func.coalesce(func.sum(Topic.revision), 0)),
            _scalar(func.count(TransitionEvent.id)),
            _scalar(func.max(TransitionEvent.id)),
            _scalar(func.count(TransitionEvent.actor_id)),
            _scalar(func.sum(case((TransitionEvent.actor_erased, 1), else_=0))),
            # Big tables: only their newest id, read from the primary key. A support
            # withdrawn, a like taken back or a comment hidden shows in the counters.
            _scalar(func.max(Support.id)),
            _scalar(func.max(StanceDay.id)),
            _scalar(func.max(ProposalLike.id)),
            _scalar(func.max(Comment.id)),
            # The names shown, which a rename changes without a trace elsewhere.
            _names(Proposer.user_id, Proposer.id),
            _names(TransitionEvent.actor_id, TransitionEvent.id),
            # Amendments: a few per proposal; each change stamps updated_at or a counter.
            _scalar(func.count(Amendment.id)),
            _scalar(func.max(Amendment.updated_at)),
            _scalar(func.max(AmendmentBacking.id)),
            _scalar(func.max(AmendmentStance.updated_at)),
            _scalar(
                func.coalesce(
                    func.sum(
                        cast(Amendment.id, BigInteger)
                        * (
                            Amendment.backer_count * 7
                            + Amendment.stance_for * 11
                            + Amendment.stance_against * 13
                            + Amendment.stance_abstain * 17
                        )
                    ),
                    0,
                )
            ),
            _scalar(func.count(Amendment.author_id)),
            _names(Amendment.author_id, Amendment.id),
        ).where(_public())
    ).one()
    digest = hashlib.sha256(repr(tuple(facts)).encode())
    digest.update(_deleted_name().encode())
    tag = digest.hexdigest()[:32]
    return Version(tag, _first_seen(tag))


_LAST: list = [None, None]  # the version this process saw last, and its date
_LAST_LOCK = Lock()


def _first_seen(tag: str) -> datetime:
    """The whole second after this process saw `tag` take over from another version, and
    later than that version's date: HTTP dates have seconds only, and two versions within
    one second (or a version coming back after another) must still have two dates."""
    with _LAST_LOCK:
        if _LAST[0] != tag:
            stamp = utcnow().replace(microsecond=0) + timedelta(seconds=1)
            if _LAST[1] is not None:
                stamp = max(stamp, _LAST[1] + timedelta(seconds=1))
            _LAST[:] = [tag, stamp]
        return _LAST[1]
