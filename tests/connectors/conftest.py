"""Fixtures for connector tests: two mastodon-mock instances on loopback, a store, helpers."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest
from mastodon_mock.testing import MockServer

from triage.config import AccountConfig
from triage.connectors import RetryPolicy
from triage.model import Tag
from triage.standins import StandinServer
from triage.store import Store
from triage.sync import AccountResult, SyncOptions, sync_accounts
from triage.sync_sink import StoreSink

#: Retries that take milliseconds, so fault tests stay fast.
FAST = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.05, max_wait=0.5, timeout=0.5)
#: For tests that inject no latency: a loaded machine may take over half a second to answer.
RELAXED = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.05, max_wait=0.5, timeout=3.0)

#: Tokens the mock seeds (alice and bob are two organisation accounts; carol comments).
TOKENS = {"ALICE_TOKEN": "alice_token", "BOB_TOKEN": "bob_token", "CAROL_TOKEN": "carol_token"}


def question_tagger(text: str) -> tuple[Tag, ...]:
    """A stand-in tagger: questions are tagged; enough to see that tagging happened."""
    return (Tag("question", 0.9, ((0, len(text)),), "test:question-mark"),) if "?" in text else ()


class Masto:
    """One mastodon-mock instance, with the few calls the tests need."""

    def __init__(self, server: MockServer) -> None:
        self.server = server
        self.base_url = server.base_url
        self.http = httpx.Client(base_url=server.base_url, timeout=10)

    def reset(self) -> None:
        self.http.post("/api/v1/_mock/reset").raise_for_status()

    def post(self, user: str, text: str, *, reply_to: str | None = None,
             visibility: str = "public") -> dict[str, Any]:
        data = {"status": text, "visibility": visibility}
        if reply_to:
            data["in_reply_to_id"] = reply_to
        response = self.http.post("/api/v1/statuses", data=data,
                                  headers={"Authorization": f"Bearer {user}_token"})
        response.raise_for_status()
        return dict(response.json())

    def mentions(self, post: dict[str, Any], count: int, *, user: str = "carol",
                 start: int = 0) -> list[dict[str, Any]]:
        """``count`` replies to ``post`` that mention its author (one notification each)."""
        owner = post["account"]["acct"]
        return [self.post(user, f"@{owner} comment {start + i}?", reply_to=post["id"])
                for i in range(count)]

    def fault(self, **rule: Any) -> None:
        self.http.post("/api/v1/_mock/faults", json=rule).raise_for_status()

    def get(self, user: str, path: str, **params: Any) -> Any:
        response = self.http.get(path, params=params,
                                 headers={"Authorization": f"Bearer {user}_token"})
        response.raise_for_status()
        return response.json()


@pytest.fixture(scope="session")
def _servers() -> Iterator[tuple[Masto, Masto]]:
    with MockServer() as first, MockServer() as second:
        yield Masto(first), Masto(second)


@pytest.fixture
def masto(_servers: tuple[Masto, Masto]) -> Masto:
    _servers[0].reset()
    return _servers[0]


@pytest.fixture
def other_masto(_servers: tuple[Masto, Masto]) -> Masto:
    _servers[1].reset()
    return _servers[1]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "data", tagger=question_tagger) as opened:
        yield opened


def account(name: str, base_url: str, token_env: str = "ALICE_TOKEN",
            **extra: Any) -> AccountConfig:
    return AccountConfig(name=name, platform="mastodon", token_env=token_env,
                         base_url=base_url, **extra)


class RequestLog:
    """Every request a sync's client sent (method and URL), via an httpx event hook."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    async def __call__(self, request: httpx.Request) -> None:
        self.requests.append(request)

    def to(self, path: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path == path]


def sync(
    accounts: Sequence[AccountConfig],
    store: Store,
    *,
    environ: dict[str, str] | None = None,
    log: RequestLog | None = None,
    **options: Any,
) -> list[AccountResult]:
    """Run one sync of ``accounts`` into ``store`` (fast retries unless told otherwise)."""
    options.setdefault("policy", FAST)
    opts = SyncOptions(environ=TOKENS if environ is None else environ, **options)

    async def run() -> list[AccountResult]:
        hooks = {"request": [log]} if log is not None else {}
        async with httpx.AsyncClient(event_hooks=hooks) as client:
            return await sync_accounts(accounts, StoreSink(store), client=client, options=opts)

    return asyncio.run(run())


# -- the project's stand-ins of the platforms (triage/standins) -------------------------


@pytest.fixture
def standins() -> Iterator[StandinServer]:
    """A fresh stand-in server on loopback: every platform, one default account each."""
    with StandinServer() as server:
        yield server


def standin_account(server: StandinServer, platform: str, *,
                    token_env: str = "") -> tuple[AccountConfig, dict[str, str]]:
    """The stand-in's first account on ``platform`` as config, and an environment with its
    token (the variable is ``{PLATFORM}_TOKEN`` unless ``token_env`` names another)."""
    found = next(s for s in server.settings() if s["platform"] == platform)
    variable = token_env or f"{platform.upper()}_TOKEN"
    environ = {variable: found["token"]}
    reddit: dict[str, Any] = {}
    if found.get("client_id"):  # reddit: the stand-in's script app (see triage/standins/reddit.py)
        reddit = {"username": found["username"], "client_id_env": "REDDIT_CLIENT_ID",
                  "password_env": "REDDIT_PASSWORD", "moderates": True}
        environ.update(REDDIT_CLIENT_ID=found["client_id"], REDDIT_PASSWORD=found["token"])
    if platform == "bluesky":  # the token is the account's app password
        reddit = {"handle": found["handle"]}
    config = AccountConfig(name=found["name"], platform=platform, token_env=variable,
                           base_url=found["base_url"], page_id=found.get("page_id", ""),
                           channel_id=found.get("channel_id", ""),
                           user_id=found.get("user_id", ""),
                           media_ids=list(found.get("media_ids", [])),
                           business_id=found.get("business_id", ""),
                           organization_id=found.get("organization_id", ""), **reddit)
    return config, environ
