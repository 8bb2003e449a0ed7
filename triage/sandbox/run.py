"""The sandbox's platforms: stand-ins in a child process, seeded from the generator, with
the real connectors pointed at them and a feeder adding a comment every few seconds."""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Collection, MutableMapping
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from triage.config import AccountConfig, Config, EscalationConfig, TeamMember
from triage.errors import Unavailable
from triage.sandbox.banks import SandboxAccount
from triage.sandbox.feeder import FEED_EVERY, Feeder, feed_pool, kept_records
from triage.sandbox.generator import SandboxData

if TYPE_CHECKING:
    from triage.standins import StandinProcess
    from triage.store import Store

__all__ = [
    "SANDBOX_POLL_SECONDS",
    "SandboxPlatforms",
    "connected_platforms",
    "forget_sync_state",
    "token_variable",
]

#: How often the sandbox's accounts are synced (the feeder adds a comment every 5–10 s).
SANDBOX_POLL_SECONDS = 5


def connected_platforms() -> frozenset[str]:
    """Platforms the sandbox syncs through a real connector: a stand-in and a connector."""
    from triage.connectors.registry import platforms
    from triage.standins import STANDIN_PLATFORMS

    return frozenset(STANDIN_PLATFORMS) & frozenset(platforms())


def token_variable(account: str) -> str:
    """The environment variable that holds a sandbox account's token (made up per run)."""
    return "TRIAGE_SANDBOX_TOKEN_" + re.sub(r"[^A-Z0-9]", "_", account.upper())


def _platform_id(account: SandboxAccount) -> str:
    if account.platform == "facebook":
        return account.page_id
    if account.platform == "youtube":
        return account.channel_id
    if account.platform == "linkedin":
        return account.organization_id
    if account.platform == "bluesky":
        return account.did
    return account.user_id


def forget_sync_state(store: Store, accounts: Collection[AccountConfig]) -> None:
    """Start the accounts' syncs afresh: the stand-ins were seeded anew.

    A cursor from an earlier run would point into that run's stand-ins (its ids for the
    comments fed then); a rate limit or an auth error of that run is over. Re-reading the
    seeded comments stores nothing twice: they come back with the same ids.
    """
    from triage.sync_sink import AccountStatus, cursor_key, status_key

    for account in accounts:
        store.set_state(cursor_key(account.name), {})
        store.set_state(status_key(account.name), AccountStatus(account.name).to_doc())


