"""Reading Bluesky's payloads: at:// URIs, post views, threads, the notification cursor,
XRPC errors, rate limits, link facets."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import orjson

from triage.connectors.payload import ItemError, obj_field, text_field
from triage.convert import iso
from triage.errors import BadTime
from triage.timefmt import parse_utc

if TYPE_CHECKING:
    import httpx

__all__ = [
    "POST",
    "THREADGATE",
    "AtUri",
    "PostView",
    "at_uri",
    "cursor_doc",
    "floor",
    "indexed",
    "is_did",
    "is_handle",
    "link_facets",
    "plain",
    "post_view",
    "rate_limit_reset",
    "strong_ref",
    "thread_posts",
    "web_link",
    "xrpc_error",
]

POST = "app.bsky.feed.post"
THREADGATE = "app.bsky.feed.threadgate"
#: Where a post is read by people (the handle, or the DID when the handle is invalid).
WEB = "https://bsky.app/profile"
_DID = r"did:(?:plc:[a-z2-7]{24}|web:[A-Za-z0-9.%:-]{1,253})"
_URI = re.compile(rf"at://(?P<did>{_DID})/(?P<collection>[a-zA-Z0-9.-]{{3,317}})"
                  r"/(?P<rkey>[A-Za-z0-9._~:-]{1,512})\Z")
_HANDLE = re.compile(r"(?=.{3,253}\Z)([a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+"
                     r"[a-zA-Z](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\Z")
_LINK = re.compile(r"https?://[^\s<>\"'`]+")
_TRAILING = ".,;:!?)]}'\""


@dataclass(frozen=True, slots=True)
class AtUri:
    """``at://{did}/{collection}/{rkey}``, read."""

    did: str
    collection: str
    rkey: str

    def __str__(self) -> str:
        return f"at://{self.did}/{self.collection}/{self.rkey}"


def at_uri(value: Any, name: str = "uri") -> AtUri:
    """An at:// URI naming a record by DID (ItemError naming ``name`` otherwise)."""
    found = _URI.match(value) if isinstance(value, str) else None
    if found is None:
        raise ItemError(f"{name} is not an at:// URI of a record")
    return AtUri(found["did"], found["collection"], found["rkey"])


def is_handle(value: str) -> bool:
    """Whether ``value`` is a valid handle (a domain name such as ``name.bsky.social``)."""
    return bool(_HANDLE.match(value))


def is_did(value: str) -> bool:
    return bool(re.fullmatch(_DID, value))


def strong_ref(doc: Any, key: str, name: str) -> dict[str, str]:
    """``doc[key]``, a ``{uri, cid}`` reference of a post (ItemError naming ``name``)."""
    ref = doc.get(key) if isinstance(doc, dict) else None
    if not isinstance(ref, dict):
        raise ItemError(f"{name} is not an object")
    uri = at_uri(ref.get("uri"), f"{name}.uri")
    cid = ref.get("cid")
    if not isinstance(cid, str) or not cid.isalnum() or len(cid) > 120:
        raise ItemError(f"{name}.cid is not a content id")
    return {"uri": str(uri), "cid": cid}


@dataclass(frozen=True, slots=True)
class PostView:
    """A post as the AppView shows it (in a notification, a thread, or getPosts)."""

    uri: AtUri
    cid: str
    author_did: str
    handle: str
    name: str
    text: str
    at: datetime
    root: dict[str, str] | None
    parent: dict[str, str] | None

    @property
    def ref(self) -> dict[str, str]:
        return {"uri": str(self.uri), "cid": self.cid}

    @property
    def link(self) -> str:
        return web_link(self.handle, self.uri)


def post_view(doc: Any) -> PostView:
    """A notification item or a ``postView`` read; ItemError names the field at fault.

    Its time is ``indexedAt`` (set by the server, always with a zone); ``createdAt`` is
    the author's client's claim and may be naive: it is read as UTC only when there is
    no ``indexedAt``."""
    if not isinstance(doc, dict):
        raise ItemError("the item is not an object")
    uri = at_uri(doc.get("uri"))
    if uri.collection != POST:
        raise ItemError(f"uri names a {uri.collection} record, not a post")
    cid = doc.get("cid")
    if not isinstance(cid, str) or not cid.isalnum():
        raise ItemError("cid is missing")
    author = obj_field(doc, "author")
    did = text_field(author, "did", required=True)
    if did != uri.did:
        raise ItemError("author.did is not the DID of the post's uri")
    handle = text_field(author, "handle")
    handle = handle if is_handle(handle) and handle != "handle.invalid" else ""
    record = obj_field(doc, "record")
    text = text_field(record, "text", required=True)
    stamp = doc.get("indexedAt") if doc.get("indexedAt") is not None else record.get("createdAt")
    try:
        at = parse_utc(stamp, "indexedAt")
    except BadTime as exc:
        raise ItemError(str(exc)) from None
    reply = record.get("reply")
    root = parent = None
    if reply is not None:
        root = strong_ref(reply, "root", "record.reply.root")
        parent = strong_ref(reply, "parent", "record.reply.parent")
    name = text_field(author, "displayName").strip()
    return PostView(uri, cid, did, handle, name or handle or did, text, at, root, parent)


