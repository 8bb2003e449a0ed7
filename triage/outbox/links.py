"""The way out to a comment's platform: its account's connector, from config and environment.

A connector is built the way sync builds one (``triage.sync.read_token``, the registry's
``connector_class``) and kept for the life of a :class:`Links`, so a platform's rate-limit
pause, once learnt, holds for every later reply and hide on that account.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from triage.config import AccountConfig, Config
from triage.connectors import Capability, Connector, RetryPolicy, connector_class, platforms
from triage.errors import ActionRefused, ConfigError
from triage.model import Comment, utcnow
from triage.sync import read_token

if TYPE_CHECKING:  # imported where used: importing httpx pulls in rich (httpx._main)
    import httpx

__all__ = ["Links", "account_of", "capability_gap", "require_capability"]

_VERBS = {Capability.REPLY: "reply", Capability.HIDE: "hide", Capability.DELETE: "delete"}


def account_of(config: Config, comment: Comment) -> AccountConfig:
    """The configured account a comment came in on; ActionRefused when there is none."""
    for account in config.accounts:
        if account.name == comment.account:
            if account.platform != comment.platform:
                raise ActionRefused(
                    f"comment {comment.id} is from {comment.platform}, but the account "
                    f"{account.name!r} in config.toml is on {account.platform}")
            return account
    known = ", ".join(a.name for a in config.accounts) or "none"
    raise ActionRefused(
        f"the comment's account {comment.account or '(none)'!r} is not in config.toml "
        f"[[accounts]] (configured: {known}), so Triage cannot reach {comment.platform} for it")


def capability_gap(config: Config, comment: Comment, capability: Capability) -> str:
    """Why Triage cannot ``capability`` this comment at its source ("" when it can):
    the account or its connector cannot, or the comment is deleted there already."""
    if comment.status == "deleted":
        return f"the comment was deleted from {comment.platform}"
    installed = platforms()
    if comment.platform not in installed:
        return (f"no connector is installed for {comment.platform} yet "
                f"(installed: {', '.join(installed) or 'none'}): act on it on "
                f"{comment.platform} itself")
    try:
        account = account_of(config, comment)
        cls = connector_class(account.platform)
    except (ActionRefused, ConfigError) as exc:
        return str(exc)
    return cls.gap(account, capability, comment)


def require_capability(config: Config, comment: Comment, capability: Capability) -> None:
    """Refuse with the reason when the comment's platform or account cannot do it."""
    gap = capability_gap(config, comment, capability)
    if gap:
        raise ActionRefused(f"cannot {_VERBS.get(capability, capability.value)}: {gap}")


class Links:
    """Connectors for the configured accounts, built on first use and kept."""

    def __init__(
        self,
        config: Config,
        client: httpx.AsyncClient,
        *,
        environ: Mapping[str, str] | None = None,
        policy: RetryPolicy | None = None,
        clock: Callable[[], datetime] = utcnow,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.config = config
        self.client = client
        self.environ = os.environ if environ is None else environ
        self.policy = policy
        self.clock = clock
        self.sleep = sleep
        self._built: dict[str, Connector] = {}

    def connector(self, comment: Comment) -> Connector:
        """The connector of the comment's account (AuthError when its token is not set)."""
        account = account_of(self.config, comment)
        built = self._built.get(account.name)
        if built is None:
            token = read_token(account, self.environ)
            built = connector_class(account.platform)(
                account, token, self.client, policy=self.policy, clock=self.clock,
                sleep=self.sleep, environ=self.environ)
            self._built[account.name] = built
        return built
