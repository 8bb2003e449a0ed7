"""Signing a Reddit script app in: the password grant that gives the hour-long bearer."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import TYPE_CHECKING

from triage.connectors.http import Http
from triage.connectors.reddit_payload import rate_limit_reset
from triage.errors import AuthError, ConnectorError

if TYPE_CHECKING:
    import httpx

    from triage.connectors.reddit import RedditConnector

__all__ = ["TOKEN_PATH", "SignIn"]

TOKEN_PATH = "/api/v1/access_token"


class SignIn:
    """``POST /api/v1/access_token`` for one account, on its own request path (the token
    host is not the API's): the app's client id and secret as HTTP Basic, the account's
    user name and password as the grant. Messages name the variables, never their values.
    """

    def __init__(self, connector: RedditConnector, host: str) -> None:
        self.connector = connector
        account = connector.account
        self._basic = ""
        self._secret = connector.http._token
        self.http = Http(connector.http.client, base_url=host, account=account.name,
                         platform=connector.platform, token=self._secret,
                         token_env=account.token_env, hooks=self, policy=connector.http.policy,
                         clock=connector.clock, sleep=connector.http.sleep)

    def _variable(self, key: str, what: str) -> str:
        account = self.connector.account
        name = getattr(account, key)
        value = self.connector.environ.get(name, "").strip()
        if not value:
            raise AuthError(f"{account.name}: the environment variable {name} is not set (it "
                            f"must hold the account's {what})", account=account.name)
        return value

    async def token(self) -> str:
        """A new bearer token; AuthError naming the account and the variables at fault."""
        account = self.connector.account
        client_id = self._variable("client_id_env", "reddit client id")
        password = self._variable("password_env", "reddit password")
        self._basic = base64.b64encode(f"{client_id}:{self._secret}".encode()).decode()
        data = {"grant_type": "password", "username": account.username, "password": password}
        body, response = await self.http.send_json("POST", TOKEN_PATH, data=data,
                                                   allow=(400, 401, 403))
        if response.status_code != 200:
            raise AuthError(f"{account.name}: reddit refused the app's client id and secret in "
                            f"{account.client_id_env} and {account.token_env} "
                            f"({response.status_code})", account=account.name)
        token = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            error = body.get("error") if isinstance(body, dict) else None
            raise AuthError(f"{account.name}: reddit refused user {account.username} with the "
                            f"password in {account.password_env} "
                            f"({error if isinstance(error, str) else 'no token given'})",
                            account=account.name)
        return token

    # -- hooks for Http --------------------------------------------------------------

    def auth_headers(self, token: str) -> dict[str, str]:
        return {"User-Agent": self.connector.agent, "Authorization": f"Basic {self._basic}"}

    def pause_until(self, response: httpx.Response, now: datetime) -> datetime | None:
        return rate_limit_reset(response, now)

    def classify(self, response: httpx.Response, now: datetime) -> ConnectorError | None:
        return None

    def error_text(self, response: httpx.Response) -> str:
        return self.connector.error_text(response)

