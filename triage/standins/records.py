"""Seed records for the stand-ins: generic accounts, posts and comments, checked on the way in."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from triage.errors import BadTime, ImportError_
from triage.timefmt import parse_utc

__all__ = [
    "STANDIN_PLATFORMS",
    "SeedAccount",
    "SeedComment",
    "SeedPost",
    "account_from_record",
    "comment_from_record",
    "post_from_record",
    "records_from_model",
    "default_account",
    "make_id",
    "bluesky_did",
]

#: The platforms that have a stand-in, in the order their roots are documented.
STANDIN_PLATFORMS: tuple[str, ...] = ("facebook", "instagram", "youtube", "x", "mastodon",
                                       "reddit", "tiktok", "linkedin", "bluesky")
#: Reddit's kind prefixes (comment, post): its stand-in's ids are fullnames.
REDDIT_KINDS = ("t1_", "t3_")
_B36 = "0123456789abcdefghijklmnopqrstuvwxyz"
#: Bluesky's alphabets: DIDs (base32) and record keys (base32, sortable).
_B32 = "abcdefghijklmnopqrstuvwxyz234567"
_B32_SORT = "234567abcdefghijklmnopqrstuvwxyz"
BLUESKY_POST = "/app.bsky.feed.post/"


@dataclass(frozen=True, slots=True)
class SeedAccount:
    """An organisation's account on one platform; ``key`` is the config account name."""

    platform: str
    key: str
    id: str
    name: str
    handle: str
    token: str


@dataclass(frozen=True, slots=True)
class SeedPost:
    platform: str
    id: str | None
    text: str
    created_at: datetime | None
    account: str | None
    title: str = ""


@dataclass(frozen=True, slots=True)
class SeedComment:
    platform: str
    id: str | None
    post: str
    parent: str | None
    author_id: str
    author_name: str
    author_handle: str
    text: str
    created_at: datetime | None
    hidden: bool = False
    like_count: int = 0


def _digest(*parts: str) -> bytes:
    return hashlib.sha256("\x1f".join(parts).encode()).digest()


def _digits(*parts: str, length: int) -> str:
    return str(int.from_bytes(_digest(*parts)[:12], "big") % 10**length).zfill(length)


def _b64(*parts: str, length: int) -> str:
    return base64.urlsafe_b64encode(_digest(*parts)).decode()[:length]


X_EPOCH_MS = 1288834974657


def make_id(platform: str, n: int, created: datetime, owner: str, is_post: bool,
            parent: str | None) -> str:
    """A native id in the platform's own form for the ``n``-th item the world makes.

    ``owner`` is the account id for a post, else the post's id (on Bluesky, the author's
    id: a post's at:// URI names its author's DID). X and Mastodon ids are numbers ordered
    by ``created``, as theirs are; Bluesky's record keys are TIDs, ordered the same way.
    """
    if platform == "facebook":
        return f"{owner.rsplit('_', 1)[-1]}_{10**15 + n}"
    if platform == "instagram":
        return str(17_900_000_000_000_000 + n)
    if platform == "youtube":
        if is_post:
            return _b64("video", str(n), length=11)
        if parent is None:
            return "Ugz" + _b64("comment", str(n), length=23)
        return f"{parent}.{_b64('reply', str(n), length=22)}"
    if platform == "reddit":
        return ("t3_" if is_post else "t1_") + _base36((36**6 if is_post else 21 * 36**6) + n)
    if platform == "tiktok":
        return str((7_300_000 if is_post else 7_400_000) * 10**12 + n)
    if platform == "linkedin":
        activity = 7_200_000 * 10**12 + n
        if is_post:
            return f"urn:li:activity:{activity}"
        return f"urn:li:comment:({owner},{activity})"
    if platform == "bluesky":
        micros = int(created.timestamp() * 1_000_000) + (n >> 10)
        tid = _encode((micros << 10) | (n & 1023), _B32_SORT).rjust(13, "2")
        return f"at://{bluesky_did(owner)}{BLUESKY_POST}{tid}"
    ms = int(created.timestamp() * 1000)
    if platform == "x":
        return str(((ms - X_EPOCH_MS) << 22) | (n & 0x3FFFFF))
    return str((ms << 16) | (n & 0xFFFF))


def _base36(number: int) -> str:
    return _encode(number, _B36)


def _encode(number: int, alphabet: str) -> str:
    out = ""
    while number:
        number, digit = divmod(number, len(alphabet))
        out = alphabet[digit] + out
    return out or alphabet[0]


