"""The append-only, hash-chained journal of every action (``journal.jsonl``).

Each line is one JSON object: the action's fields, ``prev`` (the ``hash`` of the line
before it, or 64 zeros for the first line) and ``hash``, the SHA-256 of the line's
canonical form without ``hash``. Changing, removing or reordering any line breaks the
chain at that line, which :func:`verify` names.

A line is acknowledged only once it has been written, flushed and fsynced. A crash in
the middle of a write can leave a torn last line (no newline); opening the journal moves
that fragment aside (it was never acknowledged) so the chain stays whole.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from triage.errors import JournalError
from triage.private import open_private

__all__ = ["GENESIS", "Journal", "VerifyResult", "verify"]

GENESIS = "0" * 64
_DUMP_OPTIONS = orjson.OPT_SORT_KEYS


def _digest(entry: dict[str, Any]) -> str:
    body = {key: value for key, value in entry.items() if key != "hash"}
    return hashlib.sha256(orjson.dumps(body, option=_DUMP_OPTIONS)).hexdigest()


@dataclass(frozen=True, slots=True)
class VerifyResult:
    """What :func:`verify` found: the number of entries and the first broken line."""

    entries: int
    broken_line: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_line is None


class Journal:
    """Appends actions to ``journal.jsonl``; one writer (the store holds the lock)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._recover_torn_tail()
        self.last_seq, self.last_hash = self._read_tail()
        self._file = open_private(path, "ab")  # kept open for the store's lifetime

    # -- writing ---------------------------------------------------------------------

    def append(self, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Number, chain and durably write ``entries``; return them as written.

        Everything is on disk (fsynced) when this returns, in one write for the batch.
        """
        written: list[dict[str, Any]] = []
        chunks: list[bytes] = []
        seq, prev = self.last_seq, self.last_hash
        for entry in entries:
            seq += 1
            line = dict(entry, seq=seq, prev=prev)
            line["hash"] = prev = _digest(line)
            chunks.append(orjson.dumps(line, option=_DUMP_OPTIONS) + b"\n")
            written.append(line)
        if not chunks:
            return written
        try:
            self._file.write(b"".join(chunks))
            self._file.flush()
            os.fsync(self._file.fileno())
        except OSError as exc:
            raise JournalError(f"{self.path}: cannot write the journal: {exc.strerror}") from exc
        self.last_seq, self.last_hash = seq, prev
        return written

    def close(self) -> None:
        if not self._file.closed:
            self._file.close()

    # -- reading ---------------------------------------------------------------------

    def offset(self) -> int:
        """The byte size of the journal: where the next entry will start."""
        return self._file.tell() if not self._file.closed else self.path.stat().st_size

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
        if not self.path.exists() or self.path.stat().st_size == 0:
            return
        with open(self.path, "rb+") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(size - 1)
            if handle.read(1) == b"\n":
                return
            tail_start = max(0, size - (1 << 20))
            handle.seek(tail_start)
            tail = handle.read()
            cut = tail.rfind(b"\n")
            keep = tail_start + cut + 1 if cut >= 0 else 0
            fragment = tail[cut + 1 :]
            aside = self.path.with_name(self.path.name + ".torn")
            with open_private(aside, "ab") as torn:
                torn.write(fragment + b"\n")
            handle.truncate(keep)
            handle.flush()
            os.fsync(handle.fileno())

    def _read_tail(self) -> tuple[int, str]:
        for entry in self.read_backwards():
            try:
                return int(entry["seq"]), str(entry["hash"])
            except (KeyError, TypeError, ValueError) as exc:
                raise JournalError(
                    f"{self.path}: the last entry has no valid seq and hash"
                ) from exc
        return 0, GENESIS


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


def verify(path: Path) -> VerifyResult:
    """Walk the hash chain of a journal file; name the first line that breaks it."""
    prev = GENESIS
    count = 0
    expected_seq = 1
    if not path.exists():
        return VerifyResult(0)
    with open(path, "rb") as handle:
        for line_no, raw in enumerate(handle, start=1):
            if not raw.strip():
                return VerifyResult(count, line_no, "blank line")
            try:
                entry = orjson.loads(raw)
            except orjson.JSONDecodeError:
                return VerifyResult(count, line_no, "not valid JSON")
            if not isinstance(entry, dict):
                return VerifyResult(count, line_no, "not a JSON object")
            if entry.get("prev") != prev:
                return VerifyResult(count, line_no, "does not follow the line before it")
            if entry.get("hash") != _digest(entry):
                return VerifyResult(count, line_no, "its content does not match its hash")
            if entry.get("seq") != expected_seq:
                return VerifyResult(count, line_no, f"sequence number is not {expected_seq}")
            prev = entry["hash"]
            expected_seq += 1
            count += 1
    return VerifyResult(count)
