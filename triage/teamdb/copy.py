"""Moving an embedded store into the team database (`triage db copy --from DATA_DIR`).

The comments as they are now, their posts, every record table (outbox, escalations, holds,
closings, notes, deliveries, …) and the state rows are written once each; the embedded
journal's entries follow in their order as ``history`` rows of the team journal, chained
like every other row, and a ``store_copied`` row closes the copy with what was copied and
the last hash of the embedded chain. It all happens in one transaction: a copy is whole or
not there. Then the counts are compared table by table and the team chain is walked.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from triage.convert import comment_to_doc, post_to_doc
from triage.errors import ActionRefused, JournalError, StoreError
from triage.journal import verify
from triage.store import Store
from triage.teamdb.calls import query_rows, verify_journal
from triage.teamdb.connection import translated

__all__ = ["CopyReport", "copy_store"]

#: Rows sent in one call.
CHUNK = 1000


@dataclass
class CopyReport:
    """What a copy wrote, and what the check after it found."""

    comments: int = 0
    posts: int = 0
    records: dict[str, int] = field(default_factory=dict)
    states: int = 0
    history: int = 0
    source_hash: str = ""
    journal_entries: int = 0
    statuses: dict[str, int] = field(default_factory=dict)


def _chunks(items: list[Any]) -> list[list[Any]]:
    return [items[i:i + CHUNK] for i in range(0, len(items), CHUNK)] or [[]]


def _count(conn: psycopg.Connection[Any], query: str, params: tuple[Any, ...] = ()) -> int:
    return int(query_rows(conn, query, params)[0]["n"])


def copy_store(conn: psycopg.Connection[Any], data_dir: Path, *,
               force_append: bool = False) -> CopyReport:
    """Copy the embedded store of ``data_dir`` into the team database (an admin's login).

    Refused when the embedded journal's chain is broken, when this store was copied
    already, and when the database holds comments or journal rows (unless
    ``force_append``: a comment already there is then left as it is).
    """
    with Store(data_dir) as store:
        store.load_all()
        store.flush()
        chain = verify(store.journal.path)
        if not chain.ok:
            raise JournalError(f"the journal of {data_dir} is broken at line "
                               f"{chain.broken_line}: {chain.reason}; nothing was copied")
        entries = [entry for _, entry in store.journal.read()]
        comments = [comment_to_doc(c) for c in store]
        posts = [post_to_doc(p) for p in store.posts.values()]
        tables = {t: store.records(t) for t in store.record_tables()}
        states = store.states()
    report = CopyReport(source_hash=chain.last_hash, history=len(entries))
    report.statuses = dict(Counter(str(c["status"]) for c in comments))
    with translated(), conn.transaction():
        _refuse_twice(conn, chain.last_hash, force_append)
        records = [{"table": t, "key": k, "doc": d} for t, docs in tables.items()
                   for k, d in docs.items()]
        state_rows = [{"key": k, "value": v} for k, v in states.items()]
        for part in _chunks(comments):
            row = query_rows(conn, "SELECT * FROM triage.copy_rows(%s, '[]', '[]', '[]')",
                             (Jsonb(part),))[0]
            report.comments += row["comments"]
        row = query_rows(conn, "SELECT * FROM triage.copy_rows('[]', %s, %s, %s)",
                         (Jsonb(posts), Jsonb(records), Jsonb(state_rows)))[0]
        report.posts, report.states = len(posts), len(state_rows)
        report.records = {t: len(docs) for t, docs in tables.items()}
        for part in _chunks(entries):
            if part:
                query_rows(conn, "SELECT triage.copy_history(%s) AS last", (Jsonb(part),))
        summary = {"source": str(data_dir), "source_entries": len(entries),
                   "source_last_hash": chain.last_hash, "comments": len(comments),
                   "posts": len(posts), "records": report.records, "states": len(state_rows)}
        query_rows(conn, "SELECT seq FROM triage.copy_done(%s)", (Jsonb(summary),))
        _check(conn, report, tables, [str(c["id"]) for c in comments])
    check = verify_journal(conn)
    if not check.ok:
        raise JournalError(f"after the copy, the team journal breaks at entry "
                           f"{check.broken_seq}: {check.reason}")
    report.journal_entries = check.entries
    return report


def _refuse_twice(conn: psycopg.Connection[Any], source_hash: str, force_append: bool) -> None:
    done = query_rows(conn, "SELECT seq FROM triage.journal WHERE kind = 'store_copied' AND "
                            "body -> 'data' ->> 'source_last_hash' = %s", (source_hash,))
    if done:
        raise ActionRefused(f"this store was copied already (team journal entry "
                            f"{done[0]['seq']}); nothing was copied again")
    comments = _count(conn, "SELECT count(*) AS n FROM triage.comments")
    journal = _count(conn, "SELECT count(*) AS n FROM triage.journal")
    if (comments or journal) and not force_append:
        raise ActionRefused(f"the team database is not empty ({comments} comments, {journal} "
                            "journal rows): copy into a new database, or add --force-append "
                            "to add this store to it (comments already there stay as they are)")


def _check(conn: psycopg.Connection[Any], report: CopyReport,
           tables: dict[str, dict[str, Any]], ids: list[str]) -> None:
    """Compare what the database holds with the store, table by table; raise (rolling the
    copy back) naming the first difference."""
    there = _count(conn, "SELECT count(*) AS n FROM triage.comments WHERE id = ANY(%s)",
                   (ids,))
    if there != len(ids):
        raise StoreError(f"the copy holds {there} of {len(ids)} comments; nothing was copied")
    rows = query_rows(conn, "SELECT status, count(*) AS n FROM triage.comments "
                            "WHERE id = ANY(%s) GROUP BY status", (ids,))
    statuses = {r["status"]: int(r["n"]) for r in rows}
    if report.comments == len(ids) and statuses != report.statuses:
        raise StoreError(f"statuses differ after the copy: {statuses} for "
                         f"{report.statuses}; nothing was copied")
    for table, docs in tables.items():
        keys = list(docs)
        found = _count(conn, "SELECT count(*) AS n FROM triage.records WHERE tbl = %s "
                             "AND key = ANY(%s)", (table, keys))
        if found != len(keys):
            raise StoreError(f"the copy holds {found} of {len(keys)} {table} records; "
                             "nothing was copied")
