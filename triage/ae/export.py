"""Adverse-event intakes for the safety database: listed, and exported as CSV or JSON.

One record per intake: the comment (its id, platform, account, link, when it was written
and first seen), the clock (day 0, due day, days left or late), the state, the four
criteria with whether each was confirmed, and the comment's text. Identifiers the privacy
tagger found (phone, e-mail, record numbers, …) are masked in the text and in every
criterion, as they are in an escalation sent to legal (see triage.legal.masking). Each
export is journaled (kind ``ae_export``: who, the window, the format, how many intakes
and which comments; never the text).
"""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

from triage.ae.intake import AE_TABLE, Intake, intake_of
from triage.ae.prefill import CRITERIA
from triage.config import Config
from triage.convert import iso
from triage.csvout import cell, write_csv
from triage.errors import StoreError
from triage.legal.masking import identifiers, mask_text
from triage.legal.people import require_role
from triage.model import Comment
from triage.private import write_new_private
from triage.store import Store

__all__ = ["EXPORTS", "EXPORT_FIELDS", "FORMATS", "export_intakes", "intake_row", "intakes",
           "save_intakes"]

FORMATS = ("csv", "json")
#: The folder, inside the data folder, where exports made from the queue (E) go.
EXPORTS = "exports"
EXPORT_FIELDS = (
    "comment_id", "platform", "account", "permalink", "written_at", "first_seen", "due",
    "days_left", "late", "state", "reason", "closed_by", "closed_at",
    *(f"{name}{suffix}" for name in CRITERIA for suffix in ("", "_confirmed")), "text",
)


def intakes(store: Store, config: Config, *, since: timedelta | None = None,
            now: datetime) -> list[tuple[Comment, Intake]]:
    """Every intake (saved, or open on a comment tagged adverse_event), oldest first
    sight first; with ``since``, those first seen or changed within it."""
    ids = set(store.index.ids("tag", "adverse_event")) | set(store.records(AE_TABLE))
    cutoff = now - since if since is not None else None
    found = []
    for comment_id in ids:
        comment = store.comments.get(comment_id)
        intake = intake_of(store, config, comment) if comment is not None else None
        if comment is None or intake is None:
            continue
        if cutoff is not None and intake.opened_at < cutoff and (
                intake.updated_at is None or intake.updated_at < cutoff):
            continue
        found.append((comment, intake))
    found.sort(key=lambda pair: (pair[1].opened_at, pair[0].id))
    return found


def _masker(comment: Comment) -> Any:
    """A function masking, in any text, the identifiers of ``comment``'s own text."""
    masked_text = mask_text(comment)
    pairs = [(comment.text[i.start:i.end], masked_text[i.start:i.end])
             for i in identifiers(comment)]

    def mask(value: str) -> str:
        for raw, masked in pairs:
            value = value.replace(raw, masked)
        return value

    return mask


def intake_row(comment: Comment, intake: Intake, now: datetime) -> dict[str, Any]:
    """One intake as the export's record (identifiers masked)."""
    mask = _masker(comment)
    row: dict[str, Any] = {
        "comment_id": comment.id, "platform": comment.platform, "account": comment.account,
        "permalink": comment.permalink, "written_at": iso(comment.created_at),
        "first_seen": iso(intake.opened_at), "due": intake.due.isoformat(),
        "days_left": intake.days_left(now) if intake.open else None,
        "late": intake.late(now), "state": intake.state, "reason": mask(intake.reason),
        "closed_by": intake.closed_by or None,
        "closed_at": iso(intake.closed_at) if intake.closed_at else None,
    }
    for name in CRITERIA:
        criterion = intake.criteria.get(name)
        row[name] = mask(criterion.value) if criterion else ""
        row[f"{name}_confirmed"] = bool(criterion and criterion.confirmed)
    row["text"] = mask_text(comment)
    return row


def export_intakes(store: Store, config: Config, user: str, *, since: timedelta,
                   since_text: str, fmt: str) -> tuple[str, int]:
    """The intakes of the window rendered as ``fmt`` (masked), and how many; journaled.

    Only pharmacovigilance exports them: the records name patients and reporters.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    require_role(config, user, "pharmacovigilance", "export adverse-event intakes")
    now = store.clock()
    rows = [intake_row(c, i, now) for c, i in intakes(store, config, since=since, now=now)]
    store.record([{"user": user, "kind": "ae_export",
                   "data": {"since": since_text, "format": fmt, "count": len(rows),
                            "comments": [r["comment_id"] for r in rows]}}])
    if fmt == "json":
        body = {"format": "triage-ae-intakes/1", "generated_at": iso(now),
                "generated_by": user, "since": since_text, "intakes": rows}
        return orjson.dumps(body, option=orjson.OPT_INDENT_2).decode() + "\n", len(rows)
    out = io.StringIO()
    write_csv(out, EXPORT_FIELDS, ([cell(r[f]) for f in EXPORT_FIELDS] for r in rows))
    return out.getvalue(), len(rows)


def save_intakes(store: Store, config: Config, user: str, *, since: timedelta, since_text: str,
                 fmt: str, folder: Path | None = None) -> tuple[Path, int]:
    """Export the intakes (as :func:`export_intakes`: journaled) to a new file, readable by
    its owner only, in ``folder`` (default: ``exports/`` in the data folder)."""
    text, count = export_intakes(store, config, user, since=since, since_text=since_text,
                                 fmt=fmt)
    where = folder if folder is not None else store.data_dir / EXPORTS
    stamp = store.clock().strftime("%Y%m%d-%H%M%S")
    try:
        return write_new_private(where, f"ae-intakes-{stamp}", fmt, text), count
    except OSError as exc:
        raise StoreError(f"{where}: cannot write the intakes: {exc.strerror}") from None
