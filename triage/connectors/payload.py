"""Reading untrusted platform payloads: typed field getters that name what is wrong."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from triage.errors import BadTime
from triage.model import Comment
from triage.textsafe import unsafe_field
from triage.timefmt import parse_utc

__all__ = [
    "ItemError",
    "checked",
    "comment_id",
    "id_field",
    "id_order",
    "obj_field",
    "text_field",
    "time_field",
    "url_field",
]


class ItemError(ValueError):
    """One item of a page cannot be read; the message names the field (never a secret)."""


def comment_id(platform: str, account: str, native_id: str) -> str:
    """The id of a comment (or post) in Triage: ``{platform}:{account}:{native id}``.

    Unique across platforms and accounts (account names are unique and hold no ``:``),
    and stable: a re-sync of the same item gives the same id, so it is never stored twice.
    """
    return f"{platform}:{account}:{native_id}"


def checked(comment: Comment) -> Comment:
    """``comment``, unless an id, name or link of it holds a control or invisible character.

    Such a value would reach terminals and the journal; the item is skipped alone
    (:class:`ItemError`), the rest of the page is read.
    """
    problem = unsafe_field(comment.ids)
    if problem is not None:
        raise ItemError(problem)
    return comment


def obj_field(doc: Any, name: str, *, required: bool = True) -> dict[str, Any]:
    """``doc[name]`` as a JSON object; ``{}`` when optional and missing."""
    value = doc.get(name) if isinstance(doc, dict) else None
    if isinstance(value, dict):
        return value
    if value is None and not required:
        return {}
    raise ItemError(f"{name} is {_kind(value)}, not an object")


def id_field(doc: dict[str, Any], name: str = "id", *, required: bool = True) -> str:
    """An id: a non-empty string (or an integer, as some platforms send), as text."""
    value = doc.get(name)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str) and value.strip() and len(value) <= 200 and value.isprintable():
        return value
    if value is None and not required:
        return ""
    raise ItemError(f"{name} is {_kind(value)}, not an id")


def text_field(doc: dict[str, Any], name: str, *, required: bool = False) -> str:
    """A string field; ``""`` when optional and missing or null."""
    value = doc.get(name)
    if isinstance(value, str):
        return value
    if value is None and not required:
        return ""
    raise ItemError(f"{name} is {_kind(value)}, not text")


def url_field(doc: dict[str, Any], *names: str) -> str:
    """The first of ``names`` that holds an http(s) URL, or ``""``; never raises."""
    for name in names:
        value = doc.get(name)
        if isinstance(value, str) and value.startswith(("https://", "http://")):
            return value
    return ""


def time_field(doc: dict[str, Any], name: str) -> datetime:
    """An ISO 8601 / RFC 3339 time as aware UTC (naive is UTC).

    Future times are kept: a scheduled video or post carries one.
    """
    value = doc.get(name)
    if not isinstance(value, str) or not value.strip():
        raise ItemError(f"{name} is {_kind(value)}, not a time")
    try:
        return parse_utc(value, name)
    except BadTime as exc:
        raise ItemError(str(exc)) from None


def id_order(native_id: str) -> tuple[int, str]:
    """A sort key for numeric-string ids (Mastodon, X): longer is newer, then by digits."""
    return (len(native_id), native_id)


def _kind(value: Any) -> str:
    if value is None:
        return "missing"
    return {
        bool: "a boolean",
        int: "a number",
        float: "a number",
        str: "a malformed string",
        list: "a list",
        dict: "an object",
    }.get(type(value), type(value).__name__)
