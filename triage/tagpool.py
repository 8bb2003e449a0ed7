"""Tagging many comments on every core: worker processes, each with the same tagger.

Tagging is pure Python, so threads would share one core; processes do not. Workers are
forked from a process with one thread (they inherit the compiled tagger and start at
once); otherwise they are started afresh and build their own from the same recipe. Few
comments are tagged in-process: a pool costs more than it saves below ``least``.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing.context import BaseContext
from typing import Any

from triage.model import Tag

__all__ = ["TagPool", "cores"]

TagFunction = Callable[[str], tuple[Tag, ...]]

#: The tagger of a worker process (set by :func:`_start`).
_WORKER: TagFunction | None = None


def cores() -> int:
    """How many cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _start(tag: TagFunction | None, recipe: dict[str, Any] | None) -> None:
    global _WORKER
    if tag is None:
        from triage.tagger import Tagger

        tag = Tagger(**(recipe or {})).tag
    _WORKER = tag


def _tag_chunk(texts: Sequence[str]) -> list[tuple[Tag, ...]]:
    assert _WORKER is not None, "the worker was not started"
    return [_WORKER(text) for text in texts]


class TagPool:
    """``tag_many(texts)`` tags on ``workers`` processes (by default one per core)."""

    def __init__(self, tag: TagFunction, *, recipe: dict[str, Any] | None = None,
                 workers: int | None = None, least: int = 2000) -> None:
        self.tag = tag
        self.recipe = recipe
        self.workers = workers if workers is not None else cores()
        self.least = least
        self._pool: ProcessPoolExecutor | None = None

    def tag_many(self, texts: Sequence[str]) -> list[tuple[Tag, ...]]:
        """The tags of each text, in order."""
        if self.workers < 2 or len(texts) < self.least:
            return [self.tag(text) for text in texts]
        pool = self._pool or self._open()
        size = max(50, len(texts) // (self.workers * 4) + 1)
        chunks = [texts[at:at + size] for at in range(0, len(texts), size)]
        return [tags for chunk in pool.map(_tag_chunk, chunks) for tags in chunk]

    def _open(self) -> ProcessPoolExecutor:
        context: BaseContext
        if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods():
            context = multiprocessing.get_context("fork")
            initargs: tuple[Any, ...] = (self.tag, None)  # inherited, not pickled
        else:
            context = multiprocessing.get_context("spawn")
            initargs = (None, self.recipe)
        self._pool = ProcessPoolExecutor(self.workers, mp_context=context,
                                         initializer=_start, initargs=initargs)
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def __enter__(self) -> TagPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
