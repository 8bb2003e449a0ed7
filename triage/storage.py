"""A TinyDB storage that keeps the file in memory and writes it back atomically on flush."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import orjson
from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Table

from triage.errors import StoreError
from triage.private import open_private

__all__ = ["AtomicJSONStorage", "StrTable", "open_tinydb", "write_atomic"]


def write_atomic(path: Path, payload: bytes) -> None:
    """Replace ``path`` with ``payload`` (0600) so that a crash leaves the old or the new file."""
    tmp = path.with_name(path.name + ".tmp")
    with open_private(tmp, "wb") as handle:
        handle.write(payload)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


class AtomicJSONStorage(Storage):
    """TinyDB storage: read once, keep in memory, write back whole and atomically.

    ``write`` only marks the data dirty; :meth:`flush` puts it on disk. The journal makes
    that safe: whatever was not flushed is replayed from it at the next start.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._data: dict[str, dict[str, Any]] | None = None
        self.dirty = False

    def read(self) -> dict[str, dict[str, Any]] | None:
        if self._data is None:
            self._data = self._load()
        return self._data

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        self._data = data
        self.dirty = True

    def flush(self) -> None:
        payload = self.take()
        if payload is not None:
            self.put(payload)

    def take(self) -> bytes | None:
        """The data to write, or None when nothing changed; marks it written.

        The caller holds the store's lock while taking, then :meth:`put` s the bytes
        without it; a failed put marks the data changed again.
        """
        if not self.dirty or self._data is None:
            return None
        payload = orjson.dumps(self._data)
        self.dirty = False
        return payload

    def put(self, payload: bytes) -> None:
        """Write bytes taken with :meth:`take` to the file, atomically."""
        try:
            write_atomic(self.path, payload)
        except OSError as exc:
            self.dirty = True
            raise StoreError(f"{self.path}: cannot write the store: {exc.strerror}") from exc

    def close(self) -> None:
        self.flush()

    def _load(self) -> dict[str, dict[str, Any]]:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise StoreError(f"{self.path}: cannot read the store: {exc.strerror}") from exc
        if not raw.strip():
            return {}
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise StoreError(f"{self.path}: the store file is not valid JSON ({exc})") from exc
        if not isinstance(data, dict) or not all(isinstance(t, dict) for t in data.values()):
            raise StoreError(f"{self.path}: the store file is not a TinyDB database")
        return data


class StrTable(Table):
    """A TinyDB table keyed by our own string ids (comment ids, account names)."""

    document_id_class = str  # type: ignore[assignment]

    def _get_next_id(self) -> Any:
        raise StoreError("internal: every document in the store is inserted with its own id")


class _TinyDB(TinyDB):
    table_class = StrTable


def open_tinydb(path: Path) -> TinyDB:
    """A TinyDB on ``path`` with atomic, explicitly flushed writes and string ids."""
    return _TinyDB(path, storage=AtomicJSONStorage)
