"""Adverse-event intakes: the record of each, its clock, and the rule that keeps it in view.

A comment tagged ``adverse_event`` has an intake from the moment Triage first saw it
(``captured_at`` is day 0), whether or not anybody has touched it yet: until a person
saves it, its four criteria are what :func:`~triage.ae.prefill.prefill` guesses. Every
change is a journaled action whose record (table ``ae_intakes``, keyed by the comment id)
rides along, so it survives restarts and sits in the hash chain (see actions.py).

An intake is ``open`` until pharmacovigilance marks it ``complete`` (the four criteria
confirmed) or ``not_ae`` (with a reason). It is due ``deadline_days`` calendar days after
day 0, and ``late`` once a day past that while open. An open intake's comment may not be
dismissed, hidden or deleted: :func:`require_intake_settled`, called by the desk, the
outbox and the commands before anything is journaled or sent, like the legal hold.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from triage.config import Config
from triage.convert import iso, parse_time
from triage.errors import ActionRefused
from triage.model import Comment
from triage.service import RecordSource
from triage.store import Store

__all__ = [
    "AE_TABLE",
    "GUARDED",
    "STATES",
    "Criterion",
    "Intake",
    "ae_states",
    "intake_of",
    "open_intake_ids",
    "require_intake_settled",
    "stored_intake",
]

AE_TABLE = "ae_intakes"
#: What an intake can be: still to do, done by pharmacovigilance, or not an AE after all.
STATES = ("open", "complete", "not_ae")
#: What an open intake refuses (a reply, an assignment, a note stay allowed).
GUARDED = ("dismiss", "hide", "delete")


@dataclass(frozen=True, slots=True)
class Criterion:
    """One of the four minimum criteria: its value and whether a person confirmed it."""

    value: str = ""
    confirmed: bool = False


@dataclass(frozen=True, slots=True)
class Intake:
    """The intake of one comment, as stored (or as pre-filled before anybody saved it)."""

    comment_id: str
    opened_at: datetime
    deadline_days: int
    criteria: dict[str, Criterion] = field(default_factory=dict)
    state: str = "open"
    reason: str = ""
    saved: bool = False
    updated_by: str = ""
    updated_at: datetime | None = None
    closed_by: str = ""
    closed_at: datetime | None = None

    @property
    def due(self) -> date:
        """The last calendar day (UTC) on which the intake is on time."""
        return self.opened_at.date() + timedelta(days=self.deadline_days)

    def day(self, now: datetime) -> int:
        """Which day of the clock ``now`` is (day 0 is the day of first sight)."""
        return (now.date() - self.opened_at.date()).days

    def days_left(self, now: datetime) -> int:
        """Calendar days until the due day (0 on it, negative once late)."""
        return (self.due - now.date()).days

    @property
    def open(self) -> bool:
        return self.state == "open"

    def late(self, now: datetime) -> bool:
        return self.open and self.days_left(now) < 0

    def confirmed(self) -> int:
        """How many of the four criteria a person confirmed."""
        return sum(1 for c in self.criteria.values() if c.confirmed and c.value.strip())

    def clock_label(self, now: datetime, *, short: bool = False) -> str:
        """"AE 3d left", "AE due today", "AE 2d late" (short: "AE 3d", "AE late")."""
        left = self.days_left(now)
        if left < 0:
            return "AE late" if short else f"AE {-left}d late"
        if left == 0:
            return "AE today" if short else "AE due today"
        return f"AE {left}d" if short else f"AE {left}d left"

    def to_doc(self) -> dict[str, Any]:
        return {
            "comment_id": self.comment_id, "opened_at": iso(self.opened_at),
            "deadline_days": self.deadline_days, "state": self.state, "reason": self.reason,
            "criteria": {k: {"value": c.value, "confirmed": c.confirmed}
                         for k, c in self.criteria.items()},
            "updated_by": self.updated_by,
            "updated_at": iso(self.updated_at) if self.updated_at else None,
            "closed_by": self.closed_by,
            "closed_at": iso(self.closed_at) if self.closed_at else None,
        }


def _from_doc(doc: dict[str, Any]) -> Intake | None:
    try:
        criteria = {str(k): Criterion(str(v.get("value", "")), bool(v.get("confirmed")))
                    for k, v in dict(doc.get("criteria") or {}).items()}
        state = str(doc.get("state", "open"))
        return Intake(
            comment_id=str(doc["comment_id"]), opened_at=parse_time(str(doc["opened_at"])),
            deadline_days=int(doc["deadline_days"]), criteria=criteria,
            state=state if state in STATES else "open", reason=str(doc.get("reason") or ""),
            saved=True, updated_by=str(doc.get("updated_by") or ""),
            updated_at=parse_time(doc["updated_at"]) if doc.get("updated_at") else None,
            closed_by=str(doc.get("closed_by") or ""),
            closed_at=parse_time(doc["closed_at"]) if doc.get("closed_at") else None,
        )
    except (KeyError, TypeError, ValueError, AttributeError):
        return None  # a damaged record: the comment counts as an open intake again


def stored_intake(store: Store, comment_id: str) -> Intake | None:
    """The intake saved for a comment, or None when nobody has saved one yet."""
    doc = store.get_record(AE_TABLE, comment_id)
    return _from_doc(doc) if doc else None


def intake_of(store: Store, config: Config, comment: Comment, *,
              prefilled: bool = True) -> Intake | None:
    """The comment's intake: the saved one, else a fresh one pre-filled from the comment
    while it is tagged adverse_event (None when it is neither). ``prefilled=False`` skips
    reading the criteria from the text, for a caller that wants only the clock."""
    from triage.ae.prefill import CRITERIA, prefill

    saved = stored_intake(store, comment.id)
    if saved is not None:
        return saved
    if comment.tag("adverse_event") is None:
        return None
    if not prefilled:
        return Intake(comment.id, comment.captured_at, config.pharmacovigilance.deadline_days)
    values = prefill(comment, config.pharmacovigilance.products)
    return Intake(comment.id, comment.captured_at, config.pharmacovigilance.deadline_days,
                  {k: Criterion(values[k]) for k in CRITERIA})


def open_intake_ids(store: Store) -> set[str]:
    """Ids of the comments whose intake is open: tagged adverse_event (or saved as an
    intake) and neither complete nor marked not an AE."""
    records = store.records(AE_TABLE)
    tagged = set(store.index.ids("tag", "adverse_event"))
    saved_open = {k for k, d in records.items() if d.get("state") not in ("complete", "not_ae")}
    settled = {k for k, d in records.items() if d.get("state") in ("complete", "not_ae")}
    return ((tagged | saved_open) - settled) & set(store.comments)


def require_intake_settled(store: Store, comment_id: str, action: str) -> None:
    """Refuse ``action`` (dismiss, hide, delete) while the comment's intake is open,
    saying what settles it. Returns quietly otherwise."""
    if comment_id not in store.comments:
        return
    comment = store.comments[comment_id]
    saved = stored_intake(store, comment_id)
    if saved is not None and not saved.open:
        return
    if saved is None and comment.tag("adverse_event") is None:
        return
    raise ActionRefused(
        f"cannot {action}: {comment_id} is an adverse event whose intake is open — "
        "pharmacovigilance must complete it, or mark it not an AE with a reason, first "
        "(i in the queue; triage ae complete / triage ae not-ae)")


def ae_states(store: RecordSource, config: Config,
              now: datetime) -> Callable[[Comment], Collection[str]]:
    """What ``ae:`` in a query matches of a comment: ``open``, ``late``, ``complete``
    (also ``done``) or ``not_ae``; nothing when it has no intake."""
    records = store.records(AE_TABLE)
    days = config.pharmacovigilance.deadline_days

    def states(comment: Comment) -> Collection[str]:
        doc = records.get(comment.id)
        if doc is None:
            if comment.tag("adverse_event") is None:
                return ()
            due = comment.captured_at.date() + timedelta(days=days)
            return ("ae:open", "ae:late") if now.date() > due else ("ae:open",)
        state = str(doc.get("state", "open"))
        if state == "complete":
            return ("ae:complete", "ae:done")
        if state == "not_ae":
            return ("ae:not_ae", "ae:done")
        intake = _from_doc(doc)
        if intake is not None and intake.late(now):
            return ("ae:open", "ae:late")
        return ("ae:open",)

    return states
