"""What Graph API answers look like: error objects, usage headers, paging links, cursor entries.

Pure functions over the payloads the Facebook and Instagram connectors read (no
requests here); :mod:`triage.connectors.graph` builds the shared connector on them.

* Errors: ``{"error": {"message", "type", "code", "error_subcode", "fbtrace_id",
  "is_transient"}}``, usually with status 400 whatever went wrong: branch on ``code``.
* Usage: ``X-App-Usage`` / ``X-Page-Usage`` (percentages, no time) and
  ``X-Business-Use-Case-Usage`` (per business id, with ``estimated_time_to_regain_access``
  in minutes). An explicit time to regain access is kept; otherwise any percentage at
  95 or more pauses for ten minutes, before the platform starts refusing.
* Paging: ``paging.cursors.after`` and ``paging.next``; the walk ends only when ``next``
  is absent. Only the paging values (``after``, or ``until`` / ``__paging_token`` /
  ``offset`` of older edges) are taken out of ``next``: the request is rebuilt from
  ``base_url`` and the connector's own fields and filters.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import orjson

from triage.connectors.payload import ItemError
from triage.errors import BadPayload

if TYPE_CHECKING:
    import httpx

__all__ = [
    "AUTH_CODES",
    "NEAR_LIMIT",
    "PAGING_KEYS",
    "RECHECK_SECONDS",
    "THROTTLE_CODES",
    "THROTTLE_PAUSE",
    "USAGE_PAUSE",
    "as_int",
    "as_object",
    "due",
    "graph_error",
    "is_gone",
    "item_id",
    "next_params",
    "plain",
    "read_edge",
    "read_entries",
    "read_follow",
    "read_retry",
    "sent_token",
    "snapshot",
    "usage_pause",
]

#: "Too many calls": app (4), user (17), Page (32), custom (613), business use case for
#: Pages (80001) and Instagram (80002).
THROTTLE_CODES = frozenset({4, 17, 32, 613, 80001, 80002})
#: The token itself is refused: invalid session (102), none given (104), expired or
#: invalid (190; subcode 463 = expired).
AUTH_CODES = frozenset({102, 104, 190})
NEAR_LIMIT = 95
#: The pause when usage is near 100 % and the platform gives no time.
USAGE_PAUSE = timedelta(minutes=10)
#: The pause after a throttle code when no header says how long.
THROTTLE_PAUSE = timedelta(minutes=5)
#: Values of a ``paging.next`` link that move a walk on (nothing else is taken from it).
PAGING_KEYS = ("after", "until", "__paging_token", "offset")
#: A post is read again at least this often even when its comment count is unchanged: a
#: deletion and a new comment between two syncs leave the count as it was.
RECHECK_SECONDS = 3600


# -- errors and usage --------------------------------------------------------------------


def graph_error(response: httpx.Response) -> dict[str, Any] | None:
    """The ``error`` object of a Graph answer, or None."""
    try:
        body = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return None
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else None


def is_gone(code: int | None, subcode: int | None) -> bool:
    """A missing object: deleted, or not visible with this token (100/33; 803 aliases)."""
    return (code == 100 and subcode == 33) or code == 803


def sent_token(response: httpx.Response) -> str:
    """The token the request carried (to scrub it from what the platform says)."""
    try:
        header = response.request.headers.get("Authorization", "")
    except RuntimeError:  # a response built without a request
        return ""
    return str(header).partition(" ")[2].strip()


def usage_pause(headers: Mapping[str, str], now: datetime) -> datetime | None:
    """When Graph's usage headers say to stop calling until (UTC), or None."""
    busiest = 0.0
    minutes = 0.0
    for name in ("X-App-Usage", "X-Page-Usage"):
        usage = _json_header(headers.get(name))
        if isinstance(usage, dict):
            busiest = max(busiest, _percent(usage))
    business = _json_header(headers.get("X-Business-Use-Case-Usage"))
    if isinstance(business, dict):
        for entries in business.values():
            for entry in entries if isinstance(entries, list) else ():
                if isinstance(entry, dict):
                    busiest = max(busiest, _percent(entry))
                    minutes = max(minutes, _number(entry.get("estimated_time_to_regain_access")))
    if minutes > 0:
        return now + timedelta(minutes=min(minutes, 24 * 60))
    if busiest >= NEAR_LIMIT:
        return now + USAGE_PAUSE
    return None


# -- paging ------------------------------------------------------------------------------


