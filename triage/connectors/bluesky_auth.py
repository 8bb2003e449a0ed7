"""Signing a Bluesky account in with an app password: one session per account and process,
refreshed when its access token expires, made again only when it cannot be refreshed.

``com.atproto.server.createSession`` is scarce (Bluesky allows tens a day per account), so
the session is kept in this process's memory for every connector of the same account and
server (the sync's, the outbox's); it is never written anywhere. Its access token lasts
minutes to hours; ``com.atproto.server.refreshSession`` (the refresh token as bearer) gives
a new pair. Messages name the handle and the variable, never the password or a token.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from triage.connectors.bluesky_payload import rate_limit_reset, xrpc_error
from triage.connectors.http import Http
from triage.errors import AuthError, ConnectorError

if TYPE_CHECKING:
    import httpx

    from triage.connectors.bluesky import BlueskyConnector

__all__ = ["CREATE", "REFRESH", "Session", "SessionEnded", "Tokens", "forget_sessions"]

CREATE = "/xrpc/com.atproto.server.createSession"
REFRESH = "/xrpc/com.atproto.server.refreshSession"
#: Errors that mean the access (or refresh) token is no longer good.
ENDED = frozenset({"ExpiredToken", "InvalidToken", "AuthMissing", "AuthenticationRequired"})


@dataclass(frozen=True, slots=True)
class Tokens:
    access: str
    refresh: str
    did: str
    handle: str


class SessionEnded(AuthError):
    """The server no longer takes the session's access token (``expired``: it said so)."""

    def __init__(self, message: str, *, expired: bool, account: str) -> None:
        super().__init__(message, account=account)
        self.expired = expired


#: (server, handle, password digest) -> the session; in this process's memory only.
_SESSIONS: dict[tuple[str, str, str], Tokens] = {}
_LOCK = threading.Lock()


def forget_sessions() -> None:
    """Drop every kept session (the next request signs in again)."""
    with _LOCK:
        _SESSIONS.clear()


class Session:
    """The session of one connector's account, shared through the process-wide cache."""

    def __init__(self, connector: BlueskyConnector) -> None:
        self.connector = connector
        account = connector.account
        password = connector.http._token
        digest = hashlib.sha256(password.encode()).hexdigest()
        self._key = (connector.base_url, account.handle.casefold(), digest)
        self._bearer = ""
        self.http = Http(connector.http.client, base_url=connector.base_url,
                         account=account.name, platform=connector.platform, token=password,
                         token_env=account.token_env, hooks=self,
                         policy=connector.http.policy, clock=connector.clock,
                         sleep=connector.http.sleep)

    @property
    def tokens(self) -> Tokens | None:
        with _LOCK:
            return _SESSIONS.get(self._key)

    def _keep(self, tokens: Tokens | None) -> None:
        with _LOCK:
            if tokens is None:
                _SESSIONS.pop(self._key, None)
            else:
                _SESSIONS[self._key] = tokens

    async def ready(self) -> Tokens:
        """The kept session, or a new one."""
        return self.tokens or await self.create()

    async def renew(self, used: Tokens, *, expired: bool) -> Tokens:
        """A session to use instead of ``used``, which the server refused: another
        connector's newer one, a refreshed one, or (when refreshing fails) a new one."""
        kept = self.tokens
        if kept is not None and kept.access != used.access:
            return kept
        if expired:
            try:
                return await self.refresh(used)
            except SessionEnded:
                pass
        return await self.create()

    async def create(self) -> Tokens:
        account = self.connector.account
        self._bearer = ""
        body, response = await self.http.send_json(
            "POST", CREATE, json={"identifier": account.handle,
                                  "password": self.http._token},
            allow=(400, 401))
        if response.status_code != 200:
            name, message = xrpc_error(response.content)
            self._keep(None)
            raise AuthError(f"{account.name}: bluesky refused handle {account.handle} with the "
                            f"app password in {account.token_env} ("
                            f"{response.status_code} {name}: {message or 'no reason given'})",
                            account=account.name)
        return self._take(body)

    async def refresh(self, used: Tokens) -> Tokens:
        self._bearer = used.refresh
        try:
            body, response = await self.http.send_json("POST", REFRESH, allow=(400, 401))
        finally:
            self._bearer = ""
        if response.status_code != 200:
            name, _ = xrpc_error(response.content)
            self._keep(None)
            raise SessionEnded(f"{self.connector.name}: bluesky did not refresh the session "
                               f"({response.status_code} {name})", expired=True,
                               account=self.connector.name)
        return self._take(body)

    def _take(self, body: object) -> Tokens:
        account = self.connector.account
        fields = body if isinstance(body, dict) else {}
        values = [fields.get(k) for k in ("accessJwt", "refreshJwt", "did", "handle")]
        if not all(isinstance(v, str) and v for v in values[:3]):
            raise AuthError(f"{account.name}: bluesky answered the sign-in of "
                            f"{account.handle} without a session (no accessJwt, refreshJwt "
                            "or did)", account=account.name)
        tokens = Tokens(*(v if isinstance(v, str) else "" for v in values))
        self._keep(tokens)
        return tokens

    # -- hooks for Http --------------------------------------------------------------

    def auth_headers(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._bearer}"} if self._bearer else {}

    def pause_until(self, response: httpx.Response, now: datetime) -> datetime | None:
        return rate_limit_reset(response, now)

    def classify(self, response: httpx.Response, now: datetime) -> ConnectorError | None:
        return None

    def error_text(self, response: httpx.Response) -> str:
        return self.connector.error_text(response)