def bluesky_did(author: str) -> str:
    """A Bluesky author's DID: the id itself when it is one, else one made from it."""
    if author.startswith("did:"):
        return author
    digest = int.from_bytes(_digest("bluesky", author)[:15], "big")
    return "did:plc:" + _encode(digest, _B32).rjust(24, "a")[-24:]


def default_account(platform: str, key: str) -> SeedAccount:
    """The account a platform gets when the seed names none (deterministic from ``key``)."""
    handle = {"x": "riverside_health", "mastodon": "riverside", "reddit": "RiversideHealth",
              "bluesky": "riversidehealth.bsky.social"}.get(platform, "riversidehealth")
    if platform == "facebook":
        native = "10" + _digits(platform, key, length=13)
    elif platform == "instagram":
        native = "178414" + _digits(platform, key, length=11)
    elif platform == "youtube":
        native = "UC" + _b64(platform, key, length=22)
    elif platform == "x":
        native = "15" + _digits(platform, key, length=17)
    elif platform == "reddit":
        native = "t2_" + _base36(int(_digits(platform, key, length=10)))
    elif platform == "tiktok":
        native = "-000" + _b64(platform, key, length=20)
    elif platform == "linkedin":
        native = _digits(platform, key, length=8).lstrip("0") or "1"
    elif platform == "bluesky":
        native = bluesky_did("account " + key)
    else:
        native = "109" + _digits(platform, key, length=15)
    return SeedAccount(platform, key, native, "Riverside Health", handle,
                       f"standin-{platform}-{key}")


class _Fields:
    """Reads one record's fields, naming the record in every complaint."""

    def __init__(self, kind: str, index: int, record: Any) -> None:
        self.where = f"seed {kind} {index}"
        if not isinstance(record, Mapping):
            raise ImportError_(f"{self.where}: must be an object, not {type(record).__name__}")
        self.record = record
        ident = record.get("native_id", record.get("id"))
        if isinstance(ident, str) and ident:
            self.where += f" (id {ident!r})"

    def fail(self, message: str) -> ImportError_:
        return ImportError_(f"{self.where}: {message}")

    def text(self, *names: str, required: bool = False, default: str = "") -> str:
        for name in names:
            if name in self.record and self.record[name] is not None:
                value = self.record[name]
                if isinstance(value, bool) or not isinstance(value, str | int):
                    raise self.fail(f"{name!r} must be a string")
                return str(value)
        if required:
            raise self.fail(f"{names[0]!r} is missing")
        return default

    def platform(self) -> str:
        platform = self.text("platform", required=True)
        if platform not in STANDIN_PLATFORMS:
            raise self.fail(
                f"platform {platform!r} has no stand-in (one of {', '.join(STANDIN_PLATFORMS)})"
            )
        return platform

    def native(self, platform: str, *names: str, kind: str = "t1_") -> str | None:
        """An id; Reddit's are fullnames, ``kind`` (``t1_``, ``t3_``) added when missing."""
        value = self.text(*names) or None
        if value is not None and value.startswith(platform + ":"):
            value = value[len(platform) + 1 :] or None
        if value is not None and platform == "reddit" and not value.startswith(REDDIT_KINDS):
            value = kind + value
        if value is not None and platform == "bluesky" and not (
                value.startswith("at://did:") and BLUESKY_POST in value):
            raise self.fail(f"{names[0]!r} {value!r}: bluesky ids are at:// URIs of posts "
                            "(at://did:plc:…/app.bsky.feed.post/…)")
        if value is not None and platform in ("x", "mastodon") and not value.isdigit():
            raise self.fail(f"{names[0]!r} {value!r}: {platform} ids are numbers")
        return value

    def time(self, name: str) -> datetime | None:
        value = self.record.get(name)
        if value is None:
            return None
        if isinstance(value, datetime):
            return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        if not isinstance(value, str):
            raise self.fail(f"{name!r} must be an ISO 8601 time string")
        try:
            return parse_utc(value, repr(name))
        except BadTime as exc:
            raise self.fail(str(exc)) from None

    def flag(self, name: str) -> bool:
        value = self.record.get(name, False)
        if not isinstance(value, bool):
            raise self.fail(f"{name!r} must be true or false")
        return value

    def count(self, name: str) -> int:
        value = self.record.get(name, 0)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self.fail(f"{name!r} must be a whole number, 0 or more")
        return value


