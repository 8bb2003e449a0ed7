"""The Bluesky stand-in's repository calls: the account's posts and threadgates as records.

``com.atproto.repo.*`` on the account's own repository (by DID or handle): its posts
(the organisation's posts and replies in the world) and the threadgates written through
``putRecord``; a threadgate's ``hiddenReplies`` hide and show replies in the world.
``swapRecord`` is checked as the PDS does (null: the record must not exist yet).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from triage.standins.core import Reject, Request, Response, rfc3339
from triage.standins.records import SeedAccount
from triage.standins.world import Node

if TYPE_CHECKING:
    from triage.standins.bluesky import BlueskyApi

__all__ = ["BlueskyRepo"]

POST = "app.bsky.feed.post"
GATE = "app.bsky.feed.threadgate"
MAX_HIDDEN = 50
MAX_GRAPHEMES = 300
_RKEY = re.compile(r"[A-Za-z0-9._~:-]{1,512}\Z")
_URI = re.compile(r"at://did:[a-z]+:[A-Za-z0-9._:%-]+/[a-zA-Z0-9.-]+/[A-Za-z0-9._~:-]+\Z")


class BlueskyRepo:
    """The repository routes of :class:`~triage.standins.bluesky.BlueskyApi` (its ``api``)."""

    def __init__(self, api: BlueskyApi) -> None:
        self.api = api

    def _repo(self, req: Request, account: SeedAccount, value: Any) -> None:
        if str(value or "").casefold() not in (account.id, account.handle.casefold()):
            raise self.api.xrpc(401, "AuthRequiredError" if value else "InvalidRequest",
                            "Could not find repo: " + str(value or "(none)")[:100])

    def _rkey(self, value: Any) -> str:
        if not isinstance(value, str) or not _RKEY.match(value):
            raise self.api.xrpc(400, "InvalidRequest", "Error: rkey must be a valid record key")
        return value

    def _own_posts(self, account: SeedAccount) -> list[Node]:
        """The account's live posts and replies, newest record key first."""
        out: list[Node] = []
        for post in self.api.world.posts(self.api.name, account.key).ascending():
            if not post.deleted:
                out.append(post)
            out.extend(n for n in self.api.world.stream(self.api.name, post.id).ascending()
                       if n.by_org and not n.deleted)
        return sorted(out, key=lambda n: n.id.rsplit("/", 1)[-1], reverse=True)

    # -- threadgates --------------------------------------------------------------
    def gate(self, account: SeedAccount, rkey: str) -> dict[str, Any] | None:
        """The threadgate record of the account's post ``rkey`` (None: there is none)."""
        uri = f"at://{account.id}/{POST}/{rkey}"
        post = self.api.world.get(self.api.name, uri)
        if post is None:
            return None
        kept = self.api._gates.get(uri)
        if kept is not None and kept[0] is post:
            return kept[1]
        hidden = [n.id for n in self.api.world.stream(self.api.name, uri).ascending() if n.hidden]
        if not hidden:
            return None
        return {"$type": GATE, "post": uri, "createdAt": rfc3339(post.created),
                "hiddenReplies": hidden}

    def _gate_cid(self, record: dict[str, Any] | None) -> str | None:
        from triage.standins.bluesky import cid_of

        return None if record is None else cid_of(record)

    def _write_gate(self, account: SeedAccount, rkey: str,
                    record: dict[str, Any] | None) -> None:
        uri = f"at://{account.id}/{POST}/{rkey}"
        post = self.api.world.get(self.api.name, uri)
        if post is None or post.deleted:
            raise self.api.xrpc(400, "InvalidRequest", f"Invalid {GATE} record: post {uri} "
                            "is not a post of this repository")
        before = set((self.gate(account, rkey) or {}).get("hiddenReplies", []))
        after = set(record.get("hiddenReplies", [])) if record is not None else set()
        for uri_changed in sorted(before ^ after):
            node = self.api.world.get(self.api.name, uri_changed)
            if node is not None and node.post == uri and not node.deleted:
                self.api.world.set_hidden(self.api.name, account.key, node, uri_changed in after)
        if record is None:
            self.api._gates.pop(uri, None)
        else:
            self.api._gates[uri] = (post, record)

    def _check_gate(self, record: Any, account: SeedAccount, rkey: str) -> None:
        where = f"Invalid {GATE} record"
        if not isinstance(record, dict) or record.get("$type") != GATE:
            raise self.api.xrpc(400, "InvalidRequest", f"{where}: $type must be {GATE}")
        if record.get("post") != f"at://{account.id}/{POST}/{rkey}":
            raise self.api.xrpc(400, "InvalidRequest", f"{where}: post must be the post the "
                            "record key names")
        hidden = record.get("hiddenReplies", [])
        if not isinstance(hidden, list) or not all(
                isinstance(u, str) and _URI.match(u) for u in hidden):
            raise self.api.xrpc(400, "InvalidRequest", f"{where}: Record/hiddenReplies must be "
                            "a list of at-uris")
        if len(hidden) > MAX_HIDDEN:
            raise self.api.xrpc(400, "InvalidRequest", f"{where}: Record/hiddenReplies must not "
                            f"have more than {MAX_HIDDEN} elements")

    # -- routes -------------------------------------------------------------------
    def list_records(self, req: Request, account: SeedAccount) -> Response:
        self._repo(req, account, req.arg("repo"))
        limit = int(req.arg("limit", "50") or 50) if (req.arg("limit") or "50").isdigit() else 50
        limit = min(max(limit, 1), 100)
        collection = req.arg("collection")
        with self.api.world.lock:
            if collection == POST:
                nodes = self._own_posts(account)
                cursor = req.arg("cursor")
                if cursor:
                    nodes = [n for n in nodes if n.id.rsplit("/", 1)[-1] < cursor]
                page = nodes[:limit]
                records = [{**self.api.ref(n), "value": self.api.record(n)} for n in page]
                more = len(nodes) > limit
            else:
                records, page, more = [], [], False
        body: dict[str, Any] = {"records": records}
        if more:
            body["cursor"] = page[-1].id.rsplit("/", 1)[-1]
        return Response(body=body, items=records)

    def get_record(self, req: Request, account: SeedAccount) -> Response:
        self._repo(req, account, req.arg("repo"))
        rkey = self._rkey(req.arg("rkey"))
        collection = req.arg("collection")
        uri = f"at://{account.id}/{collection}/{rkey}"
        with self.api.world.lock:
            if collection == GATE:
                record = self.gate(account, rkey)
                if record is not None:
                    return Response(body={"uri": uri, "cid": self._gate_cid(record),
                                          "value": record})
            elif collection == POST:
                node = self.api._post(uri)
                if node is not None and node.by_org:
                    return Response(body={**self.api.ref(node), "value": self.api.record(node)})
        raise self.api.xrpc(400, "RecordNotFound", f"Could not locate record: {uri}")

    def create_record(self, req: Request, account: SeedAccount) -> Response:
        form = req.form()
        self._repo(req, account, form.get("repo"))
        collection, record = form.get("collection"), form.get("record")
        if collection == GATE:
            rkey = self._rkey(form.get("rkey"))
            return self._put(account, rkey, record, swap=None, swapped=True)
        if collection != POST:
            raise self.api.xrpc(400, "InvalidRequest", f"stand-in: no {collection} records here")
        return self._reply(account, record)

    def _reply(self, account: SeedAccount, record: Any) -> Response:
        where = f"Invalid {POST} record"
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            raise self.api.xrpc(400, "InvalidRequest", f"{where}: Record/text must be a string")
        if len(record["text"]) > MAX_GRAPHEMES:
            raise self.api.xrpc(400, "InvalidRequest", f"{where}: Record/text must not be longer "
                            f"than {MAX_GRAPHEMES} graphemes")
        if not isinstance(record.get("createdAt"), str):
            raise self.api.xrpc(400, "InvalidRequest", f"{where}: Record must have the property "
                            '"createdAt"')
        reply = record.get("reply")
        refs = [reply.get(k) if isinstance(reply, dict) else None for k in ("root", "parent")]
        if not all(isinstance(r, dict) and isinstance(r.get("uri"), str)
                   and isinstance(r.get("cid"), str) for r in refs):
            raise self.api.xrpc(400, "InvalidRequest", "stand-in: only replies (reply.root and "
                            "reply.parent, each with uri and cid) can be posted here")
        root, parent = (self.api._post(r["uri"]) for r in refs)  # type: ignore[index]
        if parent is None or root is None or parent.post != root.id or (
                parent.account != account.key):
            raise self.api.xrpc(400, "InvalidRequest", "stand-in: the reply's parent and root "
                            "are not posts of this account's threads")
        with self.api.world.lock:
            made, _ = self.api.world.reply(self.api.name, account.key, parent, record["text"])
        return Response(body={**self.api.ref(made), "validationStatus": "valid",
                              "commit": {"cid": self.api.ref(made)["cid"], "rev": "standin"}})

    def put_record(self, req: Request, account: SeedAccount) -> Response:
        form = req.form()
        self._repo(req, account, form.get("repo"))
        if form.get("collection") != GATE:
            raise self.api.xrpc(400, "InvalidRequest", "stand-in: only threadgates are put here")
        rkey = self._rkey(form.get("rkey"))
        return self._put(account, rkey, form.get("record"), swap=form.get("swapRecord"),
                         swapped="swapRecord" in form)

    def _put(self, account: SeedAccount, rkey: str, record: Any, *,
             swap: Any, swapped: bool) -> Response:
        self._check_gate(record, account, rkey)
        with self.api.world.lock:
            current = self._gate_cid(self.gate(account, rkey))
            if swapped and swap != current:
                raise self.api.xrpc(400, "InvalidSwap", f"Record was at {current or 'null'}")
            self._write_gate(account, rkey, record)
        return Response(body={"uri": f"at://{account.id}/{GATE}/{rkey}",
                              "cid": self._gate_cid(record), "validationStatus": "valid"})

    def delete_record(self, req: Request, account: SeedAccount) -> Response:
        form = req.form()
        self._repo(req, account, form.get("repo"))
        rkey = self._rkey(form.get("rkey"))
        collection = form.get("collection")
        with self.api.world.lock:
            if collection == GATE:
                if self.gate(account, rkey) is not None:
                    self._write_gate(account, rkey, None)
            elif collection == POST:
                node = self.api._post(f"at://{account.id}/{POST}/{rkey}")
                if node is not None and node.by_org:
                    self.api.world.delete(self.api.name, account.key, node)
            else:
                raise Reject(self.api.error(400, f"stand-in: no {collection} records here"))
        return Response(body={"commit": {"cid": "standin", "rev": "standin"}})