def read_edge(body: Any, where: str, *,
              account: str = "") -> tuple[list[Any], dict[str, str] | None]:
    """An edge's items and the paging values of its next page; BadPayload if unreadable."""
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        kind = type(body.get("data") if isinstance(body, dict) else body).__name__
        raise BadPayload(f"{where} with {kind} where a list of data was expected",
                         account=account)
    return body["data"], next_params(body.get("paging"), where, account=account)


def next_params(paging: Any, where: str = "", *, account: str = "") -> dict[str, str] | None:
    """The paging values to send for the next page, or None when there is no ``next``."""
    if not isinstance(paging, dict):
        return None
    link = paging.get("next")
    if not isinstance(link, str) or not link:
        return None
    query = parse_qs(urlsplit(link).query)
    found = {key: values[0] for key in PAGING_KEYS
             if (values := query.get(key)) and _cursor_text(values[0])}
    if not found:
        cursors = paging.get("cursors")
        after = cursors.get("after") if isinstance(cursors, dict) else None
        if isinstance(after, str) and _cursor_text(after):
            found = {"after": after}
    if not found:
        raise BadPayload(f"{where} with a next page but no cursor to reach it", account=account)
    return found


def read_follow(value: Any) -> dict[str, str] | None:
    """Paging values kept in a cursor, if they are paging values and nothing else."""
    if not isinstance(value, dict) or not value:
        return None
    if all(k in PAGING_KEYS and isinstance(v, str) and _cursor_text(v) for k, v in value.items()):
        return dict(value)
    return None


# -- cursor entries (one per post) -------------------------------------------------------


def read_entries(cursor: Mapping[str, Any] | None, key: str) -> dict[str, dict[str, Any]]:
    """The per-post entries of a stored cursor; anything malformed is left out."""
    entries = cursor.get(key) if isinstance(cursor, Mapping) and cursor.get("v") == 1 else None
    if not isinstance(entries, dict):
        return {}
    return {native: dict(entry) for native, entry in entries.items()
            if isinstance(native, str) and _cursor_text(native) and isinstance(entry, dict)}


def snapshot(entries: Mapping[str, Mapping[str, Any]],
             retry: Mapping[str, Mapping[str, int]]) -> dict[str, Any]:
    """The cursor to keep: every post's entry with the comments waiting to be read again,
    copied (later pages change the live ones)."""
    posts: dict[str, Any] = {}
    for native, entry in entries.items():
        posts[native] = dict(entry)
        if retry.get(native):
            posts[native]["retry"] = dict(retry[native])
    for native, waiting in retry.items():  # a post whose first read stopped on a page
        if waiting and native not in posts:
            posts[native] = {"retry": dict(waiting)}
    return {"v": 1, "posts": posts}


def read_retry(value: Any) -> dict[str, int]:
    """The comments of a post waiting to be read again: id -> tries so far."""
    if not isinstance(value, dict):
        return {}
    return {native: tries for native, tries in value.items()
            if isinstance(native, str) and _cursor_text(native) and len(native) <= 200
            and isinstance(tries, int) and not isinstance(tries, bool) and tries > 0}


def due(entry: Mapping[str, Any] | None, count: int | None, now: int) -> bool:
    """Whether a post's comments must be read now (new, changed, interrupted, or stale)."""
    if entry is None or count is None or "walk" in entry:
        return True
    seen, at = as_int(entry.get("n")), as_int(entry.get("at"))
    return seen != count or at is None or now - at >= RECHECK_SECONDS


# -- items -------------------------------------------------------------------------------


def as_object(raw: Any) -> dict[str, Any]:
    """A page item as an object (ItemError when it is not one)."""
    if not isinstance(raw, dict):
        raise ItemError("the item is not an object")
    return raw


def item_id(raw: Any) -> str:
    """An item's id when it has a readable one (for messages and cursors), else ""."""
    value = raw.get("id") if isinstance(raw, dict) else None
    return value if isinstance(value, str) and len(value) <= 200 and _cursor_text(value) else ""


def as_int(value: Any) -> int | None:
    """An integer (or a string of digits) as int, else None."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


def plain(text: str) -> str:
    """Text compared for "the same reply": spacing ignored."""
    return " ".join(text.split())


def _json_header(value: str | None) -> Any:
    if not value:
        return None
    try:
        return orjson.loads(value)
    except orjson.JSONDecodeError:
        return None


def _percent(usage: Mapping[str, Any]) -> float:
    return max((_number(usage.get(k)) for k in ("call_count", "total_time", "total_cputime")),
               default=0.0)


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return 0.0
    try:
        number = float(value)
    except ValueError:
        return 0.0
    return number if number == number and number > 0 else 0.0  # NaN and negatives: nothing


def _cursor_text(value: str) -> bool:
    return 0 < len(value) <= 2000 and value.isprintable()
