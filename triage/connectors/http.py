"""One request path for every connector: timeouts, safe retries, rate limits, mapped errors.

Every platform call goes through :class:`Http`. It adds the token (from the connector's
``auth_headers`` hook), sends the request with a timeout, and then:

* retries with exponential backoff and jitter what is safe to retry: reads (GET, HEAD),
  writes the caller marks ``idempotent`` (an idempotency key makes them safe), and any
  request that never reached the platform (connection refused, pool timeout) or that it
  refused unprocessed (429);
* honours ``429`` with ``Retry-After`` and the platform's own signals, read by the
  connector's ``pause_until`` hook (Mastodon ``X-RateLimit-Reset``, X ``x-rate-limit-reset``,
  Graph usage headers): a short wait is slept through, a long one raises
  :class:`~triage.errors.RateLimited` with ``until``, and later calls fail fast until then.
  The message is the connector's own when its ``classify`` gave one (YouTube: the daily
  quota, which resets at midnight Pacific time; Graph: the throttle code), else the generic
  "rate limit reached"; either way ``; paused until <local time>`` follows, unless the
  connector's message already says until when;
* maps what is left to the error tree: 401/403 → ``AuthError``, 5xx/timeouts/refused →
  ``Unavailable``, bodies that are not JSON → ``BadPayload``, other refusals →
  ``ConnectorError``; a connector's ``classify`` hook decides first (errors sent with 200,
  quota errors sent as 403, …).

Messages name the account (and, for auth, the environment variable), never the token:
it is scrubbed from anything the platform sends back. The token only ever goes to the
account's ``base_url``. Logging (``triage.connectors``) records method, path and status,
never headers, query strings or bodies.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

import orjson

from triage.errors import AuthError, BadPayload, ConnectorError, RateLimited, Unavailable
from triage.model import utcnow
from triage.textsafe import one_line
from triage.timefmt import local

if TYPE_CHECKING:  # httpx is imported where it is used: importing it pulls in rich
    import httpx

__all__ = ["Hooks", "Http", "RetryPolicy", "retry_after"]

logger = logging.getLogger("triage.connectors")

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
RETRY_STATUSES = frozenset({408, 500, 502, 503, 504})


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How patient a connector is. Tests shrink the delays; the defaults suit real use."""

    #: Tries per request, the first one included.
    attempts: int = 4
    #: The first retry waits about this long (seconds); each further one twice as long.
    base_delay: float = 0.5
    max_delay: float = 20.0
    #: The longest wait slept through inside one call; a longer rate limit raises instead.
    max_wait: float = 5.0
    #: Seconds per request (connect, write, read, pool).
    timeout: float = 20.0
    #: How long to pause after a 429 that says nothing about how long.
    default_pause: float = 60.0

    def backoff(self, retry: int, rng: Callable[[], float] = random.random) -> float:
        """The wait before retry number ``retry`` (1, 2, …): half fixed, half random."""
        ceiling = min(self.max_delay, self.base_delay * 2 ** (retry - 1))
        return ceiling / 2 + rng() * ceiling / 2


class Hooks(Protocol):
    """What :class:`Http` asks the connector (see :class:`~triage.connectors.Connector`)."""

    def auth_headers(self, token: str) -> dict[str, str]: ...

    def pause_until(self, response: httpx.Response, now: datetime) -> datetime | None: ...

    def classify(self, response: httpx.Response, now: datetime) -> ConnectorError | None: ...

    def error_text(self, response: httpx.Response) -> str: ...


