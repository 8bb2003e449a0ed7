"""Internal notes: what a team member wrote down about a comment, never sent anywhere.

A note is a journaled action (kind ``note``) that also keeps the note in the store's
``notes`` record table, keyed by its id, so the detail pane and the case packet read a
comment's notes without walking the journal. Escalations keep their own notes (legal's)
in the same :class:`Note` shape.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from triage.convert import iso, parse_time
from triage.errors import ActionRefused

__all__ = ["NOTES", "NOTE_LIMIT", "Note", "checked_note", "note_entry", "notes_from_records"]

#: The record table of the notes on comments.
NOTES = "notes"
#: Longest note kept; a longer one is refused rather than cut.
NOTE_LIMIT = 4000


@dataclass(frozen=True, slots=True)
class Note:
    """A note: who wrote it, when, and what it says (kept as typed, shown as text)."""

    by: str
    at: datetime
    text: str


def checked_note(text: str, *, required: bool) -> str:
    """The note without surrounding blanks; refused when empty (if ``required``) or too long."""
    text = text.strip()
    if required and not text:
        raise ActionRefused("the note is empty")
    if len(text) > NOTE_LIMIT:
        raise ActionRefused(f"the note is {len(text):,} characters; at most {NOTE_LIMIT:,}")
    return text


def note_entry(user: str, comment_id: str, text: str, at: datetime) -> dict[str, Any]:
    """The journal entry adding a note on ``comment_id`` (its record rides along)."""
    key = uuid.uuid4().hex[:12]
    doc = {"id": key, "comment_id": comment_id, "by": user, "at": iso(at), "text": text}
    return {"user": user, "kind": "note", "comment_id": comment_id,
            "data": {"record": {"table": NOTES, "key": key, "doc": doc}}}


def notes_from_records(records: dict[str, dict[str, Any]]) -> dict[str, list[Note]]:
    """The notes of each comment, oldest first, from the ``notes`` record table."""
    found: dict[str, list[tuple[str, Note]]] = {}
    for doc in records.values():
        try:
            note = Note(str(doc["by"]), parse_time(doc["at"]), str(doc["text"]))
            found.setdefault(str(doc["comment_id"]), []).append((str(doc["at"]), note))
        except (KeyError, TypeError, ValueError):
            continue  # a damaged record is left out; the journal still holds the note
    return {cid: [n for _, n in sorted(pairs, key=lambda p: p[0])] for cid, pairs in found.items()}
