"""CSV exports (``ls --csv``, ``stats --csv``): a header row, cells a spreadsheet reads as text."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from typing import IO, Any

from triage.convert import iso
from triage.model import Comment
from triage.stats import Stats

__all__ = ["COMMENT_FIELDS", "STATS_FIELDS", "cell", "comment_row", "stats_rows", "write_csv"]

COMMENT_FIELDS = ("id", "platform", "account", "author", "created_at", "status", "assignee",
                  "tags", "permalink", "text")
STATS_FIELDS = ("section", "name", "value")

#: A cell starting with one of these would be read as a formula by a spreadsheet.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> str:
    """A value as a CSV cell; text that a spreadsheet would run as a formula is kept as
    text by a leading apostrophe (numbers are written as they are)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def comment_row(comment: Comment) -> list[str]:
    """One comment as a row of :data:`COMMENT_FIELDS` (mask it first for an export)."""
    return [cell(v) for v in (
        comment.id, comment.platform, comment.account, comment.author.name,
        iso(comment.created_at), comment.status, comment.assignee or "",
        ";".join(comment.exported_tag_names), comment.permalink, comment.text)]


def stats_rows(stats: Stats) -> list[list[str]]:
    """The figures of ``triage stats`` as rows of :data:`STATS_FIELDS`."""
    rows: list[tuple[str, str, Any]] = [
        ("window", "since", stats.since), ("window", "until", stats.until),
        ("total", "comments", stats.total), ("total", "answered", stats.responded),
        ("response", "median_first_response_minutes", stats.median_first_response_minutes),
        ("sla", "met", stats.sla_met), ("sla", "missed", stats.sla_missed),
        ("sla", "met_share", stats.sla_met_share),
    ]
    rows += [("tag", k, v) for k, v in stats.by_tag.items()]
    rows += [("platform", k, v) for k, v in stats.by_platform.items()]
    rows += [("day", k, v) for k, v in stats.by_day.items()]
    rows += [("myth", m["claim_id"], m["count"]) for m in stats.top_myths]
    return [[cell(section), cell(name), cell(value)] for section, name, value in rows]


def write_csv(out: IO[str], header: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
    """Write a header and rows as CSV (RFC 4180 quoting, \\r\\n line ends)."""
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
