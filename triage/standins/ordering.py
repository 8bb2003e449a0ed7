"""Items kept in the order a platform lists them, with opaque cursors into that order."""

from __future__ import annotations

import base64
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

__all__ = ["Key", "SortedItems", "decode_cursor", "encode_cursor", "walk"]

Key = tuple[int, ...]
T = TypeVar("T")


class SortedItems(Generic[T]):
    """A list kept sorted by a key; walks start after (or before) a key, never at an index.

    Walking by key rather than by position keeps a cursor valid while items are added
    between two page requests, as on the platforms.
    """

    __slots__ = ("_items", "_key", "_keys")

    def __init__(self, key: Callable[[T], Key]) -> None:
        self._key = key
        self._keys: list[Key] = []
        self._items: list[T] = []

    def __len__(self) -> int:
        return len(self._items)

    def add(self, item: T) -> None:
        key = self._key(item)
        at = bisect_right(self._keys, key)
        self._keys.insert(at, key)
        self._items.insert(at, item)

    def key_of(self, item: T) -> Key:
        return self._key(item)

    def ascending(self, after: Key | None = None) -> Iterator[T]:
        """Items with a key greater than ``after`` (all when None), oldest first."""
        start = 0 if after is None else bisect_right(self._keys, after)
        for index in range(start, len(self._items)):
            yield self._items[index]

    def descending(self, before: Key | None = None) -> Iterator[T]:
        """Items with a key smaller than ``before`` (all when None), newest first."""
        stop = len(self._items) if before is None else bisect_left(self._keys, before)
        for index in range(stop - 1, -1, -1):
            yield self._items[index]


def encode_cursor(key: Key) -> str:
    """An opaque cursor (URL-safe base64 text) for a key."""
    raw = ".".join(str(part) for part in key).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> Key | None:
    """The key a cursor stands for, or None when it is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        return tuple(int(part) for part in raw.split("."))
    except (ValueError, UnicodeDecodeError):
        return None


def walk(
    items: SortedItems[T],
    *,
    newest_first: bool,
    start: Key | None,
    limit: int,
    keep: Callable[[T], bool],
) -> tuple[list[T], bool]:
    """Up to ``limit`` kept items from ``start`` (exclusive) on, and whether more follow."""
    found: list[T] = []
    source = items.descending(start) if newest_first else items.ascending(start)
    for item in source:
        if keep(item):
            if len(found) == limit:
                return found, True
            found.append(item)
    return found, False
