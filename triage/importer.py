"""Reading comments from JSON-lines files: one comment per line, bad lines named and skipped."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import IO, Any

import orjson

from triage.errors import BadTime
from triage.model import PLATFORMS, Author, Comment, utcnow
from triage.store import IngestResult, Store
from triage.tagpool import TagPool
from triage.textsafe import unsafe_field
from triage.timefmt import check_plausible, parse_utc

__all__ = ["ImportReport", "import_lines", "parse_comment_line", "parse_time_field"]

BATCH = 5000


@dataclass(slots=True)
class ImportReport:
    """What an import did: counts and one message per skipped line."""

    new: int = 0
    skipped_existing: int = 0
    problems: list[str] = field(default_factory=list)


class LineError(ValueError):
    """A line that cannot be imported; the message says why."""


def parse_time_field(value: Any, now: datetime | None = None) -> datetime:
    """``created_at`` as aware UTC: ISO 8601 (naive is UTC), or epoch seconds or milliseconds.

    Numbers of 10^11 and more are milliseconds (see :data:`triage.timefmt.MILLIS_FROM`);
    a time before 1990 or more than a day ahead of ``now`` is refused.
    """
    try:
        return check_plausible(parse_utc(value, "created_at", numbers=True), "created_at", now)
    except BadTime as exc:
        raise LineError(str(exc)) from None


def _text_field(doc: dict[str, Any], name: str, *, required: bool = False) -> str:
    value = doc.get(name)
    if value is None:
        if required:
            raise LineError(f"missing {name!r}")
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool) and name == "id":
        return str(value)
    if not isinstance(value, str):
        raise LineError(f"{name!r} must be a string")
    return value


def parse_comment_line(raw: bytes | str) -> Comment:
    """One line of an import file as a comment, or :class:`LineError`."""
    try:
        doc = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise LineError("not valid JSON") from None
    if not isinstance(doc, dict):
        raise LineError("not a JSON object")
    comment_id = _text_field(doc, "id", required=True)
    if not comment_id.strip():
        raise LineError("'id' is empty")
    platform = _text_field(doc, "platform", required=True).lower()
    if platform not in PLATFORMS:
        raise LineError(f"unknown platform {platform!r} (one of {', '.join(PLATFORMS)})")
    text = _text_field(doc, "text", required=True)
    author_field = doc.get("author")
    if isinstance(author_field, dict):
        name = str(author_field.get("name") or author_field.get("handle") or "")
        author = Author(
            id=str(author_field.get("id") or name),
            name=name,
            handle=str(author_field.get("handle") or ""),
        )
    elif author_field is None or isinstance(author_field, str):
        author = Author(id=author_field or "", name=author_field or "unknown")
    else:
        raise LineError("'author' must be a string or an object")
    created = doc.get("created_at")
    created_at = parse_time_field(created) if created is not None else utcnow()
    comment = Comment(
        id=comment_id,
        platform=platform,
        account=_text_field(doc, "account"),
        text=text,
        created_at=created_at,
        author=author,
        post_id=_text_field(doc, "post_id") or None,
        parent_id=_text_field(doc, "parent_id") or None,
        permalink=_text_field(doc, "permalink"),
        native_id=comment_id,
    )
    problem = unsafe_field(comment.ids)
    if problem is not None:
        raise LineError(problem)
    return comment


def _blank(raw: bytes) -> bool:
    """A line with nothing but white space, Unicode's included (a stray U+0085 or U+2028
    is a blank line, not a broken comment)."""
    stripped = raw.strip()
    if not stripped:
        return True
    first = stripped[0]
    return (first < 0x20 or first > 0x7F) and not raw.decode("utf-8", "replace").strip()


def _good_lines(lines: Iterable[bytes], report: ImportReport) -> Iterator[Comment]:
    for number, raw in enumerate(lines, start=1):
        if _blank(raw):
            continue
        try:
            yield parse_comment_line(raw)
        except LineError as exc:
            report.problems.append(f"line {number}: {exc}")


def import_lines(store: Store, handle: IO[bytes], *, user: str,
                 pool: TagPool | None = None) -> ImportReport:
    """Import every good line of ``handle`` into ``store``; report what was skipped.

    With a ``pool``, new comments are tagged on its worker processes (every core)."""
    report = ImportReport()
    batch: list[Comment] = []

    def flush_batch() -> None:
        fresh = [c for c in batch if c.id not in store.comments]
        report.skipped_existing += len(batch) - len(fresh)
        tagged = False
        if pool is not None and store.tagger is not None:
            tagged = True
            untagged = [i for i, c in enumerate(fresh) if not c.tags]
            found = pool.tag_many([fresh[i].text for i in untagged])
            for i, tags in zip(untagged, found, strict=True):
                fresh[i] = replace(fresh[i], tags=tags)
        result: IngestResult = store.ingest(fresh, user=user, tagged=tagged)
        report.new += result.new
        report.skipped_existing += result.unchanged
        batch.clear()

    for comment in _good_lines(handle, report):
        batch.append(comment)
        if len(batch) >= BATCH:
            flush_batch()
    flush_batch()
    return report
