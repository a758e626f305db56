"""Saving shared text without erasing anyone's words.

A form that edits shared text carries the revision it was based on. The save is an UPDATE
guarded by that revision, so of two saves from the same base exactly one wins outright.
The other is merged with what won: a field only one side changed is taken from that side,
and within Markdown changes to different paragraphs are both kept (a three-way merge of
base, theirs and mine). A change to the same passage is a conflict: nothing is saved, and
the person is shown the other change with their own text kept, to send again. The
paragraphs are matched within app.core.diffing's budget: texts too costly to match in full are a
conflict too (sent again on the newest revision, they need no merge), never a guess.

Each save is kept as a revision (`saves`), which is both the base a later merge needs
and the history of the text: before a proposal's hearing, its private history.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint, select, update
from sqlalchemy.orm import Mapped, mapped_column, relationship
from wtforms import HiddenField
from wtforms.validators import Optional, Regexp

from app.core import diffing
from app.core.database import UTCDateTime
from app.core.extensions import db

if TYPE_CHECKING:  # a person is an account's row; core names no package above it
    from app.accounts.models import User

# Blank lines between blocks; the next block's own indentation (a code block) is kept.
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)*")

# A save that keeps losing the race (someone saves between each reading and each UPDATE)
# is refused as a conflict after this many tries, never overwritten.
TRIES = 5


class Save(db.Model):
    """One revision of a shared text: its fields as saved, by whom, when."""

    __tablename__ = "saves"
    __table_args__ = (UniqueConstraint("subject", "subject_id", "revision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(20))  # "proposal", "topic"
    subject_id: Mapped[int] = mapped_column(Integer)
    revision: Mapped[int] = mapped_column(Integer)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime)
    values: Mapped[dict] = mapped_column(JSON)

    author: Mapped[User | None] = relationship(lazy="raise")


def plain_lines(text: str) -> str:
    """Line breaks as "\n" (a browser sends a textarea's as "\r\n")."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _lines(text):
    return plain_lines(text) if isinstance(text, str) else text


def _same(a, b) -> bool:
    return _lines(a) == _lines(b)


def paragraphs(text: str) -> list[str]:
    """Markdown's paragraphs (blocks between blank lines), line endings made plain."""
    text = _lines(text).strip("\n")
    return _PARAGRAPH_BREAK.split(text) if text.strip() else []


def _changes(
    base: Sequence[str], other: Sequence[str], budget: diffing.Budget
) -> list[tuple[int, int, tuple]]:
    """What turns `base` into `other`: (start, end, replacement) over base's items."""
    return [
        (i1, i2, tuple(other[j1:j2]))
        for op, i1, i2, j1, j2 in diffing.opcodes(base, other, budget)
        if op != "equal"
    ]


def _collide(a: tuple[int, int, tuple], b: tuple[int, int, tuple]) -> bool:
    """Two different changes touch the same items, or insert at the same place."""
    (a1, a2, _), (b1, b2, _) = a, b
    if a1 == a2 == b1 == b2:
        return True
    return a1 < b2 and b1 < a2


def merge_sequences(
    base: Sequence[str],
    theirs: Sequence[str],
    mine: Sequence[str],
    budget: diffing.Budget | None = None,
) -> list[str] | None:
    """Both sides' changes to `base` applied, or None where they touch the same items.
    Changes to neighbouring items do not collide; the same change made twice is made once."""
    budget = budget or diffing.Budget()
    changes = set(_changes(base, theirs, budget))
    ours = _changes(base, mine, budget)
    if budget.spent:  # matched only in part: the changes may be wider than they are
        return None
    for change in ours:
        if change in changes:
            continue
        if any(_collide(change, other) for other in changes):
            return None
        changes.add(change)
    merged: list[str] = []
    at = 0
    for start, end, replacement in sorted(changes, key=lambda c: (c[0], c[1])):
        merged += base[at:start]
        merged += replacement
        at = end
    return merged + list(base[at:])


def merge_text(base, theirs, mine, *, markdown: bool, budget: diffing.Budget | None = None):
    """One field merged: taken whole from the side that changed it, or for Markdown by
    paragraphs when both did. None is a conflict."""
    if _same(mine, base) or _same(mine, theirs):
        return theirs
    if _same(theirs, base):
        return mine
    if not markdown:
        return None
    merged = merge_sequences(paragraphs(base), paragraphs(theirs), paragraphs(mine), budget)
    return None if merged is None else "\n\n".join(merged)


@dataclass
class Merge:
    values: dict[str, str]
    conflicts: list[str] = field(default_factory=list)  # fields in the order given


def merge(
    base: Mapping[str, str],
    theirs: Mapping[str, str],
    mine: Mapping[str, str],
    *,
    markdown: Sequence[str] = (),
) -> Merge:
    """Every field of `mine` merged with `theirs` over their common `base`, within one
    budget of matching for them all."""
    result = Merge(values={})
    budget = diffing.Budget()
    for name, value in mine.items():
        merged = merge_text(
            base[name], theirs[name], value, markdown=name in markdown, budget=budget
        )
        if merged is None:
            result.conflicts.append(name)
            merged = theirs[name]
        result.values[name] = merged
    return result


# --- saving --------------------------------------------------------------------------------


@dataclass
class Saved:
    """How a save went: `revision` is the one it made (or, refused, the one it met);
    `merged` names the fields merged with another person's save; `conflicts` the fields
    where both changed the same passage (then nothing was saved), with `base` and `theirs`
    the text to show the difference between."""

    revision: int
    merged: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    base: dict[str, str] = field(default_factory=dict)
    theirs: dict[str, str] = field(default_factory=dict)
    # Refused: what the form should hold to be sent again on `revision`: this person's
    # text where it conflicts, the others' changes merged in everywhere else.
    to_send_again: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.conflicts


class Conflict(Exception):  # noqa: N818 (what it is, as lifecycle's Refusal)
    """Both changed the same passage: nothing was saved."""

    def __init__(self, saved: Saved) -> None:
        super().__init__(", ".join(saved.conflicts))
        self.saved = saved


@dataclass(frozen=True)
class Subject:
    """What a kind of shared text needs: its model (with `id` and `revision`), the fields
    a form edits, which of them are Markdown, and what to do after a save (render HTML)."""

    kind: str  # "proposal", "topic": the key of its saves
    model: type
    fields: tuple[str, ...]
    markdown: tuple[str, ...] = ()
    derived: Callable[[dict[str, str]], dict] = lambda values: {}


def save(
    subject: Subject,
    row_id: int,
    base_revision: int,
    mine: Mapping[str, str],
    *,
    author_id: int | None,
    now: datetime,
    extra: Mapping | None = None,
) -> Saved:
    """Save `mine`, written on `base_revision`, in the caller's transaction: directly if
    nobody saved since, merged if someone did and the changes keep apart, not at all if
    they touch the same passage. `extra` is set too when something is saved (updated_at)."""
    model = subject.model
    base = None  # the fields as they were at base_revision, read only if someone saved since
    proposed = dict(mine)  # mine, with the changes of those who saved since taken in
    for _ in range(TRIES):
        current = db.session.execute(
            select(model.revision, *(getattr(model, name) for name in subject.fields)).where(
                model.id == row_id
            )
        ).one()
        revision, theirs = current[0], dict(zip(subject.fields, current[1:], strict=True))
        if revision != base_revision:
            base = base or _revision_values(subject, row_id, base_revision)
            if base is None:  # a base that was never saved: nothing to merge against
                base = theirs
                outcome = Merge(proposed, [n for n in mine if not _same(mine[n], theirs[n])])
            else:
                outcome = merge(base, theirs, proposed, markdown=subject.markdown)
            if outcome.conflicts:
                again = {n: mine[n] if n in outcome.conflicts else outcome.values[n] for n in mine}
                return Saved(revision, [], outcome.conflicts, base, theirs, again)
            proposed = outcome.values
        if all(_same(proposed[name], theirs[name]) for name in mine):
            return Saved(revision)  # nothing to change
        changed = db.session.execute(
            update(model)
            .where(model.id == row_id, model.revision == revision)
            .values(revision=revision + 1, **proposed, **subject.derived(proposed), **(extra or {}))
            .execution_options(synchronize_session=False)
        ).rowcount
        if changed == 1:
            record(subject, row_id, revision + 1, {**theirs, **proposed}, author_id, now)
            merged = [n for n in mine if not _same(proposed[n], mine[n])]
            return Saved(revision + 1, merged=merged)
        # Someone saved between our reading and our UPDATE: merge with that save as well.
        base_revision, base = revision, theirs
    return Saved(revision, [], list(mine), base, theirs, dict(mine))


def record(
    subject: Subject,
    row_id: int,
    revision: int,
    values: Mapping[str, str],
    author_id: int | None,
    now: datetime,
) -> None:
    """Keep a revision: its fields as saved, who saved it and when."""
    db.session.add(
        Save(
            subject=subject.kind,
            subject_id=row_id,
            revision=revision,
            author_id=author_id,
            saved_at=now,
            values={name: values[name] for name in subject.fields},
        )
    )
    db.session.flush()


def _revision_values(subject: Subject, row_id: int, revision: int) -> dict[str, str] | None:
    values = db.session.scalar(
        select(Save.values).where(
            Save.subject == subject.kind, Save.subject_id == row_id, Save.revision == revision
        )
    )
    return dict(values) if values is not None else None


REVISION_PATTERN = r"^\s*[0-9]{1,9}\s*$"
BAD_BASE = _l("This form was changed on its way. Open it again.")


def revision_from(text: str | None) -> int | None:
    """The revision a form sent back; None if it sent none. ValueError if it is no revision."""
    if not (text or "").strip():
        return None
    if not re.match(REVISION_PATTERN, text):
        raise ValueError(text)
    return int(text)


class BasedOnRevision:
    """For a form that edits shared text: the revision it showed, sent back with it.
    Empty (a client that does not send it) means: as it is now."""

    base_revision = HiddenField(
        _l("This form"),
        validators=[
            Optional(),
            Regexp(REVISION_PATTERN, message=BAD_BASE),
        ],
    )

    def based_on(self) -> int | None:
        return revision_from(self.base_revision.data)

    def show_revision(self, revision: int) -> None:
        self.base_revision.data = str(revision)
