"""Checking a batch of seed records against the world, and putting replies after parents."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from triage.errors import ImportError_
from triage.standins.records import SeedComment, SeedPost

__all__ = ["check_references", "parents_first"]

Key = tuple[str, str]


def check_references(held: Callable[[Key], str | None], posts: list[SeedPost],
                     comments: list[SeedComment]) -> None:
    """Refuse taken ids, and posts or parents that neither the world nor the batch holds.

    ``held`` gives, for a (platform, id) the world holds, its post's id (a post's own id
    for a post), else None.
    """
    batch: dict[Key, str] = {}

    def known(key: Key) -> str | None:
        return batch.get(key) or held(key)

    for index, post in enumerate(posts, 1):
        if post.id is not None:
            if known((post.platform, post.id)) is not None:
                raise ImportError_(f"seed post {index}: id {post.id!r} is already taken")
            batch[(post.platform, post.id)] = post.id
    for index, comment in enumerate(comments, 1):
        if comment.id is not None:
            if known((comment.platform, comment.id)) is not None:
                raise ImportError_(
                    f"seed comment {index} (id {comment.id!r}): id is already taken"
                )
            batch[(comment.platform, comment.id)] = comment.post
    for index, comment in enumerate(comments, 1):
        where = f"seed comment {index}" + (f" (id {comment.id!r})" if comment.id else "")
        if known((comment.platform, comment.post)) != comment.post:
            raise ImportError_(f"{where}: post {comment.post!r} is not a {comment.platform} post")
        if comment.parent is not None:
            parent_post = known((comment.platform, comment.parent))
            if parent_post is None or parent_post == comment.parent:
                raise ImportError_(f"{where}: parent {comment.parent!r} is not a comment")
            if parent_post != comment.post:
                raise ImportError_(f"{where}: parent {comment.parent!r} is under another post")


def parents_first(comments: list[SeedComment], exists: Callable[[Key], bool],
                  now: datetime) -> list[int]:
    """Indexes of ``comments`` oldest first (undated ones at ``now``), each after its parent."""
    pending = sorted(range(len(comments)),
                     key=lambda i: ((comments[i].created_at or now).timestamp(), i))
    placed: set[Key] = set()
    order: list[int] = []
    while pending:
        waiting = []
        for i in pending:
            comment = comments[i]
            parent = (comment.platform, comment.parent or "")
            if comment.parent is None or exists(parent) or parent in placed:
                order.append(i)
                if comment.id is not None:
                    placed.add((comment.platform, comment.id))
            else:
                waiting.append(i)
        if len(waiting) == len(pending):
            raise ImportError_(f"seed comment {waiting[0] + 1}: its parents form a loop")
        pending = waiting
    return order
