"""Faults the stand-ins inject on request, and the rate-limit budget they keep."""

from __future__ import annotations

import fnmatch
import threading
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from triage.standins.records import STANDIN_PLATFORMS

__all__ = ["FAULT_KINDS", "Budget", "Fault", "FaultBook", "fault_from_dict"]

#: What a fault does to a matching request.
FAULT_KINDS: dict[str, str] = {
    "status": "answer with `status` and the platform's own error body (`message`, `code`)",
    "throttle": "answer with the platform's rate-limit signal, announcing a reset in "
                "`reset_after` seconds (`code` picks a Graph throttle code, `variant` legacy "
                "gives X's code 88 body, rate gives YouTube's rateLimitExceeded, json gives "
                "Reddit's RATELIMIT error sent with 200)",
    "expired_token": "answer as the platform does for an expired access token",
    "malformed": "answer 200 with a body that is not JSON (`variant` not_json, truncated) "
                 "or JSON of the wrong shape (wrong_shape)",
    "malformed_item": "serve the page, with one item broken (`variant` wrong_type, "
                      "missing_fields, not_object; `index`, default the middle)",
    "empty_page": "serve an empty page whose next cursor points at the same place",
    "delay": "wait `delay` seconds, then serve the request as usual",
    "commit_then_delay": "serve the request (a write is committed), then wait `delay` "
                         "seconds before answering",
    "disconnect": "close the connection without answering",
}
UNLIMITED = 1_000_000
VARIANTS = {
    "malformed": ("not_json", "wrong_shape", "truncated"),
    "malformed_item": ("wrong_type", "missing_fields", "not_object"),
    "throttle": ("", "legacy", "rate", "json"),
}


@dataclass(slots=True)
class Fault:
    """One fault for the next ``times`` requests (None: until cleared) matching it.

    ``path`` is a glob over the path below the platform's root (``/*/comments``,
    ``/commentThreads``, ``/users/*/mentions``, ``/api/v1/statuses``); ``method`` is
    an HTTP method or ``*``.
    """

    platform: str
    kind: str
    path: str = "*"
    method: str = "*"
    times: int | None = 1
    status: int = 0
    message: str = ""
    code: int | None = None
    variant: str = ""
    delay: float = 0.0
    reset_after: float = 60.0
    index: int | None = None
    id: int = 0
    used: int = field(default=0)

    def check(self) -> None:
        if self.platform not in STANDIN_PLATFORMS:
            raise ValueError(
                f"fault platform {self.platform!r}: one of {', '.join(STANDIN_PLATFORMS)}"
            )
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"fault kind {self.kind!r}: one of {', '.join(FAULT_KINDS)}")
        allowed = VARIANTS.get(self.kind, ("",))
        if self.variant and self.variant not in allowed:
            raise ValueError(f"fault variant {self.variant!r} for {self.kind}: one of "
                             f"{', '.join(v for v in allowed if v)}")
        if self.times is not None and self.times < 1:
            raise ValueError("fault times: 1 or more, or null for every request")
        if self.kind == "status" and not 400 <= self.status <= 599:
            raise ValueError("fault status: an HTTP error status, 400 to 599")
        if self.kind == "empty_page" and self.platform == "mastodon":
            raise ValueError("fault empty_page: Mastodon ends paging on an empty page")
        if self.delay < 0 or self.reset_after < 0:
            raise ValueError("fault delay and reset_after: 0 or more seconds")

    def matches(self, platform: str, method: str, path: str) -> bool:
        return (
            platform == self.platform
            and (self.method == "*" or self.method.upper() == method)
            and fnmatch.fnmatchcase(path, self.path)
        )

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def fault_from_dict(data: Mapping[str, Any]) -> Fault:
    """A checked fault from JSON-like data; a ValueError names what is wrong."""
    if not isinstance(data, Mapping):
        raise ValueError("a fault must be an object")
    names = {f.name for f in fields(Fault)} - {"id", "used"}
    unknown = sorted(set(data) - names)
    if unknown:
        raise ValueError(f"fault: unknown field {unknown[0]!r} (known: {', '.join(sorted(names))})")
    for required in ("platform", "kind"):
        if not isinstance(data.get(required), str):
            raise ValueError(f"fault {required!r}: a string is required")
    try:
        fault = Fault(**dict(data))
    except TypeError as exc:
        raise ValueError(f"fault: {exc}") from None
    for name, kind in (("status", int), ("delay", (int, float)), ("reset_after", (int, float))):
        if not isinstance(getattr(fault, name), kind) or isinstance(getattr(fault, name), bool):
            raise ValueError(f"fault {name!r}: a number is required")
    fault.check()
    return fault


class FaultBook:
    """The faults waiting for requests, first added first used, and a log of those used."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._log: list[dict[str, Any]] = []
        self._next_id = 1

    def add(self, fault: Fault) -> Fault:
        fault.check()
        with self._lock:
            fault.id = self._next_id
            self._next_id += 1
            self._faults.append(fault)
        return fault

    def take(self, platform: str, method: str, path: str) -> Fault | None:
        """The first fault matching the request, counted as used (None when none match)."""
        if not self._faults:
            return None
        with self._lock:
            for fault in self._faults:
                if fault.matches(platform, method, path):
                    fault.used += 1
                    if fault.times is not None and fault.used >= fault.times:
                        self._faults.remove(fault)
                    self._log.append({"fault": fault.id, "platform": platform, "kind": fault.kind,
                                      "method": method, "path": path})
                    return fault
        return None

    def note(self, fault: Fault, **detail: Any) -> None:
        """Add what a fault did (for example which item it broke) to its last log entry."""
        with self._lock:
            for entry in reversed(self._log):
                if entry["fault"] == fault.id:
                    entry.update(detail)
                    return

    def pending(self) -> list[dict[str, Any]]:
        with self._lock:
            return [f.as_dict() for f in self._faults]

    def log(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(entry) for entry in self._log]

    def clear(self, platform: str | None = None) -> None:
        with self._lock:
            self._faults = [f for f in self._faults if platform and f.platform != platform]
            if platform is None:
                self._log.clear()


class Budget:
    """Requests (or quota units) allowed per fixed window; every platform has one.

    Without a limit set, the budget counts but never refuses.
    """

    def __init__(self, limit: int | None = None, window: float = 900.0) -> None:
        self._lock = threading.Lock()
        self.set(limit, window)

    def set(self, limit: int | None, window: float) -> None:
        if limit is not None and limit < 1:
            raise ValueError("rate limit: 1 or more requests per window, or null for none")
        if window <= 0:
            raise ValueError("rate limit window: more than 0 seconds")
        with self._lock:
            self.limit = limit
            self.window = float(window)
            self.started = time.time()
            self.used = 0

    def charge(self, cost: int = 1) -> tuple[bool, int, float]:
        """Spend ``cost``: (allowed, remaining, reset epoch seconds)."""
        with self._lock:
            now = time.time()
            if now >= self.started + self.window:
                self.started = now
                self.used = 0
            reset = self.started + self.window
            if self.limit is not None and self.used + cost > self.limit:
                return False, max(self.limit - self.used, 0), reset
            self.used += cost
            return True, max(self.capacity - self.used, 0), reset

    @property
    def capacity(self) -> int:
        """The limit, or a nominal one (shown in headers) when none is set."""
        return self.limit if self.limit is not None else UNLIMITED

    def state(self) -> dict[str, Any]:
        with self._lock:
            return {"limit": self.limit, "window": self.window, "used": self.used,
                    "reset": self.started + self.window}
