"""Serving the stand-ins over HTTP on 127.0.0.1 from a background thread."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable, Mapping
from datetime import datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from triage.model import utcnow
from triage.standins.admin import admin_handler
from triage.standins.app import BASE_PATHS, Standins
from triage.standins.core import Response

__all__ = ["StandinServer"]

_PHRASES = {status.value: status.phrase for status in HTTPStatus}


class _HttpServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], standins: Standins) -> None:
        self.standins = standins
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    timeout = 120
    server: _HttpServer

    def setup(self) -> None:
        super().setup()
        with self.server.connections_lock:
            self.server.connections.add(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass
        finally:
            with self.server.connections_lock:
                self.server.connections.discard(self.connection)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        """Requests are not logged: tests and the sandbox make thousands."""

    def _body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _serve(self) -> None:
        standins = self.server.standins
        headers = {name.lower(): value for name, value in self.headers.items()}
        host = headers.get("host") or f"127.0.0.1:{self.server.server_address[1]}"
        origin = "http://" + host
        response = standins.handle(self.command, self.path, headers, self._body(), origin)
        if response.disconnect:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        if response.delay:
            standins.stopping.wait(response.delay)
        self._write(response)

    def _write(self, response: Response) -> None:
        payload = response.payload()
        lines = [f"HTTP/1.1 {response.status} {_PHRASES.get(response.status, 'Unknown')}",
                 f"Content-Length: {len(payload)}"]
        if payload:
            lines.append(f"Content-Type: {response.content_type}")
        lines.extend(f"{name}: {value}" for name, value in response.headers.items())
        if self.close_connection:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace")
        try:
            self.wfile.write(head + payload)
        except OSError:
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve


class StandinServer(Standins):
    """The stand-ins on a free port of 127.0.0.1, served from a background thread.

    Use as a context manager (``with StandinServer(seed) as server:``) or call ``start``
    and ``stop``. Every control method of ``Standins`` works while it serves.
    """

    def __init__(self, seed: Mapping[str, Any] | None = None, *, port: int = 0,
                 host: str = "127.0.0.1", clock: Callable[[], datetime] = utcnow) -> None:
        super().__init__(seed, clock)
        self.admin_handler = admin_handler(self)
        self._address = (host, port)
        self._httpd: _HttpServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("the stand-in server is not running")
        return int(self._httpd.server_address[1])

    @property
    def origin(self) -> str:
        return f"http://{self._address[0]}:{self.port}"

    def base_url(self, platform: str) -> str:
        """Where a connector for ``platform`` should send its requests."""
        return self.origin + BASE_PATHS[platform]

    def settings(self) -> list[dict[str, Any]]:
        """Every account as a connector's config needs it (base_url, ids, token)."""
        return self.account_settings(self.origin)

    def start(self) -> StandinServer:
        if self._httpd is not None:
            return self
        self.stopping.clear()
        self._httpd = _HttpServer(self._address, self)
        self._thread = threading.Thread(target=self._httpd.serve_forever,
                                        kwargs={"poll_interval": 0.01},
                                        name=f"standins:{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving: waiting requests wake, open connections close, the port is freed."""
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        self.stopping.set()
        httpd.shutdown()
        with httpd.connections_lock:
            for connection in list(httpd.connections):
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)
        httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> StandinServer:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.stop()
