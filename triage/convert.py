"""The one place where typed records become store documents and journal lines, and back."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from triage.model import Action, Author, Comment, Post, Tag
from triage.timefmt import parse_utc

__all__ = [
    "action_from_doc",
    "action_to_doc",
    "comment_from_doc",
    "comment_to_doc",
    "iso",
    "parse_time",
    "post_from_doc",
    "post_to_doc",
    "tag_from_doc",
    "tag_to_doc",
]


def iso(moment: datetime) -> str:
    """A UTC time as ISO 8601 with a ``Z``."""
    return moment.isoformat().replace("+00:00", "Z")


def parse_time(value: str) -> datetime:
    """Read an ISO 8601 time written by :func:`iso` (or any ISO form) as aware UTC."""
    return parse_utc(value)


def tag_to_doc(tag: Tag) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "name": tag.name,
        "score": round(tag.score, 4),
        "evidence": [[start, end] for start, end in tag.evidence],
        "source": tag.source,
    }
    if tag.claim_id is not None:
        doc["claim_id"] = tag.claim_id
        doc["resource_title"] = tag.resource_title
        doc["resource_url"] = tag.resource_url
    return doc


def tag_from_doc(doc: dict[str, Any]) -> Tag:
    return Tag(
        name=doc["name"],
        score=float(doc["score"]),
        evidence=tuple((int(s), int(e)) for s, e in doc.get("evidence", ())),
        source=doc.get("source", ""),
        claim_id=doc.get("claim_id"),
        resource_title=doc.get("resource_title"),
        resource_url=doc.get("resource_url"),
    )


def comment_to_doc(comment: Comment) -> dict[str, Any]:
    return {
        "id": comment.id,
        "platform": comment.platform,
        "account": comment.account,
        "text": comment.text,
        "created_at": iso(comment.created_at),
        "author": {
            "id": comment.author.id,
            "name": comment.author.name,
            "handle": comment.author.handle,
        },
        "post_id": comment.post_id,
        "parent_id": comment.parent_id,
        "permalink": comment.permalink,
        "native_id": comment.native_id,
        "status": comment.status,
        "tags": [tag_to_doc(tag) for tag in comment.tags],
        "assignee": comment.assignee,
        "captured_at": iso(comment.captured_at),
        "closed_at": iso(comment.closed_at) if comment.closed_at else None,
    }


def comment_from_doc(doc: dict[str, Any]) -> Comment:
    author = doc.get("author") or {}
    return Comment(
        id=doc["id"],
        platform=doc["platform"],
        account=doc.get("account", ""),
        text=doc.get("text", ""),
        created_at=parse_time(doc["created_at"]),
        author=Author(
            id=str(author.get("id", "")),
            name=str(author.get("name", "")),
            handle=str(author.get("handle", "")),
        ),
        post_id=doc.get("post_id"),
        parent_id=doc.get("parent_id"),
        permalink=doc.get("permalink", ""),
        native_id=doc.get("native_id", ""),
        status=doc.get("status", "new"),
        tags=tuple(tag_from_doc(tag) for tag in doc.get("tags", ())),
        assignee=doc.get("assignee"),
        captured_at=parse_time(doc.get("captured_at") or doc["created_at"]),
        closed_at=parse_time(doc["closed_at"]) if doc.get("closed_at") else None,
    )


def post_to_doc(post: Post) -> dict[str, Any]:
    return {
        "id": post.id,
        "platform": post.platform,
        "account": post.account,
        "text": post.text,
        "created_at": iso(post.created_at),
        "permalink": post.permalink,
    }


def post_from_doc(doc: dict[str, Any]) -> Post:
    return Post(
        id=doc["id"],
        platform=doc["platform"],
        account=doc.get("account", ""),
        text=doc.get("text", ""),
        created_at=parse_time(doc["created_at"]),
        permalink=doc.get("permalink", ""),
    )


def action_to_doc(action: Action) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "seq": action.seq,
        "at": iso(action.at),
        "user": action.user,
        "kind": action.kind,
        "comment_id": action.comment_id,
        "before": action.before,
        "after": action.after,
    }
    if action.batch is not None:
        doc["batch"] = action.batch
    if action.data:
        doc["data"] = action.data
    return doc


def action_from_doc(doc: dict[str, Any]) -> Action:
    return Action(
        seq=int(doc["seq"]),
        at=parse_time(doc["at"]),
        user=str(doc.get("user", "")),
        kind=str(doc["kind"]),
        comment_id=doc.get("comment_id"),
        before=dict(doc.get("before") or {}),
        after=dict(doc.get("after") or {}),
        batch=doc.get("batch"),
        data=dict(doc.get("data") or {}),
    )
