"""What every stand-in shares: requests, answers, and one flow for faults, tokens and budgets."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlencode

import orjson

from triage.standins.faults import Budget, Fault, FaultBook
from triage.standins.records import SeedAccount
from triage.standins.world import World

__all__ = [
    "PlatformApi",
    "Reject",
    "Request",
    "Response",
    "Route",
    "break_item",
    "rfc3339",
]

TIME_KEYS = frozenset({"created_time", "timestamp", "publishedAt", "updatedAt", "created_at",
                       "created_utc", "create_time", "indexedAt", "createdAt"})
TEXT_KEYS = frozenset({"message", "text", "textOriginal", "textDisplay", "content", "body"})
NOT_JSON = (b"<html><head><title>502 Bad Gateway</title></head>"
            b"<body><h1>502 Bad Gateway</h1></body></html>")


def rfc3339(moment: datetime, digits: int = 3) -> str:
    """RFC 3339 in UTC with a ``Z`` and ``digits`` fractional digits (0 for none)."""
    moment = moment.astimezone(UTC)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if digits:
        text += "." + f"{moment.microsecond:06d}"[:digits]
    return text + "Z"


@dataclass(slots=True)
class Request:
    """One API request; ``path`` is below the platform's root (``/123/comments``)."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    origin: str
    root: str
    empty_page: bool = False
    _form: dict[str, Any] | None = None

    @classmethod
    def build(cls, method: str, path: str, query: str, headers: dict[str, str], body: bytes,
              origin: str, root: str) -> Request:
        """A request; ``headers`` has lower-case names."""
        return cls(method, path, parse_qs(query, keep_blank_values=True), headers, body,
                   origin, root)

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default

    def args(self, name: str) -> list[str]:
        return self.query.get(name, [])

    def form(self) -> dict[str, Any]:
        """The body as an object: JSON, or form-encoded (first value of each name)."""
        if self._form is None:
            self._form = {}
            if self.body.strip():
                kind = self.header("Content-Type") or ""
                if "json" in kind or self.body.lstrip()[:1] in (b"{", b"["):
                    try:
                        parsed = orjson.loads(self.body)
                    except orjson.JSONDecodeError:
                        parsed = None
                    self._form = parsed if isinstance(parsed, dict) else {"": parsed}
                else:
                    pairs = parse_qs(self.body.decode("utf-8", "replace"), keep_blank_values=True)
                    self._form = {k: v[0] for k, v in pairs.items()}
        return self._form

    def param(self, name: str) -> Any:
        """A parameter from the query, else from the body."""
        value = self.arg(name)
        return value if value is not None else self.form().get(name)

    def bearer(self) -> str | None:
        header = self.header("Authorization") or ""
        scheme, _, token = header.partition(" ")
        if scheme.lower() in ("bearer", "oauth") and token.strip():
            return token.strip()
        return None

    def url(self, path: str, params: Mapping[str, Any] | list[tuple[str, str]]) -> str:
        """An absolute URL below this platform's root, as the client reached it."""
        query = urlencode(params, doseq=True)
        return f"{self.origin}{self.root}{path}" + (f"?{query}" if query else "")


@dataclass(slots=True)
class Response:
    """An answer; ``items`` is the page's list (for breaking one item), ``delay`` a wait."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json; charset=utf-8"
    items: list[Any] | None = None
    delay: float = 0.0
    disconnect: bool = False

    def payload(self) -> bytes:
        if self.body is None:
            return b""
        if isinstance(self.body, bytes):
            return self.body
        return orjson.dumps(self.body)


class Reject(Exception):  # noqa: N818 - it carries an answer, not a failure of ours
    """Raised by a handler to answer with an error response."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status)
        self.response = response


Handler = Callable[..., Response]