def web_link(handle: str, uri: AtUri) -> str:
    """The post's address on bsky.app."""
    return f"{WEB}/{handle or uri.did}/post/{uri.rkey}"


def xrpc_error(content: bytes) -> tuple[str, str]:
    """(error name, message) of an XRPC error body ``{"error", "message"}``, or ("", "")."""
    try:
        body = orjson.loads(content)
    except orjson.JSONDecodeError:
        return "", ""
    if not isinstance(body, dict):
        return "", ""
    name, message = body.get("error"), body.get("message")
    return (name if isinstance(name, str) else "",
            message if isinstance(message, str) else "")


def rate_limit_reset(response: httpx.Response, now: datetime) -> datetime | None:
    """When requests may go on: ``RateLimit-Reset`` (epoch seconds), on a 429 or once
    ``RateLimit-Remaining`` is 0."""
    reset = response.headers.get("RateLimit-Reset", "").strip()
    remaining = response.headers.get("RateLimit-Remaining", "").strip()
    if response.status_code != 429 and remaining != "0":
        return None
    try:
        moment = parse_utc(float(reset), "RateLimit-Reset", numbers=True)
    except (ValueError, BadTime):
        return None
    return min(moment, now + timedelta(days=1)) if moment > now else None


def link_facets(text: str) -> list[dict[str, Any]]:
    """A link facet for each http(s) address in ``text`` (offsets in UTF-8 bytes), so
    Bluesky shows the resource a reply points to as a link."""
    facets = []
    for found in _LINK.finditer(text):
        url = found.group().rstrip(_TRAILING)
        start = len(text[:found.start()].encode())
        facets.append({"index": {"byteStart": start, "byteEnd": start + len(url.encode())},
                       "features": [{"$type": "app.bsky.richtext.facet#link", "uri": url}]})
    return facets


def plain(text: str) -> str:
    """Text compared for "the same reply": spacing ignored."""
    return " ".join(text.split())


def thread_posts(node: Any, out: list[Any]) -> None:
    """Every post view of a thread view: its parents, itself, its replies (depth first)."""
    if not isinstance(node, dict):
        return
    parent = node.get("parent")
    chain = []
    while isinstance(parent, dict):
        chain.append(parent)
        parent = parent.get("parent")
    out.extend(p["post"] for p in reversed(chain) if isinstance(p.get("post"), dict))
    pending = [node]
    while pending:
        current = pending.pop()
        if isinstance(current.get("post"), dict):
            out.append(current["post"])
        replies = current.get("replies")
        if isinstance(replies, list):
            pending.extend(r for r in reversed(replies) if isinstance(r, dict))


def indexed(item: Any) -> tuple[datetime | None, str | None]:
    """A notification's ``indexedAt`` and uri, None where unreadable (``_read`` says why)."""
    if not isinstance(item, dict):
        return None, None
    uri = item.get("uri") if isinstance(item.get("uri"), str) else None
    try:
        return parse_utc(item.get("indexedAt"), "indexedAt"), uri
    except BadTime:
        return None, uri


def floor(cursor: Mapping[str, Any] | None) -> tuple[datetime | None, set[str]]:
    """The last sync's newest ``indexedAt`` and the uris seen at that instant."""
    if not isinstance(cursor, Mapping):
        return None, set()
    try:
        since = parse_utc(cursor.get("since"), "since")
    except BadTime:
        return None, set()
    seen = cursor.get("seen")
    return since, {u for u in seen if isinstance(u, str)} if isinstance(seen, list) else set()


def cursor_doc(since: datetime | None, seen: set[str]) -> dict[str, Any]:
    return {"since": iso(since) if since else None, "seen": sorted(seen)[:50]}
