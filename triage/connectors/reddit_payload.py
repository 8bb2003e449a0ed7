"""Reading Reddit's payloads: listings, things, ``more`` stubs, its error shapes and limits."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import orjson

from triage.connectors.payload import ItemError
from triage.errors import BadTime
from triage.timefmt import parse_utc

if TYPE_CHECKING:
    import httpx

__all__ = [
    "WEB",
    "api_errors",
    "body_errors",
    "created",
    "flatten",
    "listing",
    "plain",
    "post_of",
    "rate_limit_reset",
    "retry_in",
    "web_link",
]

#: Where Reddit's permalinks (paths like ``/r/sub/comments/…``) are.
WEB = "https://www.reddit.com"
_POST_IN_PATH = re.compile(r"/comments/([0-9a-z]{1,13})(?:/|\Z)")
_WAIT = re.compile(r"(\d{1,5})\s*(second|minute|hour)", re.IGNORECASE)
_MENTION = re.compile(r"^(?:/?u/[\w-]+[,:]?\s+)+")


def listing(body: Any) -> tuple[list[Any], str | None]:
    """A ``Listing``'s children and its ``after``; ItemError when it is not one."""
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(body, dict) or body.get("kind") != "Listing" or not isinstance(data, dict):
        raise ItemError("the answer is not a Listing")
    children = data.get("children")
    if not isinstance(children, list):
        raise ItemError("the Listing has no children list")
    after = data.get("after")
    return children, after if isinstance(after, str) and after else None


def created(data: dict[str, Any]) -> datetime:
    """``created_utc`` (epoch seconds, a number) as aware UTC."""
    value = data.get("created_utc")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ItemError("created_utc is not a number of seconds")
    try:
        return parse_utc(value, "created_utc", numbers=True)
    except BadTime as exc:
        raise ItemError(str(exc)) from None


def post_of(data: dict[str, Any]) -> str | None:
    """The post's fullname (``t3_…``): ``link_id``, else read from ``context``/``permalink``
    (the inbox's comments carry no ``link_id``)."""
    link = data.get("link_id")
    if isinstance(link, str) and link.startswith("t3_"):
        return link
    for key in ("context", "permalink"):
        value = data.get(key)
        found = _POST_IN_PATH.search(value) if isinstance(value, str) else None
        if found:
            return "t3_" + found.group(1)
    return None


def web_link(data: dict[str, Any]) -> str:
    """The comment's address on reddit.com ("" when it has no path)."""
    for key in ("permalink", "context"):
        value = data.get(key)
        if isinstance(value, str) and value.startswith("/") and value.isprintable():
            return WEB + value.split("?", 1)[0]
    return ""


def api_errors(body: Any) -> list[tuple[str, str]]:
    """(code, message) of each error in an /api answer's ``{"json": {"errors": […]}}``."""
    wrapper = body.get("json") if isinstance(body, dict) else None
    errors = wrapper.get("errors") if isinstance(wrapper, dict) else None
    out = []
    for error in errors if isinstance(errors, list) else ():
        if isinstance(error, list) and error and isinstance(error[0], str):
            message = error[1] if len(error) > 1 and isinstance(error[1], str) else ""
            out.append((error[0], message))
    return out


def body_errors(response: httpx.Response) -> list[tuple[str, str]]:
    """:func:`api_errors` of a response's body (none when it is not JSON)."""
    if b'"errors"' not in response.content:
        return []
    try:
        return api_errors(orjson.loads(response.content))
    except orjson.JSONDecodeError:
        return []


def retry_in(message: str, now: datetime) -> datetime:
    """When a RATELIMIT message ("… try again in 6 minutes.") says to come back."""
    found = _WAIT.search(message)
    if found is None:
        return now + timedelta(minutes=10)
    unit = {"second": 1, "minute": 60, "hour": 3600}[found.group(2).lower()]
    return now + timedelta(seconds=int(found.group(1)) * unit)


def rate_limit_reset(response: httpx.Response, now: datetime) -> datetime | None:
    """When requests may go on: ``X-Ratelimit-Reset`` seconds from now, once
    ``X-Ratelimit-Remaining`` (a float) is below one, or on a 429."""
    reset = response.headers.get("X-Ratelimit-Reset", "").strip()
    remaining = response.headers.get("X-Ratelimit-Remaining", "").strip()
    try:
        left = float(remaining) if remaining else None
        seconds = float(reset) if reset else None
    except ValueError:
        return None
    if seconds is None or seconds != seconds or seconds < 0:
        return None
    if response.status_code != 429 and (left is None or left >= 1):
        return None
    return now + timedelta(seconds=min(seconds, 86400))


def plain(text: str) -> str:
    """Text compared for "the same reply": a leading ``u/name`` and spacing ignored."""
    return " ".join(_MENTION.sub("", text.strip()).split())


def flatten(children: list[Any], things: list[Any], stubs: list[str]) -> None:
    """Every ``t1`` of a comment tree, depth first, into ``things``; the ids of its
    ``more`` stubs into ``stubs`` (an empty stub, "continue this thread", has none)."""
    for child in children:
        if isinstance(child, dict) and child.get("kind") == "more":
            data = child.get("data")
            ids = data.get("children") if isinstance(data, dict) else None
            stubs.extend(i for i in ids or () if isinstance(i, str) and i.isalnum())
            continue
        things.append(child)
        data = child.get("data") if isinstance(child, dict) else None
        replies = data.get("replies") if isinstance(data, dict) else None
        if isinstance(replies, dict):
            try:
                below, _ = listing(replies)
            except ItemError:
                continue
            flatten(below, things, stubs)
