"""The Graph API's common ground for the Facebook and Instagram stand-ins.

Fields (``fields=id,from{id,name},comments.limit(5){message}``), cursor paging with
``paging.cursors.before/after`` and ``paging.next``, the error object, throttle codes and
the usage headers.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import orjson
from dateutil import parser as dateparser

from triage.standins.core import PlatformApi, Reject, Request, Response
from triage.standins.faults import Fault
from triage.standins.ordering import Key, SortedItems, decode_cursor, encode_cursor, walk
from triage.standins.records import SeedAccount
from triage.standins.world import Node

__all__ = ["OMIT", "FieldFn", "Fields", "GraphApi", "graph_time", "parse_fields", "unparse_fields"]

#: field name -> (sub-fields or None, modifiers such as limit / summary)
Fields = dict[str, tuple["Fields | None", dict[str, str]]]
FieldFn = Callable[[Request, Node, "Fields | None", dict[str, str]], Any]

OMIT = object()
THROTTLE_MESSAGES = {
    4: "(#4) Application request limit reached",
    17: "(#17) User request limit reached",
    32: "(#32) Page request limit reached",
    613: "(#613) Calls to this api have exceeded the rate limit.",
    80001: "(#80001) There have been too many calls to this Page account. "
           "Wait a bit and try again.",
    80002: "(#80002) There have been too many calls to this Instagram account. "
           "Wait a bit and try again.",
}
_trace = itertools.count(1)


def graph_time(moment: datetime) -> str:
    """``2020-02-19T23:05:53+0000``, as the Graph API writes times."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def parse_fields(spec: str) -> Fields:
    """The ``fields`` parameter as a tree; a ValueError tells where the syntax breaks."""
    fields, at = _parse_list(spec, 0)
    if at != len(spec):
        raise ValueError(f'Syntax error "Expected end of string instead of "{spec[at]}"." '
                         f"at character {at}: {spec}")
    return fields


def _parse_list(spec: str, at: int) -> tuple[Fields, int]:
    fields: Fields = {}
    while at < len(spec) and spec[at] != "}":
        start = at
        while at < len(spec) and spec[at] not in ",{}.()":
            at += 1
        name = spec[start:at].strip()
        if not name:
            raise ValueError(f'Syntax error "Field name expected." at character {at}: {spec}')
        modifiers: dict[str, str] = {}
        while at < len(spec) and spec[at] == ".":
            close = spec.find(")", at)
            opened = spec.find("(", at)
            if opened == -1 or close == -1 or close < opened:
                raise ValueError(f'Syntax error "Expected "(".": at character {at}: {spec}')
            modifiers[spec[at + 1 : opened]] = spec[opened + 1 : close]
            at = close + 1
        sub: Fields | None = None
        if at < len(spec) and spec[at] == "{":
            sub, at = _parse_list(spec, at + 1)
            if at >= len(spec) or spec[at] != "}":
                raise ValueError(f'Syntax error "Expected "}}"." at character {at}: {spec}')
            at += 1
        fields[name] = (sub, modifiers)
        if at < len(spec) and spec[at] == ",":
            at += 1
    return fields, at


def unparse_fields(fields: Fields) -> str:
    """The ``fields`` parameter for a tree (used in the ``next`` links of nested edges)."""
    parts = []
    for name, (sub, mods) in fields.items():
        text = name + "".join(f".{k}({v})" for k, v in mods.items())
        parts.append(text + (f"{{{unparse_fields(sub)}}}" if sub else ""))
    return ",".join(parts)


