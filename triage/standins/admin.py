"""The stand-ins' admin HTTP API under ``/_standin``, for a parent process such as the sandbox.

    GET    /_standin/health                  {"ok": true, "base_urls": {...}}
    GET    /_standin/accounts                account settings for connectors (with tokens)
    POST   /_standin/seed                    {"accounts": [...], "posts": [...], "comments": [...]}
    POST   /_standin/comments                one comment record, or a list of them
    GET    /_standin/items?platform=P        every post and comment the stand-in holds
    GET    /_standin/posted?platform=P       replies, hides, unhides and deletes, in order
    POST   /_standin/faults                  a fault: {"platform", "kind", ...}
    GET    /_standin/faults                  {"pending": [...], "log": [...]}
    DELETE /_standin/faults?platform=P       clear pending faults (all platforms when no P)
    POST   /_standin/rate_limit              {"platform", "limit" (null: none), "window"}
    POST   /_standin/reset                   back to the initial seed, no faults, no limits
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson

from triage.errors import TriageError
from triage.standins.app import BASE_PATHS, Standins
from triage.standins.core import Request, Response
from triage.standins.faults import fault_from_dict

__all__ = ["admin_handler"]


def admin_handler(standins: Standins) -> Callable[[Request], Response]:
    """The function that answers ``/_standin/...`` requests for ``standins``."""

    def body(req: Request) -> Any:
        if not req.body.strip():
            return {}
        try:
            return orjson.loads(req.body)
        except orjson.JSONDecodeError as exc:
            raise ValueError(f"the request body is not JSON: {exc}") from None

    def health(req: Request) -> Any:
        return {"ok": True, "base_urls": {p: req.origin + path for p, path in BASE_PATHS.items()}}

    def seed(req: Request) -> Any:
        data = body(req)
        if not isinstance(data, dict):
            raise ValueError("the seed must be an object with accounts, posts and comments")
        return standins.seed(data.get("accounts", ()), data.get("posts", ()),
                             data.get("comments", ()))

    def comments(req: Request) -> Any:
        data = body(req)
        records = data if isinstance(data, list) else [data]
        return {"ids": standins.seed(comments=records)["comments"]}

    def add_fault(req: Request) -> Any:
        return standins.faults.add(fault_from_dict(body(req))).as_dict()

    def rate_limit(req: Request) -> Any:
        data = body(req)
        if not isinstance(data, dict) or not isinstance(data.get("platform"), str):
            raise ValueError("rate_limit needs {platform, limit, window}")
        limit, window = data.get("limit"), data.get("window", 60.0)
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int)):
            raise ValueError("rate_limit limit: a whole number or null")
        if isinstance(window, bool) or not isinstance(window, int | float):
            raise ValueError("rate_limit window: a number of seconds")
        standins.rate_limit(data["platform"], limit, float(window))
        return standins.budgets[data["platform"]].state()

    def reset(req: Request) -> Any:
        standins.reset()
        return {"ok": True}

    def clear(req: Request) -> Any:
        standins.clear_faults(req.arg("platform"))
        return {"ok": True}

    routes: dict[tuple[str, str], Callable[[Request], Any]] = {
        ("GET", "/health"): health,
        ("GET", "/accounts"): lambda req: standins.account_settings(req.origin),
        ("POST", "/seed"): seed,
        ("POST", "/comments"): comments,
        ("GET", "/items"): lambda req: standins.items(req.arg("platform")),
        ("GET", "/posted"): lambda req: standins.posted(req.arg("platform")),
        ("POST", "/faults"): add_fault,
        ("GET", "/faults"): lambda req: {"pending": standins.faults.pending(),
                                         "log": standins.fault_log()},
        ("DELETE", "/faults"): clear,
        ("POST", "/rate_limit"): rate_limit,
        ("POST", "/reset"): reset,
    }

    def handle(req: Request) -> Response:
        action = routes.get((req.method, req.path.rstrip("/") or "/"))
        if action is None:
            return Response(status=404, body={"error": f"no admin action {req.method} "
                                              f"/_standin{req.path}"})
        try:
            return Response(body=action(req))
        except (TriageError, ValueError, TypeError) as exc:
            return Response(status=400, body={"error": str(exc)})

    return handle
