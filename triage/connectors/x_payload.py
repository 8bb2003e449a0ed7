"""Reading X API v2 answers: listings, authors, replies, errors and rate-limit resets."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import orjson

from triage.connectors.payload import id_field
from triage.errors import BadPayload, ConnectorError

if TYPE_CHECKING:
    import httpx

__all__ = [
    "DIGITS",
    "FIELDS",
    "cursor_id",
    "envelope",
    "first_error",
    "legacy_codes",
    "permalink",
    "plain",
    "rate_limit_reset",
    "replied_to",
    "text_of",
    "users_of",
]

#: The fields and expansions every tweet listing asks for (authors only in includes.users).
FIELDS = [("tweet.fields", "created_at,author_id,conversation_id,in_reply_to_user_id,"
                           "referenced_tweets"),
          ("expansions", "author_id"), ("user.fields", "username,name")]
DIGITS = re.compile(r"[0-9]{1,30}\Z")
_HANDLE = re.compile(r"[A-Za-z0-9_]{1,50}\Z")
_MENTIONS = re.compile(r"^(?:@\w+\s+)+")


def envelope(body: Any, where: str, account: str,
             user_id: str) -> tuple[list[Any], dict[str, dict[str, Any]], dict[str, Any]]:
    """(data, users by id, meta) of a tweet listing; raises when it cannot be read.

    X answers an empty listing with ``meta`` alone, and a listing of an unknown user with
    ``errors`` alone (status 200).
    """
    if not isinstance(body, dict):
        raise BadPayload(f"{account}: x answered {where} with {type(body).__name__} instead "
                         "of an object", account=account)
    if "data" not in body and "meta" not in body and isinstance(body.get("errors"), list):
        if any(isinstance(e, dict) and text_of(e, "type").endswith("resource-not-found")
               for e in body["errors"]):
            raise ConnectorError(f"{account}: x has no user {user_id} (check user_id in the "
                                 "account's config)", account=account)
        raise ConnectorError(f"{account}: x answered {where} with errors and no data",
                             account=account)
    data, meta = body.get("data", []), body.get("meta", {})
    if not isinstance(data, list) or not isinstance(meta, dict):
        raise BadPayload(f"{account}: x answered {where} with data that is not a list",
                         account=account)
    return data, users_of(body), meta


def users_of(body: Any) -> dict[str, dict[str, Any]]:
    """``includes.users`` by id."""
    includes = body.get("includes") if isinstance(body, dict) else None
    users = includes.get("users") if isinstance(includes, dict) else None
    return {u["id"]: u for u in users or () if isinstance(u, dict)
            and isinstance(u.get("id"), str)} if isinstance(users, list) else {}


def replied_to(doc: dict[str, Any]) -> str:
    """The id of the tweet ``doc`` replies to, or "" (ItemError when it is malformed)."""
    references = doc.get("referenced_tweets")
    for reference in references if isinstance(references, list) else ():
        if isinstance(reference, dict) and reference.get("type") == "replied_to":
            return id_field(reference, "id")
    return ""


def text_of(doc: Mapping[str, Any], key: str) -> str:
    """A string field, or ""."""
    value = doc.get(key)
    return value if isinstance(value, str) else ""


def permalink(username: str, native: str) -> str:
    """A tweet's address in X's style (the ``i/web`` form when the author is unknown)."""
    if _HANDLE.match(username):
        return f"https://x.com/{username}/status/{native}"
    return f"https://x.com/i/web/status/{native}"


def cursor_id(cursor: Mapping[str, Any] | None, key: str) -> str | None:
    """A tweet id kept in a cursor, if it is one."""
    value = cursor.get(key) if isinstance(cursor, Mapping) else None
    return value if isinstance(value, str) and DIGITS.match(value) else None


def plain(text: str) -> str:
    """Text compared for "the same reply": leading mentions and spacing ignored."""
    return " ".join(_MENTIONS.sub("", text.strip()).split())


def rate_limit_reset(response: httpx.Response) -> datetime | None:
    """``x-rate-limit-reset`` (epoch seconds) when nothing is left or on a 429."""
    reset = response.headers.get("x-rate-limit-reset", "").strip()
    remaining = response.headers.get("x-rate-limit-remaining", "").strip()
    if not DIGITS.match(reset) or (response.status_code != 429 and remaining != "0"):
        return None
    try:
        return datetime.fromtimestamp(int(reset), UTC)
    except (ValueError, OverflowError, OSError):
        return None


def legacy_codes(response: httpx.Response) -> set[int]:
    """The numeric codes of a legacy ``{"errors": [{"code": …}]}`` answer without data."""
    if response.status_code < 400 and not response.content.startswith(b'{"errors"'):
        return set()
    body = _json(response.content)
    if not isinstance(body, dict) or "data" in body or not isinstance(body.get("errors"), list):
        return set()
    return {e["code"] for e in body["errors"] if isinstance(e, dict)
            and isinstance(e.get("code"), int) and not isinstance(e.get("code"), bool)}


def first_error(response: httpx.Response) -> str:
    """The message of the first entry of ``errors`` (names the parameter X refused)."""
    body = _json(response.content)
    errors = body.get("errors") if isinstance(body, dict) else None
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        message = errors[0].get("message") or errors[0].get("detail")
        if isinstance(message, str):
            return message
    return ""


def _json(content: bytes) -> Any:
    try:
        return orjson.loads(content)
    except orjson.JSONDecodeError:
        return None
