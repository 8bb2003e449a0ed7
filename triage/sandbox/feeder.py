"""The sandbox's feeder: a new generated comment on a platform stand-in every few seconds."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from random import Random
from typing import Any

import orjson

from triage.errors import TriageError
from triage.model import Comment, Post, utcnow
from triage.sandbox.banks import SandboxAccount
from triage.sandbox.generator import generate
from triage.sandbox.platforms import STYLES, PostRef

__all__ = ["CRISIS_SHARE", "FEED_EVERY", "FeedItem", "Feeder", "feed_pool", "kept_records"]

logger = logging.getLogger("triage.sandbox")

#: Seconds between two new comments: a random wait in this range, so arrivals look natural.
FEED_EVERY = (5.0, 10.0)
#: About one new comment in this many is a crisis, so the bell can be practised.
CRISIS_SHARE = 0.07
#: How many comments the pool is generated with (its top-level ones on synced platforms
#: are fed; a pool is never used up: a comment fed twice gets a new id each time).
POOL_SIZE = 800
#: Give up after this many failures in a row (the stand-ins are gone).
MAX_FAILURES = 5


@dataclass(frozen=True, slots=True)
class FeedItem:
    """A comment the feeder may post again (with a new id and time), and its kind."""

    comment: Comment
    kind: str

    @property
    def crisis(self) -> bool:
        return self.kind.startswith("crisis")


def feed_pool(seed: int, created: datetime, platforms: Collection[str], *,
              size: int = POOL_SIZE) -> list[FeedItem]:
    """Top-level comments to feed, on the sandbox's own posts.

    The generator makes the same posts for the same seed and time whatever the size, so
    a pool generated with the sandbox's seed and creation time comments on exactly the
    posts the stand-ins were seeded with, each text written for its post's topic.
    """
    data = generate(size, seed, now=created)
    return [FeedItem(c, data.kinds.get(c.id, "")) for c in data.comments
            if c.parent_id is None and c.platform in platforms]


class Feeder:
    """Posts a comment from ``pool`` to the stand-ins at ``origin`` every few seconds.

    Each comment gets a fresh id in its platform's style and the current time, so a
    comment fed in an earlier run (already in the queue) is never met again under its id.
    Runs in a daemon thread from :meth:`start` until :meth:`stop`. With ``keep``, each
    comment the stand-ins took is appended to that file (one seed record a line), so that
    the next run seeds the stand-ins with it again: the queue stored it, and a reply to it
    must find it on the platform.
    """

    def __init__(
        self,
        origin: str,
        pool: Sequence[FeedItem],
        accounts: Iterable[SandboxAccount],
        posts: Iterable[Post],
        *,
        every: tuple[float, float] = FEED_EVERY,
        rng: Random | None = None,
        clock: Callable[[], datetime] = utcnow,
        keep: Path | None = None,
    ) -> None:
        if not pool:
            raise ValueError("the feeder needs a pool of comments")
        self.origin = origin
        self.every = every
        self.clock = clock
        self.fed = 0
        self.keep = keep
        self._rng = rng or Random()
        self._accounts: Mapping[str, SandboxAccount] = {a.name: a for a in accounts}
        self._posts: Mapping[str, Post] = {p.id: p for p in posts}
        self._crises = [item for item in pool if item.crisis]
        self._others = [item for item in pool if not item.crisis] or self._crises
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def next_record(self) -> dict[str, Any]:
        """The next comment as a stand-in seed record (a new id, written now)."""
        rng = self._rng
        items = self._crises if self._crises and rng.random() < CRISIS_SHARE else self._others
        comment = items[int(rng.random() * len(items))].comment
        post = self._posts[comment.post_id or ""]
        native_post = post.id.split(":", 1)[1]
        ref = PostRef(native_post, post.permalink, {"number": native_post.rsplit("_", 1)[-1]})
        now = self.clock()
        native, link = STYLES[comment.platform].comment(
            rng, self._accounts[comment.account], ref, comment.author, now, None, None)
        fresh = replace(comment, id=f"{comment.platform}:{native}", native_id=native,
                        created_at=now, permalink=link, captured_at=now)
        from triage.standins import records_from_model

        return dict(records_from_model([], [fresh])["comments"][0])

    def feed_once(self, admin: Any) -> str:
        """Add the next comment through ``admin`` (a ``StandinAdmin``), keep it, and return
        its id at the stand-in."""
        record = self.next_record()
        native = str(admin.add_comment(record))
        if self.keep is not None:
            _append(self.keep, {**record, "id": native})
        self.fed += 1
        return native

    def start(self) -> Feeder:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="triage-sandbox-feeder",
                                            daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout=5)

    def _run(self) -> None:
        from triage.standins import StandinAdmin

        admin = StandinAdmin(self.origin, timeout=5.0)
        failures = 0
        try:
            while not self._stop.wait(self._rng.uniform(*self.every)):
                try:
                    self.feed_once(admin)
                except (TriageError, ValueError, OSError) as exc:
                    failures += 1
                    logger.info("sandbox feeder: a comment was not added (%s)", exc)
                    if failures >= MAX_FAILURES:
                        logger.info("sandbox feeder: the stand-ins do not answer; stopped")
                        return
                    continue
                failures = 0
        finally:
            admin.close()


def _append(path: Path, record: dict[str, Any]) -> None:
    """Append one record as a line; the file is readable by its owner only."""
    line = orjson.dumps(record, default=str) + b"\n"
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line)
    finally:
        os.close(fd)


def kept_records(path: Path) -> list[dict[str, Any]]:
    """The records a feeder kept in ``path`` (none when it is missing), each once.

    A line cut short by a crash, or not a record, is skipped: that comment was never
    acknowledged by the stand-ins.
    """
    try:
        lines = path.read_bytes().splitlines()
    except FileNotFoundError:
        return []
    except OSError as exc:
        logger.info("sandbox: %s cannot be read (%s)", path, exc)
        return []
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for line in lines:
        try:
            record = orjson.loads(line)
        except orjson.JSONDecodeError:
            continue
        if isinstance(record, dict) and isinstance(record.get("id"), str) \
                and isinstance(record.get("platform"), str):
            found.setdefault((record["platform"], record["id"]), record)
    return list(found.values())