@dataclass(frozen=True, slots=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler
    cost: int = 1
    public: bool = False


def break_item(item: Any, variant: str) -> Any:
    """One page item made unreadable the way a platform sometimes sends one."""
    if variant == "not_object":
        return "unavailable"
    if isinstance(item, dict):
        out: dict[str, Any] = {}
        for key, value in item.items():
            if key in TIME_KEYS or key in TEXT_KEYS:
                if variant == "wrong_type":
                    out[key] = 1234567 if key in TIME_KEYS else {"unexpected": True}
            elif key == "id" or variant == "wrong_type" or isinstance(value, dict | list):
                out[key] = break_item(value, variant)
        return out
    if isinstance(item, list):
        return [break_item(value, variant) for value in item]
    return item


class PlatformApi:
    """One platform's stand-in: its routes plus its own signals for errors and limits."""

    name: ClassVar[str] = ""
    #: The quota cost of a request when a route names none.
    default_cost: ClassVar[int] = 1

    def __init__(self, world: World, faults: FaultBook, budget: Budget,
                 stopping: threading.Event) -> None:
        self.world = world
        self.faults = faults
        self.budget = budget
        self.stopping = stopping
        self.routes: list[Route] = []
        self.setup()

    # -- to be given by each platform ---------------------------------------------
    def setup(self) -> None:
        raise NotImplementedError

    def token(self, req: Request) -> str | None:
        return req.bearer()

    def error(self, status: int, message: str, *, code: int | None = None) -> Response:
        raise NotImplementedError

    def auth_failure(self, req: Request, *, expired: bool) -> Response:
        raise NotImplementedError

    def throttled(self, fault: Fault | None, reset: float) -> Response:
        raise NotImplementedError

    def usage_headers(self, remaining: int, reset: float, account: SeedAccount) -> dict[str, str]:
        return {}

    def wrong_shape(self) -> Any:
        raise NotImplementedError

    def no_route(self, req: Request) -> Response:
        return self.error(404, f"no such endpoint: {req.method} {req.path}")

    # -- shared -------------------------------------------------------------------
    def route(self, method: str, pattern: str, handler: Handler, cost: int | None = None,
              public: bool = False) -> None:
        """Add a route; a public one needs no token."""
        self.routes.append(Route(method, re.compile(pattern + r"\Z"), handler,
                                 self.default_cost if cost is None else cost, public))

    def reject(self, status: int, message: str, *, code: int | None = None) -> Reject:
        return Reject(self.error(status, message, code=code))

    def wait(self, seconds: float) -> None:
        """Sleep, but wake when the server stops."""
        if seconds > 0:
            self.stopping.wait(seconds)

    def authenticate(self, req: Request) -> SeedAccount:
        token = self.token(req)
        account = self.world.account_by_token(self.name, token) if token else None
        if account is None:
            raise Reject(self.auth_failure(req, expired=False))
        return account

    def dispatch(self, req: Request) -> Response:
        fault = self.faults.take(self.name, req.method, req.path)
        if fault is not None:
            early = self._early(fault, req)
            if early is not None:
                return early
        for route in self.routes:
            if route.method != req.method:
                continue
            found = route.pattern.match(req.path)
            if found is not None:
                break
        else:
            return self.no_route(req)
        try:
            account = self.world.account(self.name) if route.public else self.authenticate(req)
        except Reject as rejected:
            return rejected.response
        allowed, remaining, reset = self.budget.charge(route.cost)
        if not allowed:
            response = self.throttled(None, reset)
        else:
            try:
                response = route.handler(req, account, **found.groupdict())
            except Reject as rejected:
                response = rejected.response
        for name, value in self.usage_headers(remaining, reset, account).items():
            response.headers.setdefault(name, value)
        if fault is not None:
            self._late(fault, response)
        return response

    def _early(self, fault: Fault, req: Request) -> Response | None:
        kind = fault.kind
        if kind == "disconnect":
            return Response(disconnect=True)
        if kind == "status":
            return self.error(fault.status, fault.message or "stand-in fault", code=fault.code)
        if kind == "throttle":
            return self.throttled(fault, time.time() + fault.reset_after)
        if kind == "expired_token":
            return self.auth_failure(req, expired=True)
        if kind == "malformed":
            if fault.variant == "wrong_shape":
                return Response(status=fault.status or 200, body=self.wrong_shape())
            if fault.variant == "truncated":
                whole = orjson.dumps(self.wrong_shape())
                return Response(status=fault.status or 200, body=whole[: len(whole) // 2])
            return Response(status=fault.status or 200, body=NOT_JSON,
                            content_type="text/html; charset=utf-8")
        if kind == "delay":
            self.wait(fault.delay)
        elif kind == "empty_page":
            req.empty_page = True
        return None

    def _late(self, fault: Fault, response: Response) -> None:
        if fault.kind == "malformed_item" and response.items:
            items = response.items
            index = fault.index if fault.index is not None else len(items) // 2
            index = min(max(index, 0), len(items) - 1)
            original = items[index]
            items[index] = break_item(original, fault.variant or "wrong_type")
            ident = original.get("id") if isinstance(original, dict) else None
            self.faults.note(fault, index=index, item_id=ident)
        elif fault.kind == "commit_then_delay":
            response.delay = fault.delay