def account_from_record(index: int, record: Any) -> SeedAccount:
    """A checked account: platform and key are required, the rest defaults per platform."""
    fields = _Fields("account", index, record)
    platform = fields.platform()
    key = fields.text("key", "name", required=True)
    base = default_account(platform, key)
    native = fields.text("id") or base.id
    if platform in ("x", "mastodon") and not native.isdigit():
        raise fields.fail(f"'id' {native!r}: {platform} ids are numbers")
    return SeedAccount(
        platform=platform,
        key=key,
        id=native,
        name=fields.text("display_name", default=base.name),
        handle=_handle(fields.text("handle", default=base.handle)),
        token=fields.text("token", default=base.token),
    )


def post_from_record(index: int, record: Any) -> SeedPost:
    """A checked post; ``id`` (or ``native_id``) may be left out to have one made."""
    fields = _Fields("post", index, record)
    platform = fields.platform()
    return SeedPost(
        platform=platform,
        id=fields.native(platform, "native_id", "id", kind="t3_"),
        text=fields.text("text", required=True),
        created_at=fields.time("created_at"),
        account=fields.text("account") or None,
        title=fields.text("title"),
    )


def comment_from_record(index: int, record: Any) -> SeedComment:
    """A checked comment: its post is required, its parent (a comment) is optional."""
    fields = _Fields("comment", index, record)
    platform = fields.platform()
    author = record.get("author")
    if isinstance(author, Mapping):
        author_id = str(author.get("id") or "")
        author_name = str(author.get("name") or "")
        author_handle = str(author.get("handle") or "")
    elif author is None or isinstance(author, str):
        author_id = fields.text("author_id")
        author_name = fields.text("author_name", default=author or "")
        author_handle = fields.text("author_handle")
    else:
        raise fields.fail("'author' must be an object with id, name and handle")
    if not (author_id or author_name or author_handle):
        raise fields.fail("the author is missing (author_id, author_name or author_handle)")
    post = fields.native(platform, "post", "post_id", kind="t3_")
    if post is None:
        raise fields.fail("'post' is missing")
    return SeedComment(
        platform=platform,
        id=fields.native(platform, "native_id", "id"),
        post=post,
        parent=fields.native(platform, "parent", "parent_id"),
        author_id=author_id,
        author_name=author_name or author_handle or author_id,
        author_handle=_handle(author_handle),
        text=fields.text("text", required=True),
        created_at=fields.time("created_at"),
        hidden=fields.flag("hidden"),
        like_count=fields.count("like_count"),
    )


def records_from_model(posts: Iterable[Any], comments: Iterable[Any]) -> dict[str, list[dict]]:
    """Seed records from the domain's Post and Comment objects (as the sandbox generates them).

    Only platforms with a stand-in are kept. A comment's ``native_id`` is used when set,
    else its ``id``; a ``platform:`` prefix is dropped. X and Mastodon ids must be numbers
    ordered by time, so other ids there are renumbered (consistently for posts, parents
    and comments) from their creation time.
    """
    posts = [p for p in posts if p.platform in STANDIN_PLATFORMS]
    comments = [c for c in comments if c.platform in STANDIN_PLATFORMS]
    numbers: dict[tuple[str, str], str] = {}
    for item in [*posts, *comments]:
        raw = _bare(item.platform, getattr(item, "native_id", "") or item.id)
        if item.platform in ("x", "mastodon") and not raw.isdigit():
            stamp = int(item.created_at.timestamp() * 1000) << 22
            numbers[(item.platform, raw)] = str(stamp + len(numbers) + 1)

    def native(platform: str, value: str | None) -> str | None:
        if not value:
            return None
        raw = _bare(platform, value)
        return numbers.get((platform, raw), raw)

    post_records = [
        {"platform": post.platform, "id": native(post.platform, post.id), "text": post.text,
         "created_at": post.created_at, "account": post.account or None}
        for post in posts
    ]
    comment_records = [
        {
            "platform": comment.platform,
            "id": native(comment.platform, comment.native_id or comment.id),
            "post": native(comment.platform, comment.post_id),
            "parent": native(comment.platform, comment.parent_id),
            "author": {"id": comment.author.id, "name": comment.author.name,
                       "handle": comment.author.handle},
            "text": comment.text,
            "created_at": comment.created_at,
        }
        for comment in comments
    ]
    return {"posts": post_records, "comments": comment_records}


def _handle(value: str) -> str:
    """A handle without its platform's sign (``@name``, Reddit's ``u/name``)."""
    value = value.lstrip("@")
    return value[2:] if value.startswith("u/") else value


def _bare(platform: str, value: str) -> str:
    prefix = platform + ":"
    return value[len(prefix):] if value.startswith(prefix) else value
