"""The queue store: TinyDB files in the data folder, written only after the journal.

Layout of a data folder::

    journal.jsonl          every action, hash-chained (the audit trail; see journal.py)
    triage.lock            held by the one process that owns the folder
    store/meta.json        how far the store has applied the journal: the last applied
                           seq, its hash and MAC (the anchor `triage audit verify` checks)
    store/comments-XX.json the comments, sharded by id so an update rewrites one small file
    store/posts.json       the posts comments sit under
    store/state.json       small keyed state: sync cursors and the like

Every change of state goes through :meth:`Store.record`: the entries are appended to the
journal and fsynced, then applied to the in-memory TinyDB tables, which are flushed to
disk in batches. At open, journal entries the store has not yet applied are replayed, so
a crash at any moment loses no acknowledged action.

The folder is readable by its owner only (0700, files 0600; see private.py), and an
older folder with looser modes is tightened when a store opens it.
"""

from __future__ import annotations

import os
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
from filelock import FileLock, Timeout
from tinydb import TinyDB
from tinydb.table import Document

from triage.auditkey import AuditKey
from triage.convert import (
    action_from_doc,
    comment_from_doc,
    comment_to_doc,
    iso,
    post_from_doc,
    post_to_doc,
    tag_from_doc,
    tag_to_doc,
)
from triage.errors import NotFound, StoreError, StoreLockedError
from triage.flusher import Flusher
from triage.index import QueueIndex
from triage.journal import GENESIS, Journal, check_line
from triage.model import CLOSED_STATUSES, Action, Comment, Post, Tag, utcnow
from triage.private import FILE_MODE, make_private, private_dir, write_private
from triage.storage import AtomicJSONStorage, open_tinydb, write_atomic
from triage.textsafe import valid_unicode

__all__ = ["META_PATH", "IngestResult", "Store", "Tagger"]

#: Where in a data folder the store keeps how far it applied the journal.
META_PATH = Path("store", "meta.json")

SHARDS = 64
#: How many of the newest comments ``head.json`` holds for the first screen.
HEAD = 400
#: Fields of a comment that actions may change (``after`` holds their stored form).
MUTABLE_FIELDS = frozenset({"status", "assignee", "tags", "text"})

Tagger = Callable[[str], tuple[Tag, ...]]

#: What Triage keeps in a data folder: made private (0700/0600) whenever a store opens it.
PRIVATE_FILES = ("journal.jsonl*", "triage.*", "sandbox.json", "standins.log", "store",
                 "store/*")


