"""The stand-ins' shared state: accounts, posts, comments, and what the organisation did."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from triage.model import utcnow
from triage.standins.ordering import Key, SortedItems
from triage.standins.records import (
    STANDIN_PLATFORMS,
    SeedAccount,
    SeedComment,
    SeedPost,
    account_from_record,
    comment_from_record,
    default_account,
    make_id,
    post_from_record,
)
from triage.standins.seeding import check_references, parents_first

__all__ = ["Node", "World"]

#: Platforms whose ids are numbers ordered by time (listings order by id).
NUMERIC_IDS = ("x", "mastodon")
#: Platforms whose stand-in keeps an inbox: what others wrote in the account's threads.
INBOXES = ("x", "mastodon", "reddit", "bluesky")
#: Platforms with only two levels: a reply to a reply lands under the top-level comment.
TWO_LEVELS = ("youtube", "instagram", "tiktok", "linkedin")


@dataclass(slots=True, eq=False)
class Node:
    """A post or a comment on one platform; ``parent`` is None for posts and top-level comments."""

    platform: str
    id: str
    account: str
    post: str
    parent: str | None
    author_id: str
    author_name: str
    author_handle: str
    text: str
    created: datetime
    seq: int
    by_org: bool
    title: str = ""
    hidden: bool = False
    moderation: str = "published"
    deleted: bool = False
    like_count: int = 0
    notice: int = 0

    @property
    def is_post(self) -> bool:
        return self.id == self.post

    @property
    def replies_to(self) -> str | None:
        """The id of what this answers: its parent comment, else its post (None for posts)."""
        if self.is_post:
            return None
        return self.parent or self.post

    def as_dict(self) -> dict[str, Any]:
        return {
            "platform": self.platform, "id": self.id, "account": self.account,
            "post": self.post, "parent": self.parent, "author_id": self.author_id,
            "author_name": self.author_name, "author_handle": self.author_handle,
            "text": self.text, "created_at": self.created.isoformat(), "by_org": self.by_org,
            "hidden": self.hidden, "moderation": self.moderation, "deleted": self.deleted,
        }


def _time_key(node: Node) -> Key:
    return (int(node.created.timestamp() * 1_000_000), node.seq)


def _id_key(node: Node) -> Key:
    return (int(node.id), node.seq)


def _notice_key(node: Node) -> Key:
    return (node.notice,)


class World:
    """Thread-safe state of every stand-in; hold ``lock`` while walking a listing."""

    def __init__(self, clock: Callable[[], datetime] = utcnow) -> None:
        self.clock = clock
        self.lock = threading.RLock()
        self.clear()

    def clear(self) -> None:
        """Forget everything: accounts, posts, comments, the posted log."""
        with self.lock:
            self._accounts: dict[str, dict[str, SeedAccount]] = {p: {} for p in STANDIN_PLATFORMS}
            self._tokens: dict[tuple[str, str], SeedAccount] = {}
            self._nodes: dict[tuple[str, str], Node] = {}
            self._posts: dict[tuple[str, str], SortedItems[Node]] = {}
            self._children: dict[tuple[str, str], SortedItems[Node]] = {}
            self._stream: dict[tuple[str, str], SortedItems[Node]] = {}
            self._toplevel: dict[tuple[str, str], SortedItems[Node]] = {}
            self._inbox: dict[tuple[str, str], SortedItems[Node]] = {}
            self._posted: list[dict[str, Any]] = []
            self._answers: dict[tuple[str, str], int] = {}
            self._under_post: dict[tuple[str, str], int] = {}
            self._idempotency: dict[tuple[str, str, str], str] = {}
            self._seq = 0

    # -- accounts -----------------------------------------------------------------
    def add_account(self, account: SeedAccount) -> SeedAccount:
        with self.lock:
            old = self._accounts[account.platform].get(account.key)
            if old is not None:
                self._tokens.pop((old.platform, old.token), None)
            self._accounts[account.platform][account.key] = account
            self._tokens[(account.platform, account.token)] = account
            return account

    def account(self, platform: str, key: str | None = None) -> SeedAccount:
        """The account called ``key`` (the platform's first when None), made if missing."""
        with self.lock:
            accounts = self._accounts[platform]
            if key is None:
                if accounts:
                    return next(iter(accounts.values()))
                key = platform
            found = accounts.get(key)
            return found or self.add_account(default_account(platform, key))

    def accounts(self, platform: str | None = None) -> list[SeedAccount]:
        with self.lock:
            platforms = [platform] if platform else list(STANDIN_PLATFORMS)
            return [acc for name in platforms for acc in self._accounts[name].values()]

    def account_by_token(self, platform: str, token: str) -> SeedAccount | None:
        with self.lock:
            return self._tokens.get((platform, token))

    def account_by_id(self, platform: str, native: str) -> SeedAccount | None:
        with self.lock:
            for account in self._accounts[platform].values():
                if account.id == native:
                    return account
            return None

    # -- reading ------------------------------------------------------------------
    def get(self, platform: str, native: str) -> Node | None:
        """The node with that id, deleted ones included (check ``deleted``)."""
        return self._nodes.get((platform, native))

    def posts(self, platform: str, account: str) -> SortedItems[Node]:
        return self._index(self._posts, (platform, account), platform)

    def children(self, platform: str, native: str) -> SortedItems[Node]:
        """Direct answers: a post's top-level comments, or a comment's replies."""
        return self._index(self._children, (platform, native), platform)

    def stream(self, platform: str, post: str) -> SortedItems[Node]:
        """Every comment under a post, at any depth."""
        return self._index(self._stream, (platform, post), platform)

    def toplevel(self, platform: str, account: str) -> SortedItems[Node]:
        """Every top-level comment under any of the account's posts (YouTube threads)."""
        return self._index(self._toplevel, (platform, account), platform)

    def inbox(self, platform: str, account: str) -> SortedItems[Node]:
        """What others wrote in the account's threads (X mentions, Mastodon notifications)."""
        key = (platform, account)
        if key not in self._inbox:
            self._inbox[key] = SortedItems(
                _notice_key if platform == "mastodon"
                else _id_key if platform in NUMERIC_IDS else _time_key)
        return self._inbox[key]

    def _index(
        self, table: dict[tuple[str, str], SortedItems[Node]], key: tuple[str, str], platform: str
    ) -> SortedItems[Node]:
        found = table.get(key)
        if found is None:
            found = table[key] = SortedItems(_id_key if platform in NUMERIC_IDS else _time_key)
        return found

    def answer_count(self, platform: str, native: str) -> int:
        """How many live direct answers a post or comment has (kept, not counted)."""
        return self._answers.get((platform, native), 0)

    def comment_count(self, platform: str, post: str) -> int:
        """How many live comments a post has at any depth."""
        return self._under_post.get((platform, post), 0)

    def live_count(self, items: SortedItems[Node]) -> int:
        return sum(1 for node in items.ascending() if not node.deleted)

    def items(self, platform: str | None = None) -> list[dict[str, Any]]:
        with self.lock:
            return [n.as_dict() for n in self._nodes.values()
                    if platform is None or n.platform == platform]

    def posted(self, platform: str | None = None) -> list[dict[str, Any]]:
        """What the organisation did through the APIs (replies, hides, deletes), in order."""
        with self.lock:
            return [dict(e) for e in self._posted if platform is None or e["platform"] == platform]

    # -- seeding ------------------------------------------------------------------
    def seed(
        self,
        accounts: Iterable[Any] = (),
        posts: Iterable[Any] = (),
        comments: Iterable[Any] = (),
    ) -> dict[str, list[str]]:
        """Add generic records; all are checked before any is added. Returns the new ids."""
        seed_accounts = [account_from_record(i, r) for i, r in enumerate(accounts, 1)]
        seed_posts = [post_from_record(i, r) for i, r in enumerate(posts, 1)]
        seed_comments = [comment_from_record(i, r) for i, r in enumerate(comments, 1)]
        with self.lock:
            check_references(self._post_of, seed_posts, seed_comments)
            order = parents_first(seed_comments, lambda key: key in self._nodes, self.clock())
            for account in seed_accounts:
                self.add_account(account)
            post_ids = [self._add_post(post).id for post in seed_posts]
            added: dict[int, str] = {}
            for i in order:
                added[i] = self._add_comment(seed_comments[i]).id
            return {"posts": post_ids, "comments": [added[i] for i in range(len(seed_comments))]}

    def _post_of(self, key: tuple[str, str]) -> str | None:
        node = self._nodes.get(key)
        return None if node is None else node.post

    def add_comment(self, record: Mapping[str, Any]) -> Node:
        """Add one comment now (its ``created_at`` defaults to the clock)."""
        with self.lock:
            native = self.seed(comments=[record])["comments"][0]
            return self._nodes[(str(record["platform"]), native)]

    def add_post(self, record: Mapping[str, Any]) -> Node:
        with self.lock:
            native = self.seed(posts=[record])["posts"][0]
            return self._nodes[(str(record["platform"]), native)]

    def _add_post(self, post: SeedPost) -> Node:
        account = self.account(post.platform, post.account)
        created = post.created_at or self.clock()
        node = self._node(post.platform, post.id, account.key, None, None, created,
                          author=(account.id, account.name, account.handle), text=post.text,
                          by_org=True, title=post.title)
        self.posts(node.platform, account.key).add(node)
        return node

    def _add_comment(self, comment: SeedComment) -> Node:
        post = self._nodes[(comment.platform, comment.post)]
        account = self.account(post.platform, post.account)
        parent = self._nodes.get((comment.platform, comment.parent)) if comment.parent else None
        text = comment.text
        if parent is not None and parent.parent is not None and comment.platform in TWO_LEVELS:
            if parent.author_handle:
                text = f"@{parent.author_handle} {text}"
            parent = self._nodes[(comment.platform, parent.parent)]
        author_id = comment.author_id or comment.author_handle or comment.author_name
        node = self._node(
            comment.platform, comment.id, account.key, post, parent,
            comment.created_at or self.clock(),
            author=(author_id, comment.author_name, comment.author_handle), text=text,
            by_org=author_id == account.id, hidden=comment.hidden,
            like_count=comment.like_count,
        )
        self._link(node)
        return node

    def _node(
        self, platform: str, native: str | None, account: str, post: Node | None,
        parent: Node | None, created: datetime, *, author: tuple[str, str, str], text: str,
        by_org: bool, **extra: Any,
    ) -> Node:
        self._seq += 1
        if native is None:
            native = self._new_id(platform, account, created, post, parent, author[0])
        node = Node(platform, native, account, post.id if post else native,
                    parent.id if parent else None, *author, text, created, self._seq, by_org,
                    **extra)
        if extra.get("hidden") and platform == "youtube":
            node.moderation = "heldForReview"
        self._nodes[(platform, native)] = node
        return node

    def _count(self, node: Node, step: int) -> None:
        above = (node.platform, node.parent or node.post)
        self._answers[above] = self._answers.get(above, 0) + step
        post = (node.platform, node.post)
        self._under_post[post] = self._under_post.get(post, 0) + step

    def _link(self, node: Node) -> None:
        self._count(node, 1)
        self.children(node.platform, node.parent or node.post).add(node)
        self.stream(node.platform, node.post).add(node)
        if node.parent is None:
            self.toplevel(node.platform, node.account).add(node)
        if node.platform in INBOXES and not node.by_org:
            node.notice = 100_000 + node.seq
            self.inbox(node.platform, node.account).add(node)

    def _new_id(
        self, platform: str, account: str, created: datetime, post: Node | None,
        parent: Node | None, author: str = "",
    ) -> str:
        owner = self.account(platform, account).id if post is None else post.id
        if platform == "bluesky" and post is not None:
            owner = author  # a post's at:// URI names its author
        n = self._seq
        while True:
            native = make_id(platform, n, created, owner, post is None,
                             parent.id if parent else None)
            if (platform, native) not in self._nodes:
                return native
            n += 1 << 20

    # -- what the organisation does ------------------------------------------------
    def reply(
        self, platform: str, account: str, target: Node, text: str,
        idempotency_key: str | None = None,
    ) -> tuple[Node, bool]:
        """Post the organisation's answer to ``target``; False when the key was seen before."""
        with self.lock:
            if idempotency_key is not None:
                seen = self._idempotency.get((platform, account, idempotency_key))
                if seen is not None:
                    return self._nodes[(platform, seen)], False
            owner = self.account(platform, account)
            post = self._nodes[(platform, target.post)]
            parent = None if target.is_post else target
            node = self._node(platform, None, post.account, post, parent, self.clock(),
                              author=(owner.id, owner.name, owner.handle), text=text,
                              by_org=True)
            self._link(node)
            if idempotency_key is not None:
                self._idempotency[(platform, account, idempotency_key)] = node.id
            self._log(platform, account, "reply", target.id, id=node.id, text=text,
                      idempotency_key=idempotency_key)
            return node, True

    def set_hidden(
        self, platform: str, account: str, node: Node, hidden: bool, moderation: str = ""
    ) -> None:
        with self.lock:
            node.hidden = hidden
            if moderation:
                node.moderation = moderation
            self._log(platform, account, "hide" if hidden else "unhide", node.id,
                      moderation=moderation or None)

    def delete(self, platform: str, account: str, node: Node, *, thread: bool = False) -> None:
        """Delete ``node``; with ``thread`` its replies go too (as on Facebook and YouTube)."""
        with self.lock:
            if node.deleted:
                return
            node.deleted = True
            if not node.is_post:
                self._count(node, -1)
            pending = [node] if thread else []
            while pending:
                for child in self.children(platform, pending.pop().id).ascending():
                    if not child.deleted:
                        child.deleted = True
                        self._count(child, -1)
                        pending.append(child)
            self._log(platform, account, "delete", node.id)

    def _log(self, platform: str, account: str, action: str, target: str, **extra: Any) -> None:
        entry = {"seq": len(self._posted) + 1, "platform": platform, "account": account,
                 "action": action, "target": target, "at": self.clock().isoformat()}
        entry.update({k: v for k, v in extra.items() if v is not None})
        self._posted.append(entry)
