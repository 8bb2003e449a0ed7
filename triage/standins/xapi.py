"""The X API v2 stand-in: mentions, conversation search, replies, hidden replies, deletes."""

from __future__ import annotations

import math
from datetime import datetime
from http import HTTPStatus
from typing import Any

from triage.errors import BadTime
from triage.standins.core import PlatformApi, Reject, Request, Response, rfc3339
from triage.standins.faults import Fault
from triage.standins.ordering import SortedItems, decode_cursor, encode_cursor, walk
from triage.standins.records import SeedAccount
from triage.standins.world import Node
from triage.timefmt import parse_utc

__all__ = ["XApi"]

TWEET_FIELDS = (
    "article,attachments,author_id,card_uri,community_id,context_annotations,conversation_id,"
    "created_at,display_text_range,edit_controls,edit_history_tweet_ids,entities,geo,id,"
    "in_reply_to_user_id,lang,media_metadata,non_public_metrics,note_tweet,organic_metrics,"
    "possibly_sensitive,promoted_metrics,public_metrics,referenced_tweets,reply_settings,"
    "scopes,source,text,withheld").split(",")
USER_FIELDS = (
    "affiliation,connection_status,created_at,description,entities,id,location,"
    "most_recent_tweet_id,name,pinned_tweet_id,profile_banner_url,profile_image_url,"
    "protected,public_metrics,receives_your_dm,subscription_type,url,username,verified,"
    "verified_type,withheld").split(",")
EXPANSIONS = (
    "article.cover_media,article.media_entities,attachments.media_keys,"
    "attachments.media_source_tweet,attachments.poll_ids,author_id,edit_history_tweet_ids,"
    "entities.mentions.username,geo.place_id,in_reply_to_user_id,"
    "entities.note.mentions.username,referenced_tweets.id,"
    "referenced_tweets.id.attachments.media_keys,referenced_tweets.id.author_id").split(",")
SEARCH_NOOPS = ("is:reply", "-is:retweet", "-is:quote", "-is:nullcast")
PROBLEM = "https://api.twitter.com/2/problems/"