class SandboxPlatforms:
    """The stand-ins of the platforms in ``platforms``, serving ``data``'s accounts there.

    Use as a context manager: :meth:`start` runs ``python -m triage.standins`` as a child
    (it also ends when this process dies), seeds the posts and comments of those
    platforms with their accounts, and makes each account's :class:`AccountConfig` with a
    token made up for this run. The tokens live only in this process's environment
    (``environ``) and the child's memory, never on disk; :meth:`stop` removes them.

    The stand-ins keep nothing between runs. Each run seeds them from the same generated
    data (same seed and creation time), so a sync meets the same ids and stores nothing
    twice, and with ``keep`` (a file in the sandbox's folder) also with every comment the
    feeder added in earlier runs, under the same ids: whatever the queue stored can be
    replied to, hidden or deleted. What the person did *on the platforms* in an earlier
    run — replies sent, comments hidden — is not in the new stand-ins; the queue keeps
    its own record of it. That is fine for a practice sandbox.
    """

    def __init__(self, data: SandboxData, platforms: Collection[str], *,
                 log: Path | None = None, keep: Path | None = None,
                 environ: MutableMapping[str, str] | None = None) -> None:
        self.data = data
        self.platforms = frozenset(platforms)
        self.log = log
        self.keep = keep
        self.environ = os.environ if environ is None else environ
        #: The synced accounts, pointing at the stand-ins (filled by :meth:`start`).
        self.accounts: list[AccountConfig] = []
        #: Accounts of platforms without a connector: their comments were stored directly.
        self.local = [a for a in data.accounts if a.platform not in self.platforms]
        self.feeder: Feeder | None = None
        self._process: StandinProcess | None = None

    @property
    def origin(self) -> str:
        return self._process.origin if self._process is not None else ""

    @property
    def notes(self) -> dict[str, str]:
        """What the status bar says for the accounts that are not synced."""
        return {a.name: f"{a.platform}: sandbox (no connector yet)" for a in self.local}

    def start(self) -> SandboxPlatforms:
        from triage.standins import StandinProcess, records_from_model

        data = self.data
        mine = [a for a in data.accounts if a.platform in self.platforms]
        tokens = {a.name: secrets.token_urlsafe(24) for a in mine}
        records = records_from_model(
            [p for p in data.posts if p.platform in self.platforms],
            [c for c in data.comments if c.platform in self.platforms])
        posts = {(r["platform"], r["id"]) for r in records["posts"]}
        fed = [r for r in (kept_records(self.keep) if self.keep else [])
               if r["platform"] in self.platforms and (r["platform"], r.get("post")) in posts]
        self._process = StandinProcess(log=self.log).start()
        try:
            self._process.admin.seed(
                accounts=[{"platform": a.platform, "key": a.name, "id": _platform_id(a),
                           "display_name": a.display_name, "handle": a.handle,
                           "token": tokens[a.name]} for a in mine],
                posts=records["posts"], comments=[*records["comments"], *fed])
            settings = {s["name"]: s for s in self._process.admin.settings()}
        except BaseException:
            self.stop()
            raise
        for account in mine:
            found = settings.get(account.name)
            if found is None:
                self.stop()
                raise Unavailable(f"the stand-ins did not take the sandbox account {account.name}")
            variable = token_variable(account.name)
            self.environ[variable] = tokens[account.name]
            self.accounts.append(AccountConfig(
                name=account.name, platform=account.platform, token_env=variable,
                base_url=found["base_url"], page_id=found.get("page_id", ""),
                channel_id=found.get("channel_id", ""), user_id=found.get("user_id", ""),
                business_id=found.get("business_id", ""),
                organization_id=found.get("organization_id", ""),
                handle=found["handle"] if account.platform == "bluesky" else "",
                **self._reddit(found, variable, tokens[account.name])))
        return self

    def _reddit(self, found: dict[str, str], variable: str, token: str) -> dict[str, Any]:
        """A Reddit account's sign-in settings: its stand-in's script app takes the token
        as the app's secret and as the password, and the account moderates its subreddit."""
        if "client_id" not in found:
            return {}
        self.environ[variable + "_CLIENT_ID"] = found["client_id"]
        self.environ[variable + "_PASSWORD"] = token
        return {"username": found["username"], "client_id_env": variable + "_CLIENT_ID",
                "password_env": variable + "_PASSWORD", "moderates": True}

    def config(self, base: Config, user: str = "", *, practice: bool | None = None) -> Config:
        """``base`` with the sandbox's accounts instead of its own (never the real ones),
        and no escalation channel: practising an escalation never reaches the real legal
        team. With ``practice`` (by default: when ``base`` is no file) the organisation is
        the sandbox's own (its name in the title) and its contacts, so that the reply
        templates can be filled in, and the team is its practice team, which ``user``
        joins as an agent and approver; otherwise both are ``base``'s, as they are.
        """
        if practice is None:
            practice = base.source is None
        if not practice:
            return replace(base, accounts=list(self.accounts),
                           escalation=EscalationConfig(), poll_seconds=SANDBOX_POLL_SECONDS)
        own = self.data.org
        org = replace(
            base.org, name=own.name, contact_phone=own.phones[0] if own.phones else "",
            contact_url=own.url, contact_email=own.emails[0] if own.emails else "",
            phones=list(own.phones), emails=list(own.emails), addresses=list(own.addresses))
        team = list(own.team)
        if user and all(member.name != user for member in team):
            team.append(TeamMember(user, roles=["agent", "approver"]))
        return replace(base, org=org, team=team, accounts=list(self.accounts),
                       escalation=EscalationConfig(), poll_seconds=SANDBOX_POLL_SECONDS,
                       pharmacovigilance=own.pharmacovigilance)

    def feed(self, seed: int, created: datetime, *,
             every: tuple[float, float] = FEED_EVERY) -> Feeder | None:
        """Start adding a generated comment every few seconds (None: nothing to feed)."""
        if self._process is None or not self.accounts:
            return None
        pool = feed_pool(seed, created, self.platforms)
        if not pool:
            return None
        self.feeder = Feeder(self.origin, pool, self.data.accounts, self.data.posts,
                             every=every, keep=self.keep).start()
        return self.feeder

    def stop(self) -> None:
        """Stop the feeder and the child process; forget the tokens."""
        feeder, self.feeder = self.feeder, None
        if feeder is not None:
            feeder.stop()
        process, self._process = self._process, None
        if process is not None:
            process.stop()
        for account in self.accounts:
            for variable in account.env_names().values():
                self.environ.pop(variable, None)

    def __enter__(self) -> SandboxPlatforms:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.stop()