class GraphApi(PlatformApi):
    """Shared Graph behaviour; subclasses name their node types, fields and edges."""

    buc_type = "pages"
    throttle_code = 80001

    # -- signals ------------------------------------------------------------------
    def token(self, req: Request) -> str | None:
        token = req.param("access_token")
        return str(token) if token else req.bearer()

    def error(self, status: int, message: str, *, code: int | None = None,
              subcode: int | None = None, kind: str = "OAuthException",
              transient: bool = False) -> Response:
        if code is None:
            code = {500: 1, 503: 2}.get(status, 100)
            if status >= 500 and message == "stand-in fault":
                message = ("An unknown error has occurred." if code == 1
                           else "Service temporarily unavailable")
        body: dict[str, Any] = {"message": message, "type": kind, "code": code}
        if subcode is not None:
            body["error_subcode"] = subcode
        if transient:
            body["is_transient"] = True
        body["fbtrace_id"] = f"A{next(_trace):010d}standin"
        return Response(status=status, body={"error": body})

    def auth_failure(self, req: Request, *, expired: bool) -> Response:
        if expired:
            return self.error(400, "Error validating access token: Session has expired on "
                              "Friday, 20-Nov-26 15:00:00 PST. The current time is later.",
                              code=190, subcode=463)
        if self.token(req) is None:
            return self.error(400, "An access token is required to request this resource.",
                              code=104)
        return self.error(400, "Invalid OAuth access token - Cannot parse access token",
                          code=190)

    def throttled(self, fault: Fault | None, reset: float) -> Response:
        code = fault.code if fault and fault.code in THROTTLE_MESSAGES else self.throttle_code
        response = self.error(400, THROTTLE_MESSAGES[code], code=code, transient=True)
        response.headers.update(self._usage(100, reset, None))
        return response

    def usage_headers(self, remaining: int, reset: float, account: SeedAccount) -> dict[str, str]:
        capacity = self.budget.capacity
        percent = min(100, round(100 * (capacity - remaining) / capacity))
        # The Graph API leaves the headers out while usage is effectively 0%.
        return self._usage(percent, reset, account) if percent else {}

    def _usage(self, percent: int, reset: float, account: SeedAccount | None) -> dict[str, str]:
        owner = account or self.world.account(self.name)
        minutes = int(max(reset - time.time(), 0) // 60) if percent >= 100 else 0
        app = {"call_count": percent, "total_time": percent, "total_cputime": percent}
        buc = {owner.id: [{"type": self.buc_type, "call_count": percent,
                           "total_cputime": percent, "total_time": percent,
                           "estimated_time_to_regain_access": minutes}]}
        return {"X-App-Usage": orjson.dumps(app).decode(),
                "X-Business-Use-Case-Usage": orjson.dumps(buc).decode()}

    def wrong_shape(self) -> Any:
        return {"data": {"message": "unavailable"}, "paging": "none"}

    def no_route(self, req: Request) -> Response:
        return self.error(400, f"Unknown path components: {req.path}", code=2500)

    # -- objects ------------------------------------------------------------------
    def missing(self, req: Request, native: str) -> Reject:
        verb = req.method.lower()
        return Reject(self.error(
            400, f"Unsupported {verb} request. Object with ID '{native}' does not exist, "
            "cannot be loaded due to missing permissions, or does not support this operation.",
            code=100, subcode=33, kind="GraphMethodException"))

    def resolve(self, req: Request, account: SeedAccount, native: str) -> Node | SeedAccount:
        """The account itself (``me`` or its id) or one of its live posts or comments;
        the platform's not-found error otherwise."""
        if native in ("me", account.id):
            return account
        node = self.world.get(self.name, native)
        if node is None or node.deleted or node.account != account.key:
            raise self.missing(req, native)
        return node

    def fields_of(self, req: Request, default: str) -> Fields:
        spec = req.param("fields")
        try:
            return parse_fields(str(spec) if spec else default)
        except ValueError as exc:
            raise Reject(self.error(400, str(exc), code=2500)) from None

    def render(self, req: Request, node: Node, fields: Fields, table: Mapping[str, FieldFn],
               known: frozenset[str], node_type: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, (sub, mods) in fields.items():
            fn = table.get(name)
            if fn is None:
                if name in known:
                    continue
                raise Reject(self.error(
                    400, f"(#100) Tried accessing nonexisting field ({name}) on node type "
                    f"({node_type})", code=100))
            value = fn(req, node, sub, mods)
            if value is not OMIT and value is not None:
                out[name] = value
        return out

    # -- paging -------------------------------------------------------------------
    def page(
        self, req: Request, items: SortedItems[Node], *, path: str, render: Callable[[Node], Any],
        newest_first: bool, keep: Callable[[Node], bool], limit: int | None = None,
        params: dict[str, str] | None = None, summary: dict[str, Any] | None = None,
    ) -> tuple[dict[str, Any], list[Any]]:
        """One page of an edge: ``{"data": [...], "paging": {...}}`` and its item list."""
        nested = params is not None  # an edge inside a node: the request's cursors are not its
        if params is None:
            params = {k: v[0] for k, v in req.query.items() if k not in ("after", "before")}
        elif req.arg("access_token"):
            params = {**params, "access_token": req.arg("access_token") or ""}
        limit = self.limit_of(params.get("limit") if limit is None else str(limit))
        keep = self.time_filter(params, keep)
        before_cursor, after_cursor = (None, None) if nested else (req.arg("before"),
                                                                     req.arg("after"))
        backwards = before_cursor is not None and after_cursor is None
        cursor = before_cursor if backwards else after_cursor
        start = self.cursor_key(cursor) if cursor else None
        if req.empty_page and not nested:
            at = start or ((2**62,) if newest_first else (-1,))
            token = encode_cursor(at)
            empty: list[Any] = []
            paging = {"cursors": {"before": token, "after": token},
                      "next": req.url(path, {**params, "after": token})}
            return {"data": empty, "paging": paging}, empty
        with self.world.lock:
            found, more = walk(items, newest_first=newest_first != backwards, start=start,
                               limit=limit, keep=keep)
            if backwards:
                found.reverse()
            data = [render(node) for node in found]
            if summary is not None:
                summary["total_count"] = sum(1 for node in items.ascending() if keep(node))
        body: dict[str, Any] = {"data": data}
        if found:
            first, last = (encode_cursor(items.key_of(n)) for n in (found[0], found[-1]))
            paging = {"cursors": {"before": first, "after": last}}
            if more or backwards:
                paging["next"] = req.url(path, {**params, "after": last})
            if (more and backwards) or (cursor is not None and not backwards):
                paging["previous"] = req.url(path, {**params, "before": first})
            body["paging"] = paging
        if summary is not None:
            body["summary"] = summary
        return body, data

    def limit_of(self, value: str | None) -> int:
        if value is None or value == "":
            return 25
        try:
            return max(0, min(int(value), 100))
        except ValueError:
            raise Reject(self.error(400, "(#100) Param limit must be a number",
                                    code=100)) from None

    def cursor_key(self, cursor: str) -> Key:
        key = decode_cursor(cursor)
        if key is None:
            raise Reject(self.error(400, "(#100) The cursor parameter is not valid", code=100))
        return key

    def time_filter(self, params: Mapping[str, str], keep: Callable[[Node], bool]
                    ) -> Callable[[Node], bool]:
        since = self._moment(params.get("since"), "since")
        until = self._moment(params.get("until"), "until")
        if since is None and until is None:
            return keep
        low = since if since is not None else float("-inf")
        high = until if until is not None else float("inf")
        return lambda node: keep(node) and low <= node.created.timestamp() <= high

    def _moment(self, value: str | None, name: str) -> float | None:
        if value is None or value == "":
            return None
        try:
            if value.lstrip("-").isdigit():
                return float(value)
            moment = dateparser.parse(value)
        except (ValueError, OverflowError):
            raise Reject(self.error(400, f"(#100) The parameter {name} is not a valid time",
                                    code=100)) from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.timestamp()

    def post_param(self, req: Request, name: str) -> str | None:
        value = req.param(name)
        return None if value is None else str(value)

    def flag(self, req: Request, name: str) -> bool | None:
        value = req.param(name)
        if value is None:
            return None
        text = str(value).lower()
        if text not in ("true", "false", "1", "0"):
            raise Reject(self.error(400, f"(#100) Param {name} must be a boolean", code=100))
        return text in ("true", "1")