@dataclass(frozen=True, slots=True)
class IngestResult:
    """What :meth:`Store.ingest` did."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0

    def __add__(self, other: IngestResult) -> IngestResult:
        return IngestResult(
            self.new + other.new,
            self.updated + other.updated,
            self.unchanged + other.unchanged,
        )


def _shard_of(comment_id: str) -> int:
    return zlib.crc32(comment_id.encode("utf-8", "surrogatepass")) % SHARDS


def _field_value(name: str, stored: Any) -> Any:
    if name == "tags":
        return tuple(tag_from_doc(doc) for doc in stored)
    return stored


def stored_fields(comment: Comment, names: Iterable[str]) -> dict[str, Any]:
    """The stored (JSON) form of some fields of a comment, for ``before``/``after``."""
    out: dict[str, Any] = {}
    for name in names:
        value = getattr(comment, name)
        out[name] = [tag_to_doc(t) for t in value] if name == "tags" else value
    return out


class Store:
    """The one writer of a data folder. Use as a context manager, or call :meth:`close`."""

    def __init__(
        self,
        data_dir: Path,
        *,
        tagger: Tagger | None = None,
        flush_every: int = 256,
        flush_seconds: float = 1.0,
        clock: Callable[[], datetime] = utcnow,
        defer_load: bool = False,
        audit_key: AuditKey | None = None,
    ) -> None:
        self.data_dir = Path(data_dir)
        #: With a key, every journal line carries a MAC and replay applies only genuine ones.
        self.audit_key = audit_key
        self.clock = clock
        #: False while only the newest comments are in memory (see :meth:`adopt`).
        self.loaded = not defer_load
        #: How many comments the store holds (known from the head while loading).
        self.expected_total = 0
        self.tagger = tagger
        self.flush_every = flush_every
        self.flush_seconds = flush_seconds
        self.comments: dict[str, Comment] = {}
        #: Ids by status, tag, platform and assignee, kept in step with ``comments``.
        self.index = QueueIndex()
        self.posts: dict[str, Post] = {}
        self.version = 0
        #: Problems found while opening (a corrupt file set aside, …), for the user.
        self.warnings: list[str] = []
        self._pending = 0
        self._pending_since = 0.0
        #: Held while the in-memory tables change, and while the writer takes a copy of them.
        self._mutex = threading.RLock()
        self._flusher: Flusher | None = None
        self._journal_offset_reset = False
        self._lock = self._acquire_lock()
        try:
            self._open()
        except BaseException:
            self._lock.release()
            raise

    # -- opening and closing ---------------------------------------------------------

    def _acquire_lock(self) -> FileLock:
        try:
            private_dir(self.data_dir)
        except OSError as exc:
            raise StoreError(f"{self.data_dir}: cannot create the data folder: {exc}") from exc
        lock = FileLock(self.data_dir / "triage.lock", timeout=0, mode=FILE_MODE)
        try:
            lock.acquire()
        except Timeout:
            owner = self._read_owner()
            raise StoreLockedError(
                f"{self.data_dir} is in use by another Triage{owner}; "
                "close it first, or use another --data-dir"
            ) from None
        try:
            opened = make_private(self.data_dir, PRIVATE_FILES)
            write_private(self.data_dir / "triage.pid", str(os.getpid()).encode())
        except OSError as exc:
            lock.release()
            raise StoreError(
                f"{self.data_dir}: cannot make the data folder private: {exc}"
            ) from exc
        if opened:
            self.warnings.append(
                f"{len(opened)} files and folders in {self.data_dir} were readable by other "
                "users; they are now private to you (folders 0700, files 0600)"
            )
        return lock

    def _read_owner(self) -> str:
        try:
            return f" (pid {int((self.data_dir / 'triage.pid').read_text())})"
        except (OSError, ValueError):
            return ""

    def _open(self) -> None:
        store_dir = self.data_dir / "store"
        private_dir(store_dir)
        self._meta_path = self.data_dir / META_PATH
        meta = self._read_meta()
        self.journal = Journal(self.data_dir / "journal.jsonl", self.audit_key, self._mutex)
        self.warnings.extend(self.journal.notices)
        if self.audit_key is None and self.journal.last_mac is not None:
            self.journal.close()
            raise StoreError(
                f"{self.journal.path} is authenticated with an audit key (its last line "
                "carries a MAC) but no key is set: set TRIAGE_AUDIT_KEY or "
                "TRIAGE_AUDIT_KEY_FILE, or [audit] key_file in config.toml"
            )
        try:
            self._check_journal_length(meta)
        except StoreError:
            self.journal.close()
            raise
        self._shards: list[TinyDB | None] = [None] * SHARDS
        self._shard_dir = store_dir
        self._record_dbs: dict[str, TinyDB] = {}
        self._posts_db = self._open_db(store_dir / "posts.json")
        self._state_db = self._open_db(store_dir / "state.json")
        if not self.loaded and not self._load_head(int(meta.get("applied_seq", 0))):
            self.loaded = True  # no head yet (or an older one): load everything now
        if self.loaded:
            for index in range(SHARDS):
                path = store_dir / f"comments-{index:02x}.json"
                if path.exists():
                    shard = self._open_db(path)
                    self._shards[index] = shard
                    for doc in shard.table("comments").all():
                        comment = comment_from_doc(doc)
                        self.comments[comment.id] = comment
            self.expected_total = len(self.comments)
        self._head_version = -1 if self.loaded else 0
        for doc in self._posts_db.table("posts").all():
            post = post_from_doc(doc)
            self.posts[post.id] = post
        self.index.build(self.comments.values())
        self._applied_seq = int(meta.get("applied_seq", 0))
        self._journal_offset = int(meta.get("journal_offset", 0))
        #: Comments the journal captured that never reached the store (id: content hash).
        self._orphans = _orphans_from(meta)
        #: The hash and MAC of the last applied entry, kept in meta.json as an anchor.
        self._applied_hash: str | None = meta.get("applied_hash")
        self._applied_mac: str | None = meta.get("applied_mac")
        if self._journal_offset_reset:
            self._applied_seq = self._journal_offset = 0
            self._applied_hash = self._applied_mac = None
        #: Where the journal stood when the store was opened; :meth:`adopt` replays from it.
        self._open_offset = self._journal_offset
        self.replayed = self._replay()

    def _check_journal_length(self, meta: dict[str, Any]) -> None:
        """Refuse a journal that ends before what the store applied: its numbers would repeat."""
        applied = meta.get("applied_seq", 0)
        if isinstance(applied, int) and applied > self.journal.last_seq:
            raise StoreError(
                f"{self.journal.path} ends at entry {self.journal.last_seq}, but the store has "
                f"applied entries up to {applied}: the journal was cut short or replaced. "
                "Nothing was changed; put the whole journal back (from a backup) before "
                "opening this data folder again" + "".join(
                    f". Also: {notice}" for notice in self.journal.notices)
            )

    # -- loading in the background ---------------------------------------------------

    def _load_head(self, applied_seq: int) -> bool:
        """Load the newest comments written by the last flush; False when there is none.

        A head older than the store's anchor (``applied_seq``: written while the store
        was still loading, by an older Triage) is not used: the shards hold newer states.
        """
        try:
            head = orjson.loads((self._shard_dir / "head.json").read_bytes())
            docs, total = head["comments"], int(head["total"])
            fresh = int(head["applied_seq"]) >= applied_seq
            comments = [comment_from_doc(doc) for doc in docs] if fresh else []
        except (OSError, ValueError, KeyError, TypeError):
            return False
        if not fresh:
            return False
        for comment in comments:
            self.comments[comment.id] = comment
        self.expected_total = total
        return True

    def read_all(self) -> tuple[dict[str, Comment], list[int]]:
        """Read every comment from the shard files, touching no shared state.

        Safe in a worker thread while the store is used: shard files are replaced
        atomically, and :meth:`adopt` replays whatever the journal says happened since
        the store was opened. Returns the comments and the shards that could not be read.
        """
        found: dict[str, Comment] = {}
        unreadable: list[int] = []
        for index in range(SHARDS):
            path = self._shard_dir / f"comments-{index:02x}.json"
            try:
                raw = path.read_bytes()
            except FileNotFoundError:
                continue
            except OSError:
                unreadable.append(index)
                continue
            try:
                docs = orjson.loads(raw).get("comments", {}) if raw.strip() else {}
            except (orjson.JSONDecodeError, AttributeError):
                unreadable.append(index)
                continue
            for doc in docs.values():
                comment = comment_from_doc(doc)
                found[comment.id] = comment
        return found, unreadable

    def adopt(self, comments: dict[str, Comment], unreadable: list[int]) -> None:
        """Take the comments :meth:`read_all` read, and bring them up to date.

        Every journal entry since the store was opened is applied again (applying is
        idempotent), so actions taken while loading hold on the full queue too.
        """
        with self._mutex:
            self._adopt(comments, unreadable)

    def _adopt(self, comments: dict[str, Comment], unreadable: list[int]) -> None:
        for index in unreadable:
            self._shards[index] = self._open_db(self._shard_dir / f"comments-{index:02x}.json")
            for doc in self._shards[index].table("comments").all():  # type: ignore[union-attr]
                comment = comment_from_doc(doc)
                comments[comment.id] = comment
        self.comments = comments
        self.index = QueueIndex()
        self.index.build(comments.values())
        for _, entry in self.journal.read(self._open_offset):
            self._apply(action_from_doc(entry))
        self.loaded = True
        self.expected_total = len(comments)
        self.version += 1

    def _read_meta(self) -> dict[str, Any]:
        try:
            meta = orjson.loads(self._meta_path.read_bytes())
        except FileNotFoundError:
            return {}
        except (OSError, orjson.JSONDecodeError):
            meta = None
        if not isinstance(meta, dict):
            self.warnings.append(
                f"{self._meta_path} was unreadable; the whole journal is replayed instead"
            )
            return {}
        return meta

    def _open_db(self, path: Path) -> TinyDB:
        """Open a TinyDB file; a corrupt one is moved aside (kept) and started empty."""
        db = open_tinydb(path)
        try:
            db.storage.read()
        except StoreError as exc:
            aside = path.with_name(f"{path.name}.corrupt-{int(time.time())}")
            try:
                os.replace(path, aside)
            except OSError as move_error:
                raise StoreError(f"{exc}; and it cannot be moved aside: {move_error}") from exc
            self.warnings.append(
                f"{exc}. It was moved to {aside.name} (nothing deleted); the rest of the "
                "queue works, and its comments return with the next sync or import"
            )
            self._journal_offset_reset = True
            db = open_tinydb(path)
        return db

    def _shard(self, index: int) -> TinyDB:
        shard = self._shards[index]
        if shard is None:
            shard = open_tinydb(self._shard_dir / f"comments-{index:02x}.json")
            self._shards[index] = shard
        return shard

    def _replay(self) -> int:
        """Apply journal entries written after the last flush; return how many."""
        offset = self._journal_offset
        if offset > self.journal.offset():
            offset = 0  # the journal was replaced: replay it whole (applying is idempotent)
        if self.audit_key is not None:
            self._check_unapplied(offset)
        count = orphans = 0
        for end, entry in self.journal.read(offset):
            seq = int(entry.get("seq", 0))
            if seq <= self._applied_seq:
                continue
            action = action_from_doc(entry)
            self._apply(action)
            if action.kind == "capture" and action.comment_id is not None:
                if not self._stored(action.comment_id):
                    self._orphans[action.comment_id] = str(action.data.get("sha256", ""))
                    orphans += 1
            count += 1
            self._journal_offset = end
            self._note_applied(entry)
        if orphans and not self._journal_offset_reset:  # else the set-aside file says it
            self.warnings.append(
                f"{orphans} comment(s) captured in the journal never reached the store (an "
                "import or sync was stopped midway): import or sync them again; they are "
                "stored then, without a second capture"
            )
        if count:
            self.flush()
        return count

    def _stored(self, comment_id: str) -> bool:
        """Whether the store holds a comment, looking in its shard while still loading."""
        if comment_id in self.comments:
            return True
        if self.loaded:
            return False
        shard = self._shard(_shard_of(comment_id)).table("comments")
        return bool(shard.contains(doc_id=comment_id))  # type: ignore[arg-type]

    def _check_unapplied(self, offset: int) -> None:
        """Refuse to replay if any entry not yet applied lacks a genuine MAC (or link)."""
        anchor = self._applied_hash if isinstance(self._applied_hash, str) else None
        prev: str | None = GENESIS if offset == 0 else anchor
        seq: int | None = 1 if offset == 0 else None
        for _, entry in self.journal.read(offset):
            number = entry.get("seq")
            if isinstance(number, int) and number <= self._applied_seq:
                prev, seq = entry.get("hash"), number + 1
                continue
            reason = check_line(entry, prev, seq, self.audit_key)
            if reason:
                self.journal.close()
                raise StoreError(
                    f"{self.journal.path}: the entry with seq {number} was not applied, nor "
                    f"any after it: {reason}. Nothing was changed; `triage audit verify` "
                    "names the first line that fails"
                )
            prev, seq = entry.get("hash"), int(number) + 1 if isinstance(number, int) else None

    def _note_applied(self, entry: dict[str, Any], end: int | None = None) -> None:
        if end is not None:
            self._journal_offset = end
        self._applied_seq = int(entry["seq"])
        self._applied_hash, self._applied_mac = entry.get("hash"), entry.get("mac")

    def close(self) -> None:
        """Write what is left and let the folder go.

        A failed write here is kept in :attr:`warnings`, not raised: every action is in
        the journal and is replayed at the next start, and an error already on its way to
        the user (say, the journal's own) must stay the one they see.
        """
        try:
            if self._flusher is not None:
                flusher, self._flusher = self._flusher, None
                flusher.stop()
            self._flush_journaled()
        finally:
            self.journal.close()
            self._lock.release()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading ---------------------------------------------------------------------

    def get(self, comment_id: str) -> Comment:
        try:
            return self.comments[comment_id]
        except KeyError:
            raise NotFound(f"no comment with id {comment_id!r}") from None

    def __len__(self) -> int:
        return len(self.comments)

    def __iter__(self) -> Iterator[Comment]:
        return iter(self.comments.values())

    def page(self, wanted: Callable[[Comment], bool], limit: int) -> list[Comment] | None:
        """The ``limit`` newest comments that are ``wanted`` (newest first), or None when
        what is in memory cannot prove that: still loading, and the head holds fewer.

        The head is the newest comments of the whole store (the order never changes:
        it is by creation time and id), so the first wanted ones among it are the first
        of the whole store too, and when it holds every comment it answers anything.
        """
        rows: list[Comment] = []
        if limit <= 0:
            return rows
        with self._mutex:
            for comment_id in self.index.newest_first():
                comment = self.comments[comment_id]
                if wanted(comment):
                    rows.append(comment)
                    if len(rows) == limit:
                        return rows
            if self.loaded or len(self.comments) >= self.expected_total:
                return rows
            return None

    def load_all(self) -> None:
        """Load every comment now, on this thread (a store opened with ``defer_load``)."""
        if not self.loaded:
            self.adopt(*self.read_all())

    def state(self, key: str) -> dict[str, Any] | None:
        """A small keyed record (a sync cursor, …), or None."""
        doc = self._state_db.table("state").get(doc_id=key)  # type: ignore[call-overload]
        return dict(doc) if doc is not None else None

    def set_state(self, key: str, value: dict[str, Any]) -> None:
        """Store a keyed record; it reaches disk after every comment stored before it."""
        with self._mutex:
            self._state_db.table("state").upsert(Document(value, doc_id=key))  # type: ignore[arg-type]
        self._changed()

    def states(self) -> dict[str, dict[str, Any]]:
        """Every keyed record of the state table (sync cursors, …), by key."""
        return {str(doc.doc_id): dict(doc) for doc in self._state_db.table("state").all()}

    def record_tables(self) -> list[str]:
        """The names of the record tables in the data folder."""
        return sorted(p.name[8:-5] for p in self._shard_dir.glob("records-*.json"))

    def records(self, table: str) -> dict[str, dict[str, Any]]:
        """Every record of a record table (outbox items, escalations, …), by key."""
        return {str(doc.doc_id): dict(doc) for doc in self._records_db(table).table(table).all()}

    def get_record(self, table: str, key: str) -> dict[str, Any] | None:
        doc = self._records_db(table).table(table).get(doc_id=key)  # type: ignore[call-overload]
        return dict(doc) if doc is not None else None

    def _records_db(self, table: str) -> TinyDB:
        if not table.isidentifier():
            raise StoreError(f"internal: bad record table name {table!r}")
        db = self._record_dbs.get(table)
        if db is None:
            with self._mutex:
                db = self._open_db(self._shard_dir / f"records-{table}.json")
                self._record_dbs[table] = db
        return db

    def _apply_record(self, record: dict[str, Any]) -> None:
        table, key, doc = record.get("table"), record.get("key"), record.get("doc")
        if not isinstance(table, str) or not isinstance(key, str) or not isinstance(doc, dict):
            return
        self._records_db(table).table(table).upsert(Document(doc, doc_id=key))  # type: ignore[arg-type]
        self.version += 1

    # -- writing ---------------------------------------------------------------------

    def record(self, entries: list[dict[str, Any]]) -> list[Action]:
        """Journal ``entries`` (durably), then apply them; return them as actions.

        An entry is a dict with ``user``, ``kind``, and optionally ``comment_id``,
        ``before``/``after`` (stored forms of the fields it changes), ``batch``, ``data``.
        ``data["record"] = {"table", "key", "doc"}`` also upserts a record (an outbox
        item, an escalation, …) into a record table, replayed like everything else.
        """
        for entry in entries:  # every journal entry records who acted
            if not isinstance(entry.get("user"), str) or not entry["user"].strip():
                raise StoreError(f"internal: a {entry.get('kind')!r} entry names no user")
        actions: list[Action] = []

        def apply(written: list[dict[str, Any]], end: int) -> None:  # durable, in order
            actions.extend(action_from_doc(line) for line in written)
            for action in actions:
                self._apply(action)
            self._note_applied(written[-1], end)

        self.journal.append([{"at": iso(self.clock()), **e} for e in entries], apply)
        self._note_pending(len(actions))
        return actions

    def _flush_journaled(self, flush: Callable[[], None] | None = None) -> None:
        """Flush after actions that are already journaled: a failure is a warning.

        The actions are durable (and replayed at the next start), so they are not
        reported as failed; the store files are tried again at the next flush.
        """
        try:
            (flush or self.flush)()
        except StoreError as exc:
            message = (f"{exc}; every action is safe in the journal and is replayed at the "
                       "next start")
            if message not in self.warnings:
                self.warnings.append(message)

    def _apply(self, action: Action) -> None:
        record = action.data.get("record")
        if isinstance(record, dict):
            self._apply_record(record)
        if action.comment_id is None or not action.after:
            return
        comment = self.comments.get(action.comment_id)
        fields = {k: v for k, v in action.after.items() if k in MUTABLE_FIELDS}
        if not fields:
            return
        if comment is None:
            if not self.loaded and self._stored(action.comment_id):
                # Still loading: the comment is only on disk; change it there, so the
                # journal offset can move past this entry (adopt() applies it in memory).
                table = self._shard(_shard_of(action.comment_id)).table("comments")
                doc = table.get(doc_id=action.comment_id)  # type: ignore[call-overload]
                if doc is not None:
                    _note_closed_at(comment_from_doc(dict(doc)), fields, action)
                table.update(fields, doc_ids=[action.comment_id])  # type: ignore[list-item]
            return
        closed_at = _note_closed_at(comment, fields, action)
        values = {k: _field_value(k, v) for k, v in fields.items() if k != "closed_at"}
        if closed_at != comment.closed_at:
            values["closed_at"] = closed_at
        changed = replace(comment, **values)
        self.comments[comment.id] = changed
        self.index.replace(comment, changed)
        self._shard(_shard_of(comment.id)).table("comments").update(fields, doc_ids=[comment.id])  # type: ignore[list-item]
        self.version += 1

    def ingest(self, comments: Iterable[Comment], posts: Iterable[Post] = (), *,
               user: str = "triage", tagged: bool = False) -> IngestResult:
        """Add new comments (tagged now), refresh changed ones, and make them durable.

        Known ids keep their status, assignee and tags unless their text changed (then
        they are tagged again). Returns how many were new, updated and unchanged.

        New comments are not in the journal (it holds their hash, not their text): they
        are durable once written, at once or by the background writer, always before a
        sync cursor set after them. With ``tagged``, new comments come tagged already (those
        without tags too) and are not tagged again.
        """
        if not self.loaded:
            raise StoreError("the queue is still loading; try again in a moment")
        with self._mutex:
            result, changed = self._ingest(comments, posts, user, tagged)
        if changed:
            self._changed()
        return result

    def _ingest(self, comments: Iterable[Comment], posts: Iterable[Post],
                user: str, tagged: bool = False) -> tuple[IngestResult, bool]:
        new_docs: dict[int, list[Document]] = {}
        updates: list[tuple[Comment, dict[str, Any]]] = []
        entries: list[dict[str, Any]] = []
        unchanged = 0
        seen: set[str] = set()
        for comment in comments:
            if comment.id in seen:
                unchanged += 1
                continue
            seen.add(comment.id)
            comment = _storable(comment)
            old = self.comments.get(comment.id)
            if old is None:
                if not tagged and not comment.tags and self.tagger is not None:
                    comment = replace(comment, tags=self.tagger(comment.text))
                doc = comment_to_doc(comment)
                new_docs.setdefault(_shard_of(comment.id), []).append(
                    Document(doc, doc_id=comment.id)  # type: ignore[arg-type]
                )
                self.comments[comment.id] = comment
                self.index.add(comment)
                captured = self._orphans.pop(comment.id, None)
                if captured != comment.content_hash:  # captured already: not twice
                    kind = "capture" if captured is None else "update"
                    entries.append(_capture_entry(user, kind, comment))
            elif old.text != comment.text or old.permalink != comment.permalink:
                if old.text == comment.text:
                    tags = old.tags  # only the link moved: the tags (and corrections) stay
                else:
                    tags = self.tagger(comment.text) if self.tagger else comment.tags
                fresh = replace(old, text=comment.text, permalink=comment.permalink, tags=tags)
                updates.append((fresh, comment_to_doc(fresh)))
                entries.append(_capture_entry(user, "update", fresh))
            else:
                unchanged += 1
        if entries:
            self.journal.append([{"at": iso(self.clock()), **e} for e in entries],
                                lambda written, end: self._note_applied(written[-1], end))
        for index, docs in new_docs.items():
            self._shard(index).table("comments").insert_multiple(docs)
        for fresh, doc in updates:
            self.index.replace(self.comments[fresh.id], fresh)
            self.comments[fresh.id] = fresh
            self._shard(_shard_of(fresh.id)).table("comments").update(doc, doc_ids=[fresh.id])  # type: ignore[list-item]
        new_posts = self._ingest_posts(posts)
        if entries:
            self.version += 1
        result = IngestResult(sum(len(d) for d in new_docs.values()), len(updates), unchanged)
        return result, bool(entries or new_posts)

    def _ingest_posts(self, posts: Iterable[Post]) -> int:
        table = self._posts_db.table("posts")
        count = 0
        for post in posts:
            if self.posts.get(post.id) == post:
                continue
            self.posts[post.id] = post
            table.upsert(Document(post_to_doc(post), doc_id=post.id))  # type: ignore[arg-type]
            count += 1
        return count

    # -- flushing --------------------------------------------------------------------

    def write_in_background(self) -> None:
        """From now on, write the files from a thread of their own (the TUI does this).

        The order on disk stays the same: comment, post and record files first, then the
        state (sync cursors) and how far the journal is applied, so a cursor never reaches
        disk before the comments it stands for.
        """
        if self._flusher is None:
            self._flusher = Flusher(self._write_pass, name="triage-store-writer")

    def take_write_error(self) -> str | None:
        """What the background writer could not write (once), or None."""
        return self._flusher.take_error() if self._flusher is not None else None

    def _changed(self) -> None:
        """Something the journal cannot replay changed: write it now, or soon."""
        if self._flusher is not None:
            self._flusher.kick()
        else:
            self.flush()

    def _note_pending(self, count: int) -> None:
        if not self._pending:
            self._pending_since = time.monotonic()
        self._pending += count
        self._flush_journaled(self.flush_if_due)

    def flush_if_due(self) -> None:
        """Flush when enough actions wait or the oldest has waited long enough."""
        if self._pending and (
            self._pending >= self.flush_every
            or time.monotonic() - self._pending_since >= self.flush_seconds
        ):
            if self._flusher is not None:
                self._flusher.kick()
                self._pending = 0
            else:
                self.flush()

    def flush(self) -> None:
        """Write every changed file now (with the background writer, wait for it)."""
        if self._flusher is not None:
            self._flusher.wait(self._flusher.kick())
            error = self._flusher.take_error()
            if error:
                raise StoreError(error)
        else:
            self._write_pass()
        self._pending = 0

    def _data_storages(self) -> list[AtomicJSONStorage]:
        dbs = [s for s in self._shards if s is not None]
        dbs.append(self._posts_db)
        dbs.extend(self._record_dbs.values())
        return [db.storage for db in dbs]  # type: ignore[misc]

    def _write_pass(self) -> None:
        """Write what changed: data files one by one, then state, head and meta.

        Each file is copied under the lock and written without it, so the owner of the
        store waits at most for one copy. State and meta are copied only once no data
        file is left changed, so they never claim more than the data files hold.
        """
        for _ in range(4 * SHARDS):  # bounded: the owner may keep changing things
            with self._mutex:
                storage = next((s for s in self._data_storages() if s.dirty), None)
                payload = storage.take() if storage is not None else None
            if storage is None or payload is None:
                break
            storage.put(payload)
        state = self._state_db.storage
        assert isinstance(state, AtomicJSONStorage)
        with self._mutex:
            late = [(s, s.take()) for s in self._data_storages() if s.dirty]
            state_payload = state.take()
            head, head_version = self._head_payload()
            meta = orjson.dumps({
                "version": 1,
                "shards": SHARDS,
                "applied_seq": self._applied_seq,
                "applied_hash": self._applied_hash,
                "applied_mac": self._applied_mac,
                "journal_offset": self._journal_offset,
                "orphan_captures": self._orphans,
            })
        try:
            for storage, payload in late:
                if payload is not None:
                    storage.put(payload)
        except StoreError:
            if state_payload is not None:
                state.dirty = True  # written with the data it follows, next time
            raise
        if state_payload is not None:
            state.put(state_payload)
        for path, payload in ((self._shard_dir / "head.json", head), (self._meta_path, meta)):
            if payload is None:
                continue
            try:
                write_atomic(path, payload)
            except OSError as exc:
                raise StoreError(f"{path}: cannot write: {exc.strerror}") from exc
        if head is not None:
            self._head_version = head_version

    def _head_payload(self) -> tuple[bytes | None, int]:
        """The newest comments in one small file, for a fast first screen (None: unchanged)."""
        if self._head_version == self.version:
            return None, self._head_version
        # While loading, the comments in memory are exactly the head (nothing is added
        # before everything is loaded), kept up to date by every action since.
        newest = self.index.newest_first()[:HEAD]
        head = {"total": len(self.comments) if self.loaded else self.expected_total,
                "applied_seq": self._applied_seq,
                "comments": [comment_to_doc(self.comments[i]) for i in newest]}
        return orjson.dumps(head), self.version


def _note_closed_at(comment: Comment, fields: dict[str, Any], action: Action) -> datetime | None:
    """The close time ``action`` gives ``comment``; added to ``fields`` (stored form) when
    it changes, so the shard on disk keeps it too."""
    closed_at = _closed_at(comment, fields.get("status", comment.status), action)
    if closed_at != comment.closed_at:
        fields["closed_at"] = iso(closed_at) if closed_at else None
    return closed_at


def _closed_at(comment: Comment, status: str, action: Action) -> datetime | None:
    """When ``comment`` was closed once ``action`` gives it ``status``: the action's time
    when it closes an open comment, unchanged between closed statuses, None when reopened."""
    if status not in CLOSED_STATUSES:
        return None
    if comment.status in CLOSED_STATUSES and comment.closed_at is not None:
        return comment.closed_at
    return action.at


def _storable(comment: Comment) -> Comment:
    """The comment with any text that cannot be stored as UTF-8 repaired."""
    text = valid_unicode(comment.text)
    name = valid_unicode(comment.author.name)
    if text is comment.text and name is comment.author.name:
        return comment
    return replace(comment, text=text, author=replace(comment.author, name=name))


def _orphans_from(meta: dict[str, Any]) -> dict[str, str]:
    found = meta.get("orphan_captures")
    if not isinstance(found, dict):
        return {}
    return {str(key): str(value) for key, value in found.items()}


def _capture_entry(user: str, kind: str, comment: Comment) -> dict[str, Any]:
    return {
        "user": user,
        "kind": kind,
        "comment_id": comment.id,
        "data": {
            "sha256": comment.content_hash,
            "platform": comment.platform,
            "account": comment.account,
            "author": comment.author.name,
            "created_at": iso(comment.created_at),
        },
    }
