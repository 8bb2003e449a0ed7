"""Typed records of the domain: comments, authors, posts, tags and actions."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

__all__ = [
    "CLOSED_STATUSES",
    "PLATFORMS",
    "POSSIBLE_SOURCE",
    "STATUSES",
    "TAG_CHIPS",
    "TAG_LABELS",
    "TAG_NAMES",
    "Action",
    "Author",
    "Comment",
    "Post",
    "Tag",
    "content_hash",
    "tag_label",
    "utcnow",
]

#: The six tags of ``TAGS.md``, in the order the team reads them (most urgent first).
TAG_NAMES: tuple[str, ...] = (
    "crisis",
    "adverse_event",
    "privacy",
    "misinformation",
    "abuse",
    "question",
)

#: The one name people read for each tag, everywhere (list, detail, stats, help, views);
#: the ids above stay what the query language and the files use (``tag:misinformation``).
TAG_LABELS: dict[str, str] = {
    "crisis": "Crisis",
    "adverse_event": "Adverse event",
    "privacy": "Privacy",
    "misinformation": "Myth",
    "abuse": "Abuse",
    "question": "Question",
}

#: The chip in the list: the label's first word in capitals, so it stays narrow
#: and still reads as the same name ("MYTH", "ADVERSE").
TAG_CHIPS: dict[str, str] = {tag: label.split()[0].upper() for tag, label in TAG_LABELS.items()}


def tag_label(tag: str) -> str:
    """A tag's display name, with the id a query uses when the name reads otherwise
    ("Myth (tag:misinformation)")."""
    label = TAG_LABELS.get(tag, tag)
    return label if label.casefold() == tag.replace("_", " ") else f"{label} (tag:{tag})"

PLATFORMS: tuple[str, ...] = (
    "facebook",
    "instagram",
    "youtube",
    "x",
    "tiktok",
    "mastodon",
    "bluesky",
    "reddit",
    "linkedin",
)

#: Where a comment stands in the team's work.
STATUSES: tuple[str, ...] = ("new", "replied", "hidden", "dismissed", "escalated", "deleted")
#: The statuses that close a comment: someone acted on it and it left the open queue.
CLOSED_STATUSES = frozenset({"dismissed", "replied", "hidden", "deleted"})


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


def content_hash(text: str) -> str:
    """SHA-256 (hex) of a comment's captured text, as stored and as exported."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True, slots=True)
class Tag:
    """One tag on a comment, with the reason it was given.

    ``evidence`` holds ``(start, end)`` character offsets into the comment's text;
    ``source`` names the rule, lexicon entry, claim or model that gave the tag.
    For misinformation, ``claim_id`` and the resource name the matched myth and the
    fact-based page a reply should point to.
    """

    name: str
    score: float
    evidence: tuple[tuple[int, int], ...] = ()
    source: str = ""
    claim_id: str | None = None
    resource_title: str | None = None
    resource_url: str | None = None

    @property
    def possible(self) -> bool:
        """A "possible crisis" the learned layer flagged below its threshold: it sits in the
        Crisis view for a person to confirm or dismiss, and is not exported as the tag."""
        return self.source.startswith(POSSIBLE_SOURCE)


#: The source prefix of a tag the learned layer only flags as possible.
POSSIBLE_SOURCE = "model-possible:"


@dataclass(frozen=True, slots=True)
class Author:
    """Who wrote a comment, as the platform names them."""

    id: str
    name: str
    handle: str = ""


@dataclass(frozen=True, slots=True)
class Post:
    """A post of the organisation's under which comments are left."""

    id: str
    platform: str
    account: str
    text: str
    created_at: datetime
    permalink: str = ""


@dataclass(frozen=True, slots=True)
class Comment:
    """A comment in the queue.

    ``id`` is unique across platforms (connectors prefix the platform's own id);
    ``native_id`` is the platform's id, used when talking back to it.
    """

    id: str
    platform: str
    account: str
    text: str
    created_at: datetime
    author: Author
    post_id: str | None = None
    parent_id: str | None = None
    permalink: str = ""
    native_id: str = ""
    status: str = "new"
    tags: tuple[Tag, ...] = ()
    assignee: str | None = None
    captured_at: datetime = field(default_factory=utcnow)
    #: When the action that closed it (see ``CLOSED_STATUSES``) was taken; None while open,
    #: and in stores written before it was kept (retention then reads the journal).
    closed_at: datetime | None = None

    def tag(self, name: str) -> Tag | None:
        """The tag called ``name``, if the comment has it."""
        for tag in self.tags:
            if tag.name == name:
                return tag
        return None

    @property
    def tag_names(self) -> tuple[str, ...]:
        return tuple(tag.name for tag in self.tags)

    @property
    def exported_tag_names(self) -> tuple[str, ...]:
        """The tags as TAGS.md defines them: a possible crisis is not (yet) the tag."""
        return tuple(tag.name for tag in self.tags if not tag.possible)

    @property
    def content_hash(self) -> str:
        return content_hash(self.text)

    @property
    def ids(self) -> dict[str, str | None]:
        """The fields that name or point at things, not free text, by their import names."""
        return {"id": self.id, "platform": self.platform, "account": self.account,
                "author id": self.author.id, "post_id": self.post_id,
                "parent_id": self.parent_id, "native_id": self.native_id,
                "permalink": self.permalink}


@dataclass(frozen=True, slots=True)
class Action:
    """One change of state, as journaled: who did what to which comment, when.

    ``before`` and ``after`` hold the fields the action changed, so that it can be
    undone and audited. ``batch`` groups the actions of one bulk command (one undo).
    """

    seq: int
    at: datetime
    user: str
    kind: str
    comment_id: str | None = None
    before: dict[str, Any] = field(default_factory=dict)
    after: dict[str, Any] = field(default_factory=dict)
    batch: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
