"""Hiding a Bluesky reply: the ``hiddenReplies`` of the threadgate on the account's own post.

A threadgate (``app.bsky.feed.threadgate``) has the record key of the post it gates and
lives in the post author's repository. It is read, changed and written back with
``com.atproto.repo.putRecord`` and ``swapRecord`` (its CID, or null when there was none),
so a change made meanwhile by someone else (the Bluesky app, another desk) is never
overwritten: the write is refused with ``InvalidSwap`` and done again on the new record.
Everything else in the record (who may reply: ``allow``) is kept as it is; a threadgate
made here has no ``allow``, which leaves replies open to everyone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from triage.connectors.bluesky_payload import THREADGATE, AtUri, xrpc_error
from triage.convert import iso
from triage.errors import ActionRefused, BadPayload

if TYPE_CHECKING:
    from triage.connectors.bluesky import BlueskyConnector

__all__ = ["MAX_HIDDEN", "ThreadGate"]

#: The lexicon's limit on ``hiddenReplies``.
MAX_HIDDEN = 50
#: Tries when the record keeps changing under us.
TRIES = 3


class ThreadGate:
    """The threadgate of one of the account's posts."""

    def __init__(self, connector: BlueskyConnector, did: str, post: AtUri) -> None:
        self.connector = connector
        self.did = did
        self.post = post

    async def read(self) -> tuple[dict[str, Any] | None, str | None]:
        """The record and its CID (None, None when the post has no threadgate)."""
        body, response = await self.connector.call("com.atproto.repo.getRecord", params={
            "repo": self.did, "collection": THREADGATE, "rkey": self.post.rkey}, allow=(400,))
        if response.status_code == 400:
            name, _ = xrpc_error(response.content)
            if name in ("RecordNotFound", "InvalidRequest"):  # older servers: InvalidRequest
                return None, None
            raise ActionRefused(f"{self.connector.name}: bluesky refused to read the threadgate "
                                f"of {self.post} ({self.connector.error_text(response)})")
        value = body.get("value") if isinstance(body, dict) else None
        cid = body.get("cid") if isinstance(body, dict) else None
        if not isinstance(value, dict) or not isinstance(cid, str):
            raise BadPayload(f"{self.connector.name}: bluesky answered getRecord of the "
                             f"threadgate of {self.post} with something else",
                             account=self.connector.name)
        return value, cid

    async def hidden(self) -> list[str]:
        """The replies the threadgate hides now."""
        record, _ = await self.read()
        return _listed(record)

    async def set(self, reply: str, hidden: bool) -> None:
        """Hide ``reply`` (an at:// URI in the post's thread), or show it again."""
        for _attempt in range(TRIES):
            record, cid = await self.read()
            listed = _listed(record)
            if (reply in listed) == hidden:
                return  # done already (by us before a timeout, or by someone else)
            if hidden and len(listed) >= MAX_HIDDEN:
                raise ActionRefused(
                    f"{self.connector.name}: Bluesky hides at most {MAX_HIDDEN} replies in one "
                    f"thread, and {self.post} hides {len(listed)} already: show one again, or "
                    "delete or block on Bluesky itself")
            changed: dict[str, Any] = dict(record) if record is not None else {
                "$type": THREADGATE, "post": str(self.post), "createdAt": iso(
                    self.connector.clock())}
            changed["hiddenReplies"] = ([*listed, reply] if hidden
                                        else [u for u in listed if u != reply])
            _, response = await self.connector.call("com.atproto.repo.putRecord", body={
                "repo": self.did, "collection": THREADGATE, "rkey": self.post.rkey,
                "record": changed, "swapRecord": cid}, idempotent=True, allow=(400,))
            if response.status_code == 200:
                return
            name, _ = xrpc_error(response.content)
            if name != "InvalidSwap":
                raise ActionRefused(f"{self.connector.name}: bluesky refused the threadgate of "
                                    f"{self.post} ({self.connector.error_text(response)})")
        raise ActionRefused(f"{self.connector.name}: the threadgate of {self.post} kept "
                            f"changing while Triage wrote it ({TRIES} tries); try again")


def _listed(record: dict[str, Any] | None) -> list[str]:
    found = record.get("hiddenReplies") if record is not None else None
    return [u for u in found if isinstance(u, str)] if isinstance(found, list) else []
