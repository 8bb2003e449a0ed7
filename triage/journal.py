"""The append-only, hash-chained journal of every action (``journal.jsonl``).

Each line is one JSON object: the action's fields, ``prev`` (the ``hash`` of the line
before it, or 64 zeros for the first line) and ``hash``, the SHA-256 of the line's
canonical form without ``hash`` and ``mac``. Changing, removing or reordering any line
breaks the chain at that line, which :func:`verify` names, unless the hashes after it are
recomputed: anyone can do that. With an audit key (see auditkey.py) each line also carries
``mac``, the HMAC of its ``hash``, which only a holder of the key can compute.

A line is acknowledged only once it has been written, flushed and fsynced. A batch (the
entries of one :meth:`Journal.append`, such as a bulk dismissal) is all or nothing:

- Every line of a batch of several entries carries ``batch_end``, the ``seq`` of the
  batch's last line. A batch whose last line is missing was never acknowledged.
- When a write fails (a full disk, a file-size limit), the file is truncated back to
  where the batch began and fsynced before the error is raised, so the running process
  never leaves part of a batch behind.
- A crash in the middle of a write can leave a torn last line (no newline) and, for a
  batch, whole lines of a batch without its last line. Opening the journal moves exactly
  those bytes, and nothing before them, to ``journal.jsonl.torn`` and says so in
  :attr:`Journal.notices`; the chain stays whole and replay never sees half a batch.

Framing, not only truncation, is what makes this hold after a kill or a power cut, when
no code runs to truncate; truncation keeps the file clean for the process that goes on.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import orjson

from triage.errors import JournalError
from triage.groupcommit import GroupCommit
from triage.private import open_private

if TYPE_CHECKING:
    from triage.auditkey import AuditKey

__all__ = ["GENESIS", "Journal", "VerifyResult", "check_line", "verify"]

GENESIS = "0" * 64
_DUMP_OPTIONS = orjson.OPT_SORT_KEYS
_BLOCK = 1 << 20


def _digest(entry: dict[str, Any]) -> str:
    body = {key: value for key, value in entry.items() if key not in ("hash", "mac")}
    return hashlib.sha256(orjson.dumps(body, option=_DUMP_OPTIONS)).hexdigest()


@dataclass(frozen=True, slots=True)
class VerifyResult:
    """What :func:`verify` found.

    ``entries`` lines hold together (they are lines 1 to ``entries``, numbered so);
    ``broken_line`` is the first that does not. ``keyed``: MACs were checked with a key;
    ``macs_from``: the first line carrying a MAC. ``last_hash`` and ``last_mac`` are those
    of line ``entries``; ``marked`` is ``(hash, mac)`` of the line asked for by ``mark``.
    """

    entries: int
    broken_line: int | None = None
    reason: str = ""
    keyed: bool = False
    macs_from: int | None = None
    last_hash: str = GENESIS
    last_mac: str | None = None
    marked: tuple[str, str | None] | None = None

    @property
    def ok(self) -> bool:
        return self.broken_line is None


class Journal:
    """Appends actions to ``journal.jsonl``; one process (the store holds the lock).

    Threads may append at once (their batches share fsyncs). With ``key``, every line
    written carries a ``mac``. ``order``: the lock the ``then`` of :meth:`append` runs under.
    """

    def __init__(self, path: Path, key: AuditKey | None = None,
                 order: Any = None) -> None:
        self.path = path
        self.key = key
        #: What opening had to set aside (a torn line, an unfinished batch), for the user.
        self.notices: list[str] = []
        self._recover_torn_tail()
        self.last_seq, self.last_hash = self._read_tail()
        #: The ``mac`` of the last line (None when it has none, or the journal is empty).
        self.last_mac: str | None = self._tail_mac
        self._file = open_private(path, "ab", buffering=0)  # kept open while the store is
        self._size = self._file.seek(0, os.SEEK_END)
        self._broken = ""
        self._commit = GroupCommit(self._file.fileno(), self._mark, self._restore, order,
                                   str(path))

    # -- writing ---------------------------------------------------------------------

    def append(self, entries: list[dict[str, Any]],
               then: Callable[[list[dict[str, Any]], int], None] | None = None
               ) -> list[dict[str, Any]]:
        """Number, chain and durably write ``entries``; return them as written.

        Everything is on disk (fsynced) when this returns, in one write for the batch;
        batches that other threads write meanwhile share the fsync (see groupcommit.py).
        ``then(written, end_offset)`` runs after the fsync, in the order batches were
        written. On failure nothing of the batch stays in the file, and
        :class:`JournalError` names it.
        """
        if self._broken:
            raise JournalError(self._broken)
        with self._commit.writing() as ticket:
            written = self._write(entries)
            end = self._size
        if not written:
            self._commit.skip(ticket)
            return written
        try:
            self._commit.wait(ticket)
        except JournalError:
            self._commit.skip(ticket)
            raise
        self._commit.in_turn(ticket, lambda: then(written, end) if then else None)
        return written

    def _write(self, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Chain ``entries`` after the last line written and write them (no fsync)."""
        written: list[dict[str, Any]] = []
        chunks: list[bytes] = []
        seq, prev = self.last_seq, self.last_hash
        batch_end = seq + len(entries) if len(entries) > 1 else None
        for entry in entries:
            seq += 1
            line = dict(entry, seq=seq, prev=prev)
            if batch_end is not None:
                line["batch_end"] = batch_end
            line["hash"] = prev = _digest(line)
            if self.key is not None:
                line["mac"] = self.key.mac(prev)
            chunks.append(orjson.dumps(line, option=_DUMP_OPTIONS) + b"\n")
            written.append(line)
        if not chunks:
            return written
        payload = memoryview(b"".join(chunks))
        fd = self._file.fileno()
        try:
            done = 0
            while done < len(payload):
                done += os.write(fd, payload[done:])
        except OSError as exc:
            self._roll_back(exc)
        self._size += len(payload)
        self.last_seq, self.last_hash = seq, prev
        self.last_mac = written[-1].get("mac")
        return written

    def _mark(self) -> tuple[Any, ...]:
        return self._size, self.last_seq, self.last_hash, self.last_mac

    def _restore(self, mark: tuple[Any, ...]) -> None:
        self._size, self.last_seq, self.last_hash, self.last_mac = mark

    @property
    def fsyncs(self) -> int:
        """How many fsyncs covered appended batches since the journal was opened."""
        return self._commit.fsyncs

    def _roll_back(self, exc: OSError) -> None:
        """Cut the file back to where the failed batch began; then raise, naming the journal."""
        message = f"{self.path}: cannot write the journal: {exc.strerror or exc}"
        try:
            os.ftruncate(self._file.fileno(), self._size)
            os.fsync(self._file.fileno())
        except OSError as undo:
            self._broken = (
                f"{message}; it could not be cut back either ({undo.strerror or undo}), so "
                "no more actions are written until Triage is started again (the unfinished "
                "batch is then set aside)"
            )
            raise JournalError(self._broken) from exc
        raise JournalError(f"{message}; the action was not recorded") from exc

    def close(self) -> None:
        if not self._file.closed:
            self._file.close()

    # -- reading ---------------------------------------------------------------------

    def offset(self) -> int:
        """The byte size of the journal: where the next entry will start."""
        return self._size if not self._file.closed else self.path.stat().st_size

    def read(self, offset: int = 0) -> Iterator[tuple[int, dict[str, Any]]]:
        """Yield ``(end_offset, entry)`` for every whole line from ``offset`` on."""
        yield from read_entries(self.path, offset)

    def read_backwards(self, block: int = 1 << 16) -> Iterator[dict[str, Any]]:
        """Yield entries newest first, reading the file from its end in blocks."""
        if not self.path.exists():
            return
        with open(self.path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            position = handle.tell()
            rest = b""
            while position > 0:
                step = min(block, position)
                position -= step
                handle.seek(position)
                chunk = handle.read(step) + rest
                lines = chunk.split(b"\n")
                rest = lines[0]
                for raw in reversed(lines[1:]):
                    if raw.strip():
                        yield _parse(raw, self.path, None)
            if rest.strip():
                yield _parse(rest, self.path, 1)

    # -- opening ---------------------------------------------------------------------

    def _recover_torn_tail(self) -> None:
        """Set aside a torn last line and the lines of an unfinished batch; nothing else."""
        if not self.path.exists() or self.path.stat().st_size == 0:
            return
        with open(self.path, "rb+") as handle:
            size = handle.seek(0, os.SEEK_END)
            keep = _after_last_newline(handle, size)
            if keep < size:
                self._set_aside(handle, keep, size, "an unfinished last line")
                size = keep
            keep = _unfinished_batch_start(handle, size, self.path)
            if keep < size:
                self._set_aside(handle, keep, size, "the first lines of an unfinished batch")

    def _set_aside(self, handle: BinaryIO, keep: int, size: int, what: str) -> None:
        """Move bytes ``keep..size`` to ``journal.jsonl.torn``, then cut them off."""
        aside = self.path.with_name(self.path.name + ".torn")
        with open_private(aside, "ab") as torn:
            handle.seek(keep)
            left = size - keep
            while left:
                chunk = handle.read(min(left, _BLOCK))
                torn.write(chunk)
                left -= len(chunk)
            if not what.startswith("the first lines"):
                torn.write(b"\n")
            torn.flush()
            os.fsync(torn.fileno())
        handle.truncate(keep)
        handle.flush()
        os.fsync(handle.fileno())
        self.notices.append(
            f"{self.path}: {what} ({size - keep:,} bytes), cut short by a crash and never "
            f"acknowledged, was moved to {aside.name}; every entry before it is kept"
        )

    def _read_tail(self) -> tuple[int, str]:
        self._tail_mac: str | None = None
        for entry in self.read_backwards():
            mac = entry.get("mac")
            self._tail_mac = mac if isinstance(mac, str) else None
            try:
                return int(entry["seq"]), str(entry["hash"])
            except (KeyError, TypeError, ValueError) as exc:
                raise JournalError(
                    f"{self.path}: the last entry has no valid seq and hash"
                ) from exc
        return 0, GENESIS


def _after_last_newline(handle: BinaryIO, size: int) -> int:
    """Where the file's last whole line ends, scanning back in blocks (0: none is whole)."""
    position = size
    while position > 0:
        step = min(_BLOCK, position)
        position -= step
        handle.seek(position)
        cut = handle.read(step).rfind(b"\n")
        if cut >= 0:
            return position + cut + 1
    return 0


def _unfinished_batch_start(handle: BinaryIO, size: int, path: Path) -> int:
    """Where the lines of a batch whose last line never reached the file begin (or ``size``)."""
    start = size
    end_seq: Any = None
    for line_start, raw in _lines_backwards(handle, size):
        entry = _parse(raw, path, None)
        batch_end = entry.get("batch_end")
        if end_seq is None:
            seq = entry.get("seq")
            if not isinstance(batch_end, int) or not isinstance(seq, int) or batch_end <= seq:
                return size  # the last line ends its batch, or has none
            end_seq = batch_end
        elif batch_end != end_seq:
            break
        start = line_start
    return start


def _lines_backwards(handle: BinaryIO, size: int) -> Iterator[tuple[int, bytes]]:
    """Yield ``(start, line)`` for the whole lines before ``size``, newest first."""
    position, rest = size, b""
    while position > 0:
        step = min(_BLOCK, position)
        position -= step
        handle.seek(position)
        lines = (handle.read(step) + rest).split(b"\n")
        rest = lines[0]
        offset = position + len(rest) + 1
        starts = []
        for raw in lines[1:]:
            starts.append((offset, raw))
            offset += len(raw) + 1
        for line_start, raw in reversed(starts):
            if raw.strip():
                yield line_start, raw
    if rest.strip():
        yield 0, rest


def _parse(raw: bytes, path: Path, line_no: int | None) -> dict[str, Any]:
    try:
        entry = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        where = f"line {line_no}" if line_no else "an entry"
        raise JournalError(f"{path}: {where} is not valid JSON") from exc
    if not isinstance(entry, dict):
        raise JournalError(f"{path}: an entry is not a JSON object")
    return entry


def read_entries(path: Path, offset: int = 0) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(end_offset, entry)`` for each whole line of a journal file from ``offset``."""
    if not path.exists():
        return
    with open(path, "rb") as handle:
        handle.seek(offset)
        position = offset
        for raw in handle:
            position += len(raw)
            if not raw.endswith(b"\n"):
                break
            if raw.strip():
                yield position, _parse(raw, path, None)


def check_line(entry: dict[str, Any], prev: str | None, seq: int | None,
               key: AuditKey | None = None, macs_started: bool = True) -> str:
    """Why ``entry`` cannot follow a line of hash ``prev`` and number ``seq - 1``; "" if it can.

    ``prev`` or ``seq`` None: that is not checked. With ``key``, the MAC is checked; a line
    without one fails only if ``macs_started`` (MACs began on an earlier line).
    """
    if prev is not None and entry.get("prev") != prev:
        return "does not follow the line before it"
    if entry.get("hash") != _digest(entry):
        return "its content does not match its hash"
    if seq is not None and entry.get("seq") != seq:
        return f"sequence number is not {seq}"
    mac = entry.get("mac")
    if key is not None and mac is None and macs_started:
        return "it carries no MAC, unlike the lines before it: written without the audit key"
    if key is not None and mac is not None and not key.check(entry.get("hash"), mac):
        return "its MAC does not match: written without the audit key"
    return ""


def verify(path: Path, key: AuditKey | None = None, mark: int = 0) -> VerifyResult:
    """Walk the chain of a journal file (and its MACs, with ``key``); name the first bad line.

    ``mark``: a line number whose hash and MAC to report (the store's anchor).
    """
    prev = GENESIS
    last_mac: str | None = None
    macs_from: int | None = None
    marked: tuple[str, str | None] | None = None
    count = 0

    def result(line_no: int | None = None, reason: str = "") -> VerifyResult:
        return VerifyResult(count, line_no, reason, key is not None, macs_from, prev,
                            last_mac, marked)

    if not path.exists():
        return result()
    with open(path, "rb") as handle:
        for line_no, raw in enumerate(handle, start=1):
            if not raw.strip():
                return result(line_no, "blank line")
            try:
                entry = orjson.loads(raw)
            except orjson.JSONDecodeError:
                return result(line_no, "not valid JSON")
            if not isinstance(entry, dict):
                return result(line_no, "not a JSON object")
            reason = check_line(entry, prev, line_no, key, macs_from is not None)
            if reason:
                return result(line_no, reason)
            mac = entry.get("mac")
            if mac is not None and macs_from is None:
                macs_from = line_no
            prev, last_mac = entry["hash"], mac if isinstance(mac, str) else None
            if line_no == mark:
                marked = (prev, last_mac)
            count += 1
    return result()