def retry_after(response: httpx.Response, now: datetime) -> datetime | None:
    """When ``Retry-After`` (seconds or an HTTP date) says to come back, as UTC."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            moment = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC)
    if seconds != seconds or seconds < 0:  # NaN or negative: meaningless
        return None
    return now + timedelta(seconds=min(seconds, 7 * 86400))


class _Retry(Exception):
    """Internal: this attempt failed with ``error``; try again after ``delay`` if allowed."""

    def __init__(self, error: ConnectorError, *, delay: float | None = None,
                 reason: str | None = None) -> None:
        super().__init__(str(error))
        self.error = error
        self.delay = delay
        #: A rate limit's wording from the connector (kept for the calls that fail fast).
        self.reason = reason


class Http:
    """The request path of one account's connector (shares the caller's AsyncClient)."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        base_url: str,
        account: str,
        platform: str,
        token: str,
        token_env: str,
        hooks: Hooks,
        policy: RetryPolicy | None = None,
        clock: Callable[[], datetime] = utcnow,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: Callable[[], float] = random.random,
    ) -> None:
        self.client = client
        self.base_url = base_url.rstrip("/")
        self.account = account
        self.platform = platform
        self.token_env = token_env
        self.hooks = hooks
        self.policy = policy or RetryPolicy()
        self.clock = clock
        self.sleep = sleep
        self.rng = rng
        #: Requests wait (or fail fast) until then: a platform said it is rate limited.
        self.paused_until: datetime | None = None
        #: Why, in the connector's words (None: the generic wording).
        self.paused_reason: str | None = None
        self._token = token
        self._origin = urlsplit(self.base_url)[:2]

    def __repr__(self) -> str:  # never the token
        return f"Http({self.account!r}, {self.platform!r}, {self.base_url!r})"

    # -- public ----------------------------------------------------------------------

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | list[tuple[str, str]] | None = None,
        json: Any = None,
        data: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool = False,
        allow: tuple[int, ...] = (),
    ) -> httpx.Response:
        """Send a request; return a 2xx response (or one whose status is in ``allow``)."""
        response, _ = await self._call(method, path, params, json, data, headers,
                                       idempotent=idempotent, allow=allow, decode=False)
        return response

    async def get_json(
        self,
        path: str,
        *,
        params: Mapping[str, Any] | list[tuple[str, str]] | None = None,
        allow: tuple[int, ...] = (),
    ) -> tuple[Any, httpx.Response]:
        """GET and decode the JSON body (a body that is not JSON is retried, then refused)."""
        response, data = await self._call("GET", path, params, None, None, None,
                                          idempotent=True, allow=allow, decode=True)
        return data, response

    async def send_json(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        data: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool = False,
        allow: tuple[int, ...] = (),
    ) -> tuple[Any, httpx.Response]:
        """A write whose answer is JSON; retried only when ``idempotent``."""
        response, body = await self._call(method, path, None, json, data, headers,
                                          idempotent=idempotent, allow=allow, decode=True)
        return body, response

    # -- the loop --------------------------------------------------------------------

    async def _call(
        self,
        method: str,
        path: str,
        params: Any,
        json: Any,
        data: Any,
        headers: Mapping[str, str] | None,
        *,
        idempotent: bool,
        allow: tuple[int, ...],
        decode: bool,
    ) -> tuple[httpx.Response, Any]:
        method = method.upper()
        url = self._url(path)
        where = f"{method} {urlsplit(url).path}"
        safe = method in SAFE_METHODS or idempotent
        sent_headers = {**(headers or {}), **self.hooks.auth_headers(self._token)}
        attempt = 0
        while True:
            attempt += 1
            await self._wait_out_pause(where)
            try:
                return await self._attempt(method, url, where, params, json, data, sent_headers,
                                           safe=safe, allow=allow, decode=decode)
            except _Retry as retry:
                delay = retry.delay
                if delay is None:
                    delay = self.policy.backoff(attempt, self.rng)
                if attempt >= self.policy.attempts or delay > self.policy.max_wait:
                    if isinstance(retry.error, RateLimited):
                        self.paused_until, self.paused_reason = retry.error.until, retry.reason
                    raise retry.error from None
                logger.info("%s: %s: %s; retrying in %.1f s (attempt %d of %d)", self.account,
                            where, retry.error.message.split(": ", 1)[-1], delay, attempt + 1,
                            self.policy.attempts)
                await self.sleep(delay)

    async def _wait_out_pause(self, where: str) -> None:
        if self.paused_until is None:
            return
        wait = (self.paused_until - self.clock()).total_seconds()
        if wait <= 0:
            self.paused_until = self.paused_reason = None
            return
        if wait > self.policy.max_wait:
            raise RateLimited(self._limited_message(self.paused_until, self.paused_reason),
                              until=self.paused_until, account=self.account)
        logger.info("%s: %s: waiting %.1f s for the rate limit", self.account, where, wait)
        await self.sleep(wait)
        self.paused_until = self.paused_reason = None

    async def _attempt(
        self,
        method: str,
        url: str,
        where: str,
        params: Any,
        json: Any,
        data: Any,
        headers: dict[str, str],
        *,
        safe: bool,
        allow: tuple[int, ...],
        decode: bool,
    ) -> tuple[httpx.Response, Any]:
        import httpx

        try:
            response = await self.client.request(
                method, url, params=params, json=json, data=data, headers=headers,
                timeout=self.policy.timeout,
            )
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            host = urlsplit(url).netloc
            error: ConnectorError = Unavailable(
                f"{self.account}: cannot reach {self.platform} at {host} "
                f"({type(exc).__name__})", account=self.account)
            raise _Retry(error) from None  # never sent: safe to send again
        except httpx.TimeoutException:
            error = Unavailable(
                f"{self.account}: {self.platform} did not answer {where} within "
                f"{self.policy.timeout:g} s" + self._maybe_done(safe), account=self.account)
            if safe:
                raise _Retry(error) from None
            raise error from None
        except httpx.TransportError as exc:
            error = Unavailable(f"{self.account}: the connection to {self.platform} broke during "
                                f"{where} ({type(exc).__name__})" + self._maybe_done(safe),
                                account=self.account)
            if safe:
                raise _Retry(error) from None
            raise error from None
        logger.debug("%s: %s -> %d", self.account, where, response.status_code)
        self._check(response, where, safe=safe, allow=allow)
        if not decode or not response.content:
            return response, None
        try:
            return response, orjson.loads(response.content)
        except orjson.JSONDecodeError:
            error = BadPayload(f"{self.account}: {self.platform} answered {where} with a body "
                               "that is not JSON" + self._maybe_done(safe), account=self.account)
            if safe:
                raise _Retry(error) from None
            raise error from None

    def _check(self, response: httpx.Response, where: str, *, safe: bool,
               allow: tuple[int, ...]) -> None:
        """Raise for a response that is not a success (or ``_Retry`` when worth another try)."""
        now = self.clock()
        status = response.status_code
        pause = self.hooks.pause_until(response, now)
        custom = self.hooks.classify(response, now)
        if isinstance(custom, RateLimited) or (custom is None and status == 429):
            said = [t for t in (custom.until if isinstance(custom, RateLimited) else None,
                                pause, retry_after(response, now)) if t is not None]
            until = max(said) if said else now + timedelta(seconds=self.policy.default_pause)
            reason = custom.message if isinstance(custom, RateLimited) else None
            limited = RateLimited(self._limited_message(until, reason), until=until,
                                  account=self.account)
            raise _Retry(limited, delay=max(0.0, (until - now).total_seconds()) + self.rng() * 0.25,
                         reason=reason)
        if custom is not None:
            if isinstance(custom, Unavailable) and safe:
                raise _Retry(custom)
            raise custom
        if 200 <= status < 300 or status in allow:
            if pause is not None and pause > now:
                self.paused_until, self.paused_reason = pause, None
            return
        text = self._scrub(self.hooks.error_text(response))
        detail = f"{status}: {text}" if text else str(status)
        if status in (401, 403):
            verb = ("refused the token in" if status == 401
                    else "does not allow this with the token in")
            raise AuthError(f"{self.account}: {self.platform} {verb} {self.token_env} ({detail})",
                            account=self.account)
        if status in RETRY_STATUSES or status >= 500:
            error = Unavailable(f"{self.account}: {self.platform} is unavailable ({detail}) for "
                                f"{where}" + self._maybe_done(safe), account=self.account)
            if not safe:
                raise error
            later = retry_after(response, now)
            raise _Retry(error, delay=None if later is None else
                         max(self.policy.backoff(1, self.rng), (later - now).total_seconds()))
        if 300 <= status < 400:
            raise ConnectorError(f"{self.account}: {self.platform} redirected {where} elsewhere "
                                 f"({status}); check base_url", account=self.account)
        raise ConnectorError(f"{self.account}: {self.platform} refused {where} ({detail})",
                             account=self.account)

    # -- helpers ---------------------------------------------------------------------

    def _url(self, path: str) -> str:
        if path.startswith(("https://", "http://")):
            if urlsplit(path)[:2] != self._origin:  # the token goes to base_url only
                raise ConnectorError(f"{self.account}: refusing to send the token to "
                                     f"{urlsplit(path).netloc}, which is not {self.base_url}",
                                     account=self.account)
            return path
        return self.base_url + "/" + path.lstrip("/")

    def _scrub(self, text: str) -> str:
        if self._token and self._token in text:
            text = text.replace(self._token, "[token]")
        return one_line(text, 200)

    def _limited_message(self, until: datetime, reason: str | None = None) -> str:
        """The connector's wording (``reason``) or the generic one, and until when."""
        text = (self._scrub(reason) if reason
                else f"{self.account}: {self.platform} rate limit reached")
        return text if "paused until" in text else f"{text}; paused until {local(until)}"

    @staticmethod
    def _maybe_done(safe: bool) -> str:
        return "" if safe else "; it may have taken effect: check before sending it again"
