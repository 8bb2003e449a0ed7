"""A tagger built when the first comment is tagged, so the desk opens without waiting for it."""

from __future__ import annotations

import threading
from collections.abc import Callable

from triage.model import Tag

__all__ = ["FirstUse"]

TagFunction = Callable[[str], tuple[Tag, ...]]


class FirstUse:
    """Calls ``build()`` once, at the first call (from whichever thread), then tags with it.

    Building the tagger reads its lexicons and claims (a second or more on a busy machine);
    the desk's first screen needs none of it, the first sync does.
    """

    def __init__(self, build: Callable[[], TagFunction]) -> None:
        self._build = build
        self._tag: TagFunction | None = None
        self._lock = threading.Lock()

    @property
    def built(self) -> bool:
        return self._tag is not None

    def __call__(self, text: str) -> tuple[Tag, ...]:
        tag = self._tag
        if tag is None:
            with self._lock:
                if self._tag is None:
                    self._tag = self._build()
                tag = self._tag
        return tag(text)
