"""The stand-ins in a child process, controlled through their admin HTTP API."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import TracebackType
from typing import IO, TYPE_CHECKING, Any

import orjson

from triage.errors import ImportError_, Unavailable
from triage.private import open_private
from triage.standins.app import BASE_PATHS

if TYPE_CHECKING:
    import httpx

__all__ = ["StandinAdmin", "StandinProcess"]


class StandinAdmin:
    """A client of ``/_standin``: the same control methods as ``Standins``, over HTTP."""

    def __init__(self, origin: str, timeout: float = 10.0) -> None:
        import httpx  # here, not at the top: importing httpx pulls in rich (httpx._main)

        self.origin = origin
        self._client: httpx.Client = httpx.Client(base_url=origin + "/_standin",
                                                  timeout=timeout)

    def close(self) -> None:
        self._client.close()

    def _call(self, method: str, path: str, body: Any = None, **params: Any) -> Any:
        import httpx

        try:
            response = self._client.request(
                method, path, params={k: v for k, v in params.items() if v is not None},
                content=None if body is None else orjson.dumps(body),
                headers={"Content-Type": "application/json"})
        except httpx.HTTPError as exc:
            raise Unavailable(f"the stand-ins at {self.origin} did not answer ({exc})") from None
        data = response.json()
        if response.status_code >= 400:
            message = data.get("error") if isinstance(data, dict) else response.text
            if path in ("/seed", "/comments"):
                raise ImportError_(str(message))
            raise ValueError(str(message))
        return data

    def health(self) -> dict[str, Any]:
        return dict(self._call("GET", "/health"))

    def settings(self) -> list[dict[str, Any]]:
        """Every account as a connector's config needs it (base_url, ids, token)."""
        return list(self._call("GET", "/accounts"))

    def seed(self, accounts: Iterable[Any] = (), posts: Iterable[Any] = (),
             comments: Iterable[Any] = ()) -> dict[str, list[str]]:
        body = {"accounts": list(accounts), "posts": list(posts), "comments": list(comments)}
        return dict(self._call("POST", "/seed", _jsonable(body)))

    def add_comment(self, record: Mapping[str, Any]) -> str:
        return str(self._call("POST", "/comments", _jsonable(dict(record)))["ids"][0])

    def add_comments(self, records: Iterable[Mapping[str, Any]]) -> list[str]:
        return list(self._call("POST", "/comments", _jsonable([dict(r) for r in records]))["ids"])

    def fault(self, platform: str, kind: str, **options: Any) -> dict[str, Any]:
        return dict(self._call("POST", "/faults", {"platform": platform, "kind": kind,
                                                   **options}))

    def clear_faults(self, platform: str | None = None) -> None:
        self._call("DELETE", "/faults", platform=platform)

    def fault_log(self) -> list[dict[str, Any]]:
        return list(self._call("GET", "/faults")["log"])

    def rate_limit(self, platform: str, limit: int | None, window: float = 60.0) -> None:
        self._call("POST", "/rate_limit", {"platform": platform, "limit": limit,
                                           "window": window})

    def posted(self, platform: str | None = None) -> list[dict[str, Any]]:
        return list(self._call("GET", "/posted", platform=platform))

    def items(self, platform: str | None = None) -> list[dict[str, Any]]:
        return list(self._call("GET", "/items", platform=platform))

    def reset(self) -> None:
        self._call("POST", "/reset")


def _jsonable(value: Any) -> Any:
    return orjson.loads(orjson.dumps(value, default=str))


class StandinProcess:
    """``python -m triage.standins`` as a child; ``admin`` controls it.

    ``log`` receives the child's error output (tracebacks of stand-in bugs); without it
    that output is dropped, so that a terminal app above it stays clean.
    """

    def __init__(self, seed_file: Path | None = None, *, port: int = 0,
                 log: Path | None = None, start_timeout: float = 20.0) -> None:
        self.seed_file = seed_file
        self.port = port
        self.log = log
        self.start_timeout = start_timeout
        self.origin = ""
        self._process: subprocess.Popen[bytes] | None = None
        self._admin: StandinAdmin | None = None

    @property
    def admin(self) -> StandinAdmin:
        if self._admin is None:
            raise RuntimeError("the stand-in process is not running")
        return self._admin

    def base_url(self, platform: str) -> str:
        return self.origin + BASE_PATHS[platform]

    def start(self) -> StandinProcess:
        command = [sys.executable, "-m", "triage.standins", "--port", str(self.port)]
        if self.seed_file is not None:
            command += ["--seed-file", str(self.seed_file)]
        errors: IO[bytes] | int = subprocess.DEVNULL
        if self.log is not None:
            errors = open_private(self.log, "ab")  # it may quote comments: owner only
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        try:
            self._process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors,
                                             stdin=subprocess.DEVNULL, env=env)
        finally:
            if not isinstance(errors, int):
                errors.close()
        line = self._ready_line()
        if not line:
            code = self._process.wait(timeout=5)
            self._process = None
            where = f"; see {self.log}" if self.log else ""
            raise Unavailable(f"the stand-ins did not start (exit status {code}{where})")
        self.origin = str(orjson.loads(line)["origin"])
        self._admin = StandinAdmin(self.origin)
        return self

    def _ready_line(self) -> bytes:
        assert self._process is not None and self._process.stdout is not None
        stdout = self._process.stdout
        found: list[bytes] = []
        reader = threading.Thread(target=lambda: found.append(stdout.readline()), daemon=True)
        reader.start()
        reader.join(self.start_timeout)
        if not found:
            self._process.kill()
            self._process.wait()
            return b""
        return found[0]

    def stop(self) -> None:
        process, self._process = self._process, None
        if self._admin is not None:
            self._admin.close()
            self._admin = None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()

    def __enter__(self) -> StandinProcess:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.stop()