class XApi(PlatformApi):
    name = "x"

    def setup(self) -> None:
        self.route("GET", r"/users/me", self.me)
        self.route("GET", r"/users/(?P<user>[^/]+)/mentions", self.mentions)
        self.route("GET", r"/tweets/search/recent", self.search)
        self.route("GET", r"/tweets", self.lookup)
        self.route("GET", r"/tweets/(?P<native>\d+)", self.one)
        self.route("POST", r"/tweets", self.post)
        self.route("PUT", r"/tweets/(?P<native>\d+)/hidden", self.hide)
        self.route("DELETE", r"/tweets/(?P<native>\d+)", self.delete)

    # -- signals ------------------------------------------------------------------
    def error(self, status: int, message: str, *, code: int | None = None) -> Response:
        title = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
        body = {"title": title, "detail": message if message != "stand-in fault" else title,
                "type": "about:blank", "status": status}
        return Response(status=status, body=body,
                        content_type="application/problem+json")

    def auth_failure(self, req: Request, *, expired: bool) -> Response:
        return self.error(401, "Unauthorized")

    def throttled(self, fault: Fault | None, reset: float) -> Response:
        if fault is not None and fault.variant == "legacy":
            response = Response(status=429, body={"errors": [
                {"code": 88, "message": "Rate limit exceeded"}]})
        else:
            response = self.error(429, "Too Many Requests")
        response.headers.update(self._limits(0, reset))
        return response

    def usage_headers(self, remaining: int, reset: float, account: SeedAccount) -> dict[str, str]:
        return self._limits(remaining, reset)

    def _limits(self, remaining: int, reset: float) -> dict[str, str]:
        return {"x-rate-limit-limit": str(self.budget.capacity),
                "x-rate-limit-remaining": str(remaining),
                "x-rate-limit-reset": str(math.ceil(reset))}

    def wrong_shape(self) -> Any:
        return {"data": {"unavailable": True}, "meta": "none"}

    def invalid(self, parameter: str, value: str, message: str) -> Reject:
        body = {"errors": [{"parameters": {parameter: [value]}, "message": message}],
                "title": "Invalid Request",
                "detail": "One or more parameters to your request was invalid.",
                "type": PROBLEM + "invalid-request"}
        return Reject(Response(status=400, body=body))

    def not_found(self, kind: str, native: str, parameter: str = "id") -> dict[str, Any]:
        return {"value": native, "detail": f"Could not find {kind} with {parameter}: [{native}].",
                "title": "Not Found Error", "resource_type": kind, "parameter": parameter,
                "resource_id": native, "type": PROBLEM + "resource-not-found"}

    # -- rendering ----------------------------------------------------------------
    def _choices(self, req: Request, name: str, allowed: list[str]) -> set[str]:
        chosen = {v for value in req.args(name) for v in value.split(",") if v}
        for value in sorted(chosen):
            if value not in allowed:
                raise self.invalid(name, value, f"The `{name}` query parameter value [{value}] "
                                   f"is not one of [{','.join(allowed)}]")
        return chosen

    def _mentioned(self, node: Node) -> list[tuple[str, str]]:
        """(id, handle) of who a reply's text opens with, as X writes replies."""
        if node.by_org or node.is_post:
            return []
        target = self.world.get(self.name, node.replies_to or "")
        owner = self.world.account(self.name, node.account)
        out = []
        if target is not None and target.author_handle:
            out.append((target.author_id, target.author_handle))
        if not out or out[0][0] != owner.id:
            out.append((owner.id, owner.handle))
        return out

    def _text(self, node: Node) -> tuple[str, int]:
        prefix = "".join(f"@{handle} " for _, handle in self._mentioned(node))
        return prefix + node.text, len(prefix)

    def tweet(self, node: Node, fields: set[str]) -> dict[str, Any]:
        text, start = self._text(node)
        out: dict[str, Any] = {"id": node.id, "text": text, "edit_history_tweet_ids": [node.id]}
        target = self.world.get(self.name, node.replies_to or "")
        if "created_at" in fields:
            out["created_at"] = rfc3339(node.created, 3)
        if "author_id" in fields:
            out["author_id"] = node.author_id
        if "conversation_id" in fields:
            out["conversation_id"] = node.post
        if "in_reply_to_user_id" in fields and target is not None:
            out["in_reply_to_user_id"] = target.author_id
        if "referenced_tweets" in fields and target is not None:
            out["referenced_tweets"] = [{"type": "replied_to", "id": target.id}]
        if "lang" in fields:
            out["lang"] = "en"
        if "possibly_sensitive" in fields:
            out["possibly_sensitive"] = False
        if "reply_settings" in fields:
            out["reply_settings"] = "everyone"
        if "display_text_range" in fields:
            out["display_text_range"] = [start, len(text)]
        if "entities" in fields and start:
            at, mentions = 0, []
            for native, handle in self._mentioned(node):
                mentions.append({"start": at, "end": at + len(handle) + 1,
                                 "username": handle, "id": native})
                at += len(handle) + 2
            out["entities"] = {"mentions": mentions}
        if "public_metrics" in fields:
            replies = self.world.answer_count(self.name, node.id)
            out["public_metrics"] = {"retweet_count": 0, "reply_count": replies,
                                     "like_count": node.like_count, "quote_count": 0,
                                     "bookmark_count": 0, "impression_count": 0}
        return out

    def user(self, native: str, handle: str, name: str, fields: set[str]) -> dict[str, Any]:
        out: dict[str, Any] = {"id": native, "name": name, "username": handle}
        if "protected" in fields:
            out["protected"] = False
        if "verified" in fields:
            out["verified"] = False
        if "description" in fields:
            out["description"] = ""
        if "profile_image_url" in fields:
            out["profile_image_url"] = f"https://pbs.twimg.com/profile_images/{native}.jpg"
        return out

    def envelope(self, req: Request, nodes: list[Node]) -> dict[str, Any]:
        """``data`` plus the ``includes`` the request's expansions ask for."""
        fields = self._choices(req, "tweet.fields", TWEET_FIELDS)
        user_fields = self._choices(req, "user.fields", USER_FIELDS)
        expansions = self._choices(req, "expansions", EXPANSIONS)
        data = [self.tweet(n, fields) for n in nodes]
        users: dict[str, dict[str, Any]] = {}
        tweets: dict[str, dict[str, Any]] = {}

        def add_user(native: str, handle: str, name: str) -> None:
            if native and native not in users:
                users[native] = self.user(native, handle, name, user_fields)

        for node in nodes:
            target = self.world.get(self.name, node.replies_to or "")
            if "author_id" in expansions:
                add_user(node.author_id, node.author_handle, node.author_name)
            if target is not None and "in_reply_to_user_id" in expansions:
                add_user(target.author_id, target.author_handle, target.author_name)
            if "entities.mentions.username" in expansions:
                owner = self.world.account(self.name, node.account)
                for native, handle in self._mentioned(node):
                    name = owner.name if native == owner.id else handle
                    add_user(native, handle, target.author_name if target and
                             target.author_id == native else name)
            if target is not None and "referenced_tweets.id" in expansions:
                tweets.setdefault(target.id, self.tweet(target, fields))
                if "referenced_tweets.id.author_id" in expansions:
                    add_user(target.author_id, target.author_handle, target.author_name)
        out: dict[str, Any] = {"data": data} if data else {}
        includes: dict[str, Any] = {}
        if users:
            includes["users"] = list(users.values())
        if tweets:
            includes["tweets"] = list(tweets.values())
        if includes:
            out["includes"] = includes
        return out

    # -- reads --------------------------------------------------------------------
    def me(self, req: Request, account: SeedAccount) -> Response:
        fields = self._choices(req, "user.fields", USER_FIELDS)
        return Response(body={"data": self.user(account.id, account.handle, account.name,
                                                fields)})

    def _timeline(self, req: Request, items: SortedItems[Node], token_name: str,
                  low: int, keep_extra: Any = None) -> Response:
        value = req.arg("max_results", "10") or "10"
        if not value.isdigit() or not low <= int(value) <= 100:
            raise self.invalid("max_results", value, f"The `max_results` query parameter "
                               f"value [{value}] is not between {low} and 100")
        limit = int(value)
        since, until = self._id_arg(req, "since_id"), self._id_arg(req, "until_id")
        start_time, end_time = self._time_arg(req, "start_time"), self._time_arg(req, "end_time")
        token = req.arg(token_name) or req.arg("pagination_token")
        start = decode_cursor(token) if token else None
        if token and start is None:
            raise self.invalid(token_name, token, f"The `{token_name}` query parameter value "
                               f"[{token}] is not valid")
        if req.empty_page:
            return Response(body={"meta": {"result_count": 0,
                                           "next_token": encode_cursor(start or (2**62,))}})

        def keep(node: Node) -> bool:
            number = int(node.id)
            return (not node.deleted and (since is None or number > since)
                    and (until is None or number < until)
                    and (start_time is None or node.created >= start_time)
                    and (end_time is None or node.created < end_time)
                    and (keep_extra is None or keep_extra(node)))

        with self.world.lock:
            found, more = walk(items, newest_first=True, start=start, limit=limit, keep=keep)
            body = self.envelope(req, found)
            meta: dict[str, Any] = {"result_count": len(found)}
            if found:
                meta["newest_id"], meta["oldest_id"] = found[0].id, found[-1].id
            if more:
                meta["next_token"] = encode_cursor(items.key_of(found[-1]))
        body["meta"] = meta
        return Response(body=body, items=body.get("data"))

    def _id_arg(self, req: Request, name: str) -> int | None:
        value = req.arg(name)
        if value is None:
            return None
        if not value.isdigit():
            raise self.invalid(name, value, f"The `{name}` query parameter value [{value}] "
                               "is not valid")
        return int(value)

    def _time_arg(self, req: Request, name: str) -> datetime | None:
        value = req.arg(name)
        if value is None:
            return None
        try:
            moment: datetime | None = parse_utc(value, name, naive=False)
        except BadTime:
            moment = None
        if moment is None:
            raise self.invalid(name, value, f"The `{name}` query parameter value [{value}] is "
                               "not a valid RFC 3339 time")
        return moment

    def mentions(self, req: Request, account: SeedAccount, user: str) -> Response:
        owner = self.world.account_by_id(self.name, user)
        if owner is None:
            return Response(body={"errors": [self.not_found("user", user)]})
        return self._timeline(req, self.world.inbox(self.name, owner.key), "pagination_token", 5)

    def search(self, req: Request, account: SeedAccount) -> Response:
        query = req.arg("query") or ""
        conversation = None
        for term in query.split():
            if term.startswith("conversation_id:") and term[16:].isdigit():
                conversation = term[16:]
            elif term not in SEARCH_NOOPS:
                raise self.invalid("query", query, f"The stand-in's search understands "
                                   f"conversation_id:<id> and {', '.join(SEARCH_NOOPS)}; "
                                   f"not [{term}]")
        if conversation is None:
            raise self.invalid("query", query, "The `query` parameter needs conversation_id:<id>")
        root = self.world.get(self.name, conversation)
        if root is None or not root.is_post:
            return Response(body={"meta": {"result_count": 0}})
        return self._timeline(req, self.world.stream(self.name, root.id), "next_token", 10)

    def _visible(self, native: str) -> Node | None:
        node = self.world.get(self.name, native)
        return None if node is None or node.deleted else node

    def one(self, req: Request, account: SeedAccount, native: str) -> Response:
        with self.world.lock:
            node = self._visible(native)
            if node is None:
                return Response(body={"errors": [self.not_found("tweet", native)]})
            body = self.envelope(req, [node])
            body["data"] = body["data"][0]
        return Response(body=body)

    def lookup(self, req: Request, account: SeedAccount) -> Response:
        ids = [i for i in (req.arg("ids") or "").split(",") if i]
        if not ids or len(ids) > 100 or not all(i.isdigit() for i in ids):
            raise self.invalid("ids", req.arg("ids") or "", "The `ids` query parameter needs "
                               "1 to 100 tweet ids")
        with self.world.lock:
            nodes = [n for n in (self._visible(i) for i in ids) if n is not None]
            body = self.envelope(req, nodes)
            missing = [self.not_found("tweet", i, "ids") for i in ids if self._visible(i) is None]
        if missing:
            body["errors"] = missing
        return Response(body=body)

    # -- writes -------------------------------------------------------------------
    def post(self, req: Request, account: SeedAccount) -> Response:
        form = req.form()
        text, reply = form.get("text"), form.get("reply")
        if not isinstance(text, str) or not text.strip():
            raise self.invalid("text", str(text), "The `text` field is required")
        target_id = reply.get("in_reply_to_tweet_id") if isinstance(reply, dict) else None
        if not isinstance(target_id, str) or not target_id.isdigit():
            raise self.invalid("reply", str(reply), "The stand-in posts replies only: give "
                               "reply.in_reply_to_tweet_id")
        with self.world.lock:
            target = self._visible(target_id)
            if target is None or target.account != account.key:
                raise self.reject(403, "You attempted to reply to a Tweet that is deleted or "
                                  "not visible to you.")
            for entry in self.world.posted(self.name):
                if (entry["action"], entry["target"], entry.get("text")) == (
                        "reply", target.id, text):
                    raise self.reject(403, "You are not allowed to create a Tweet with "
                                      "duplicate content.")
            node, _ = self.world.reply(self.name, account.key, target, text)
        return Response(status=201, body={"data": {"id": node.id, "text": node.text,
                                                   "edit_history_tweet_ids": [node.id]}})

    def hide(self, req: Request, account: SeedAccount, native: str) -> Response:
        hidden = req.form().get("hidden")
        if not isinstance(hidden, bool):
            raise self.invalid("hidden", str(hidden), "The `hidden` field must be true or false")
        node = self._visible(native)
        if node is None or node.is_post or node.by_org or node.account != account.key:
            raise self.reject(403, "You can only hide or unhide replies to conversations "
                              "you authored.")
        self.world.set_hidden(self.name, account.key, node, hidden)
        return Response(body={"data": {"hidden": hidden}})

    def delete(self, req: Request, account: SeedAccount, native: str) -> Response:
        node = self._visible(native)
        if node is None:
            return Response(body={"errors": [self.not_found("tweet", native)]})
        if not node.by_org or node.account != account.key:
            raise self.reject(403, "You are not allowed to delete this Tweet.")
        self.world.delete(self.name, account.key, node)
        return Response(body={"data": {"deleted": True}})
