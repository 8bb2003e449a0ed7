"""The request path's rules, against a tiny scripted HTTP server on loopback."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from tests.connectors.conftest import standin_account, sync
from triage.connectors import Http, RetryPolicy, retry_after
from triage.errors import AuthError, BadPayload, ConnectorError, RateLimited, Unavailable
from triage.standins import StandinServer
from triage.store import Store
from triage.timefmt import local

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
TOKEN = "tok-EXAMPLE-123"


@dataclass
class Reply:
    status: int = 200
    body: bytes = b'{"ok": true}'
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


class Script:
    """Answers requests with the replies queued, in order (the last one repeats)."""

    def __init__(self) -> None:
        self.replies: list[Reply] = []
        self.seen: list[tuple[str, str, dict[str, str]]] = []

    def then(self, *replies: Reply) -> Script:
        self.replies.extend(replies)
        return self

    def next(self) -> Reply:
        return self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]


@pytest.fixture
def server() -> Iterator[tuple[str, Script]]:
    script = Script()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            script.seen.append((self.command, self.path, dict(self.headers)))
            reply = script.next()
            if reply.delay:
                time.sleep(reply.delay)
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)

        do_GET = do_POST = do_DELETE = _answer

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", script
    httpd.shutdown()
    httpd.server_close()


class Hooks:
    """Bearer auth; Mastodon-like pause signal; nothing platform-specific otherwise."""

    def auth_headers(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    def pause_until(self, response: httpx.Response, now: datetime) -> datetime | None:
        if response.headers.get("X-Remaining") == "0":
            return now + timedelta(hours=1)
        return None

    def classify(self, response: httpx.Response, now: datetime) -> ConnectorError | None:
        if b"quotaExceeded" in response.content:
            return RateLimited("quota", until=now + timedelta(days=1))
        return None

    def error_text(self, response: httpx.Response) -> str:
        try:
            return str(json.loads(response.content).get("error", ""))
        except ValueError:
            return ""


@dataclass
class Sleeps:
    waits: list[float] = field(default_factory=list)

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as opened:
        yield opened


def make_http(client: httpx.AsyncClient, base_url: str, sleeps: Sleeps, **policy: Any) -> Http:
    settings: dict[str, Any] = {"attempts": 4, "base_delay": 1.0, "max_delay": 8.0,
                                "max_wait": 30.0, "timeout": 2.0, **policy}
    return Http(client, base_url=base_url, account="riverside", platform="mastodon",
                token=TOKEN, token_env="RIVERSIDE_TOKEN", hooks=Hooks(),
                policy=RetryPolicy(**settings), clock=lambda: NOW, sleep=sleeps,
                rng=lambda: 0.5)


async def test_a_read_is_retried_with_growing_jittered_delays(
    server: tuple[str, Script], client: httpx.AsyncClient
) -> None:
    url, script = server
    script.then(Reply(503), Reply(502), Reply(500), Reply(200, b"[1, 2]"))
    sleeps = Sleeps()

    data, response = await make_http(client, url, sleeps).get_json("/api/v1/x")

    assert data == [1, 2] and response.status_code == 200
    assert sleeps.waits == [0.75, 1.5, 3.0]  # half fixed, half random (rng 0.5), doubling
    assert len(script.seen) == 4
    assert script.seen[0][2]["Authorization"] == f"Bearer {TOKEN}"


@pytest.mark.parametrize(("retry", "low", "high"), [(1, 0.5, 1.0), (3, 2.0, 4.0), (9, 4.0, 8.0)])
def test_backoff_stays_between_half_and_the_capped_ceiling(retry: int, low: float,
                                                           high: float) -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=8.0)
    assert policy.backoff(retry, lambda: 0.0) == low
    assert policy.backoff(retry, lambda: 1.0) == high


async def test_a_write_is_not_retried_unless_it_is_idempotent(
    server: tuple[str, Script], client: httpx.AsyncClient
) -> None:
    url, script = server
    script.then(Reply(503), Reply(200, b'{"id": "9"}'))
    http = make_http(client, url, Sleeps())

    with pytest.raises(Unavailable, match="may have taken effect"):
        await http.send_json("POST", "/api/v1/statuses", data={"status": "hi"})
    assert len(script.seen) == 1
    script.replies[:] = [Reply(503), Reply(200, b'{"id": "9"}')]
    body, _ = await http.send_json("POST", "/api/v1/statuses", data={"status": "hi"},
                                   idempotent=True, headers={"Idempotency-Key": "k1"})
    assert body == {"id": "9"} and len(script.seen) == 3
    assert script.seen[-1][2]["Idempotency-Key"] == "k1"


async def test_a_short_retry_after_is_waited_out_and_a_long_one_pauses(
    server: tuple[str, Script], client: httpx.AsyncClient
) -> None:
    url, script = server
    script.then(Reply(429, headers={"Retry-After": "2"}), Reply(200))
    sleeps = Sleeps()
    http = make_http(client, url, sleeps)
    await http.request("POST", "/api/v1/statuses")  # a 429 was refused unprocessed: resent
    assert len(script.seen) == 2 and 2.0 <= sleeps.waits[0] <= 2.25

    script.replies[:] = [Reply(429, headers={"Retry-After": "3600"})]
    with pytest.raises(RateLimited) as caught:
        await http.request("GET", "/api/v1/notifications")
    assert caught.value.until == NOW + timedelta(seconds=3600)
    assert caught.value.account == "riverside"
    assert caught.value.message == ("riverside: mastodon rate limit reached; paused until "
                                    f"{local(NOW + timedelta(seconds=3600))}")
    asked = len(script.seen)
    with pytest.raises(RateLimited) as again:  # while paused, nothing is sent
        await http.request("GET", "/api/v1/notifications")
    assert len(script.seen) == asked and again.value.message == caught.value.message


async def test_a_platform_signal_on_a_success_pauses_the_next_request(
    server: tuple[str, Script], client: httpx.AsyncClient
) -> None:
    url, script = server
    script.then(Reply(200, headers={"X-Remaining": "0"}))
    http = make_http(client, url, Sleeps())

    await http.request("GET", "/a")
    with pytest.raises(RateLimited) as caught:
        await http.request("GET", "/b")

    assert caught.value.until == NOW + timedelta(hours=1) and len(script.seen) == 1


async def test_the_connector_classifies_quota_errors_sent_as_403(
    server: tuple[str, Script], client: httpx.AsyncClient
) -> None:
    url, script = server
    script.then(Reply(403, b'{"error": {"errors": [{"reason": "quotaExceeded"}]}}'))

    http = make_http(client, url, Sleeps())
    with pytest.raises(RateLimited) as caught:
        await http.get_json("/youtube/v3/commentThreads")
    with pytest.raises(RateLimited) as again:  # failing fast keeps the connector's words
        await http.get_json("/youtube/v3/comments")

    assert caught.value.until == NOW + timedelta(days=1) and len(script.seen) == 1
    assert caught.value.message == f"quota; paused until {local(NOW + timedelta(days=1))}"
    assert again.value.message == caught.value.message


class SaysUntilWhen(Hooks):
    """A platform whose own rate-limit wording already says until when (and echoes back
    the token, which must not reach the message)."""

    def classify(self, response: httpx.Response, now: datetime) -> ConnectorError | None:
        return RateLimited(f"riverside: {self.error_text(response)}",
                           until=now + timedelta(days=2))


async def test_a_connector_message_that_says_until_when_is_kept_as_it_is(
    server: tuple[str, Script], client: httpx.AsyncClient
) -> None:
    url, script = server
    script.then(Reply(403, json.dumps({"error": f"quota used, paused until Monday {TOKEN}"})
                      .encode()))
    http = make_http(client, url, Sleeps())
    http.hooks = SaysUntilWhen()

    with pytest.raises(RateLimited) as caught:
        await http.get_json("/v1/items")

    assert caught.value.message == "riverside: quota used, paused until Monday [token]"
    assert caught.value.until == NOW + timedelta(days=2)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", NOW + timedelta(seconds=120)),
        ("0", NOW),
        (format_datetime(NOW + timedelta(minutes=5), usegmt=True), NOW + timedelta(minutes=5)),
        ("soon", None),
        ("-5", None),
        ("", None),
    ],
)
def test_retry_after_reads_seconds_and_http_dates(value: str, expected: datetime | None) -> None:
    response = httpx.Response(429, headers={"Retry-After": value} if value else {})
    assert retry_after(response, NOW) == expected


async def test_a_refused_token_names_account_and_variable_never_the_token(
    server: tuple[str, Script], client: httpx.AsyncClient
) -> None:
    url, script = server
    script.then(Reply(401, json.dumps({"error": f"token {TOKEN} is invalid"}).encode()))

    with pytest.raises(AuthError) as caught:
        await make_http(client, url, Sleeps()).get_json("/api/v1/notifications")

    message = str(caught.value)
    assert message == ("riverside: mastodon refused the token in RIVERSIDE_TOKEN "
                       "(401: token [token] is invalid)")
    assert len(script.seen) == 1


async def test_a_body_that_is_not_json_is_retried_then_refused(
    server: tuple[str, Script], client: httpx.AsyncClient
) -> None:
    url, script = server
    script.then(Reply(200, b'{"error": "trunc'))

    with pytest.raises(BadPayload, match="GET /api/v1/notifications with a body that is not JSON"):
        await make_http(client, url, Sleeps(), attempts=2).get_json("/api/v1/notifications")
    assert len(script.seen) == 2


async def test_a_slow_answer_times_out_and_is_unavailable(
    server: tuple[str, Script], client: httpx.AsyncClient
) -> None:
    url, script = server
    script.then(Reply(200, delay=1.0))

    with pytest.raises(Unavailable, match="did not answer GET /slow within 0.2 s"):
        await make_http(client, url, Sleeps(), attempts=2, timeout=0.2).get_json("/slow")


async def test_a_refused_connection_is_retried_even_for_writes(client: httpx.AsyncClient) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again: nothing listens there
    sleeps = Sleeps()

    with pytest.raises(Unavailable, match="cannot reach mastodon at 127.0.0.1"):
        await make_http(client, f"http://127.0.0.1:{port}", sleeps).request("POST", "/x")
    assert len(sleeps.waits) == 3


async def test_the_token_is_never_sent_to_another_host(
    server: tuple[str, Script], client: httpx.AsyncClient
) -> None:
    url, script = server
    script.then(Reply(200))

    with pytest.raises(ConnectorError, match="refusing to send the token to elsewhere.example"):
        await make_http(client, url, Sleeps()).request("GET", "https://elsewhere.example/x")
    assert script.seen == []
    assert TOKEN not in repr(make_http(client, url, Sleeps()))


async def test_other_refusals_are_not_retried_and_say_what_the_platform_said(
    server: tuple[str, Script], client: httpx.AsyncClient
) -> None:
    url, script = server
    script.then(Reply(422, b'{"error": "Validation failed: Text character limit"}'))

    with pytest.raises(ConnectorError) as caught:
        await make_http(client, url, Sleeps()).request("GET", "/api/v1/x?secret=1")

    assert str(caught.value) == ("riverside: mastodon refused GET /api/v1/x "
                                 "(422: Validation failed: Text character limit)")
    assert len(script.seen) == 1


# -- a connector's own rate-limit wording reaches the account's state ------------------


@pytest.mark.parametrize(("platform", "fault", "wording"), [
    ("youtube", {}, "youtube: youtube's daily quota is used up (it resets at midnight "
     "Pacific time)"),
    ("youtube", {"variant": "rate"}, "youtube: youtube asked to slow down"),
    ("facebook", {"code": 4}, "facebook: facebook rate limit (code 4)"),
    ("facebook", {"code": 613}, "facebook: facebook rate limit (code 613)"),
    ("instagram", {}, "instagram: instagram rate limit (code 80002)"),
    ("x", {"variant": "legacy"}, "x: x rate limit reached (error 88)"),
    ("x", {}, "x: x rate limit reached"),  # a plain 429: the generic wording
    ("mastodon", {}, "mastodon: mastodon rate limit reached"),
])
def test_the_rate_limit_wording_of_the_platform_reaches_the_account_state(
    standins: StandinServer, store: Store, platform: str, fault: dict[str, Any], wording: str
) -> None:
    account, environ = standin_account(standins, platform)
    standins.fault(platform, "throttle", times=None, reset_after=600, **fault)

    [result] = sync([account], store, environ=environ)

    status = result.status
    assert status is not None and status.state == "rate_limited" and status.until is not None
    assert status.message == f"{wording}; paused until {local(status.until)}"
    assert store.state(f"sync:{account.name}:status")["message"] == status.message
