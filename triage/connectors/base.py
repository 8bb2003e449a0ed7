"""The connector contract: one abstract base every platform module implements.

A connector talks to one account on one platform. It is built from the account's
config, the token (read from the environment by the caller) and a shared
``httpx.AsyncClient``; all its requests go through :attr:`Connector.http`.

Reading is a stream of :class:`Page` objects from :meth:`Connector.pages`. Each page
carries the cursor to keep *once that page and every page before it are stored*; the
caller stores, then keeps the cursor, so the cursor never passes an item that was not
stored. Writing (reply, hide, delete) is declared in :attr:`Connector.capabilities`;
what a platform cannot do is explained by :meth:`Connector.why_not`, and calling it
raises :class:`~triage.errors.ActionRefused` with that explanation.
"""

from __future__ import annotations

import asyncio
import os
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

import orjson

from triage.account_settings import Setting, missing
from triage.config import AccountConfig
from triage.connectors.http import Http, RetryPolicy
from triage.connectors.payload import comment_id
from triage.errors import ActionRefused, ConfigError, ConnectorError
from triage.model import Comment, Post, utcnow

if TYPE_CHECKING:  # not imported at run time: importing httpx pulls in rich (httpx._main)
    import httpx

__all__ = ["Capability", "Connector", "Known", "NothingKnown", "Page", "Thread"]


class Capability(StrEnum):
    """What a connector can do on its platform."""

    READ = "read"  # pull new comments (pages)
    THREAD = "thread"  # fetch the thread around a comment
    REPLY = "reply"  # post a reply, find one already posted, delete our own reply
    HIDE = "hide"  # hide / unhide a comment from the public
    DELETE = "delete"  # delete somebody's comment from the account's post


#: The method each capability needs a connector to implement.
_METHODS = {
    Capability.THREAD: ("thread",),
    Capability.REPLY: ("reply", "find_reply", "delete_reply"),
    Capability.HIDE: ("hide",),
    Capability.DELETE: ("delete",),
}


@dataclass(frozen=True, slots=True)
class Page:
    """One page of new comments, and the cursor to keep once it is stored.

    ``cursor`` is JSON-able and opaque to everyone but its connector. ``problems``
    holds one secret-free message per item that could not be read and was skipped.
    """

    comments: tuple[Comment, ...] = ()
    posts: tuple[Post, ...] = ()
    cursor: Mapping[str, Any] | None = None
    problems: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Thread:
    """The conversation around a comment: the post, others' comments, the account's own."""

    post: Post | None
    comments: tuple[Comment, ...]
    own: tuple[Comment, ...] = ()


class Known(Protocol):
    """What the store already holds, for a connector placing comments under posts.

    Read-only lookups, safe from a worker thread. The store's also offers
    ``reply_count(comment_id) -> int`` (the stored answers to a comment), which YouTube's
    deep re-check asks for when it is there.
    """

    def has_post(self, post_id: str) -> bool: ...

    def stored_comment(self, comment_id: str) -> Comment | None: ...


class NothingKnown:
    """A :class:`Known` for a connector used without a store."""

    def has_post(self, post_id: str) -> bool:
        return False

    def stored_comment(self, comment_id: str) -> Comment | None:
        return None


class Connector(ABC):
    """Base of every platform connector; subclasses register under ``triage.connectors``.

    Class attributes a subclass sets: ``platform`` (the registry name),
    ``capabilities``, ``missing`` (why each absent capability is absent),
    ``default_base_url`` (empty when the account must give one), ``page_size``, and
    ``SETTINGS``: the keys an account of the platform takes in ``config.toml`` beyond the
    common ones (see :mod:`triage.account_settings`).
    """

    SETTINGS: ClassVar[tuple[Setting, ...]] = ()

    platform: ClassVar[str] = ""
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.READ})
    missing: ClassVar[Mapping[Capability, str]] = {}
    default_base_url: ClassVar[str] = ""
    page_size: int = 50

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for capability in cls.capabilities:
            for name in _METHODS.get(capability, ()):
                if getattr(cls, name) is getattr(Connector, name):
                    raise TypeError(f"{cls.__name__} declares {capability.value} "
                                    f"but does not implement {name}()")

    def __init__(
        self,
        account: AccountConfig,
        token: str,
        client: httpx.AsyncClient,
        *,
        policy: RetryPolicy | None = None,
        known: Known | None = None,
        page_size: int | None = None,
        clock: Callable[[], datetime] = utcnow,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.check_account(account)
        self.account = account
        #: Where the account's other secrets are read (Reddit's client id and password).
        self.environ: Mapping[str, str] = os.environ if environ is None else environ
        self.known: Known = known or NothingKnown()
        self.page_size = page_size or type(self).page_size
        self.clock = clock
        self.http = Http(client, base_url=self.base_url, account=account.name,
                         platform=self.platform, token=token, token_env=account.token_env,
                         hooks=self, policy=policy, clock=clock, sleep=sleep)

    @classmethod
    def check_account(cls, account: AccountConfig) -> None:
        """Raise ConfigError naming the account and key when the account lacks something:
        a base_url where there is no default, a required setting (``SETTINGS``)."""
        if not (account.base_url or cls.default_base_url):
            raise ConfigError(f"account {account.name}: base_url is needed for {cls.platform} "
                              "(the address of the account's server)")
        for setting in cls.SETTINGS:
            if setting.name not in account.settings:
                continue
            try:
                setting.check(account.settings[setting.name], f"account {account.name}:")
            except ConfigError as exc:
                raise ConfigError(f"account {account.name}: {setting.name} is needed for "
                                  f"{cls.platform} ({setting.help}); "
                                  f"{str(exc).rsplit(': ', 1)[-1]}") from None
        lacking = missing(cls.SETTINGS, account.settings)
        if lacking is not None:
            raise ConfigError(f"account {account.name}: {lacking.name} is needed for "
                              f"{cls.platform} ({lacking.help})")

    @property
    def base_url(self) -> str:
        return (self.account.base_url or self.default_base_url).rstrip("/")

    @property
    def name(self) -> str:
        return self.account.name

    def comment_id(self, native_id: str) -> str:
        """This account's Triage id for a platform id (see :func:`~.payload.comment_id`)."""
        return comment_id(self.platform, self.account.name, native_id)

    # -- capabilities ----------------------------------------------------------------

    @classmethod
    def gap(cls, account: AccountConfig, capability: Capability,
            comment: Comment | None = None) -> str:
        """Why the connector cannot do ``capability`` for ``account`` ("" when it can),
        on ``comment`` when one is given.

        By default the same for every account and comment; a platform where it depends on
        the account (Reddit: removing comments needs a moderator) or on the comment
        (Bluesky: replies are hidden only in the account's own threads) overrides it."""
        if capability in cls.capabilities:
            return ""
        return cls.missing.get(capability) or (
            f"the {cls.platform} connector cannot {capability.value}")

    def supports(self, capability: Capability) -> bool:
        return not self.gap(self.account, capability)

    def why_not(self, capability: Capability) -> str:
        """Why this connector cannot do ``capability`` ("" when it can)."""
        return self.gap(self.account, capability)

    def refuse(self, capability: Capability) -> ActionRefused:
        return ActionRefused(f"{self.account.name}: {self.why_not(capability)}")

    @classmethod
    def reply_prefix(cls, comment: Comment, text: str) -> str:
        """What :meth:`reply` puts in front of ``text`` when it answers ``comment`` (a
        mention of the person answered, say), so that the length checked before sending
        is the length the platform counts. Worked out from the stored comment, without
        a request; "" when the text is posted as it is."""
        return ""

    # -- reading ---------------------------------------------------------------------

    @abstractmethod
    def pages(self, cursor: Mapping[str, Any] | None) -> AsyncIterator[Page]:
        """New comments since ``cursor`` (None: the first sync), one page at a time.

        Every page carries the cursor to keep once it is stored; the last page's cursor
        is where the next sync starts. Items that cannot be read are skipped and named
        in ``problems``; a page that cannot be read at all raises (``BadPayload``), and
        so do auth failures, rate limits and faults, after the pages already yielded.
        """

    async def thread(self, comment: Comment) -> Thread:
        """The post, the comments and the account's own replies around ``comment``."""
        raise self.refuse(Capability.THREAD)

    # -- writing ---------------------------------------------------------------------

    async def reply(self, comment: Comment, text: str, *, idempotency_key: str) -> str:
        """Post ``text`` as a reply to ``comment``; return the reply's platform id.

        ``idempotency_key`` is the outbox item's key: where the platform takes one, a
        retry with the same key never posts twice.
        """
        raise self.refuse(Capability.REPLY)

    async def find_reply(self, comment: Comment, text: str, *,
                         idempotency_key: str) -> str | None:
        """The platform id of a reply already posted to ``comment`` with this text, if any.

        The outbox calls it before posting again after a failure that may have taken
        effect, so that platforms without idempotency keys never get a reply twice.
        """
        raise self.refuse(Capability.REPLY)

    async def reply_in_thread(self, comment: Comment, text: str,
                              plain: Callable[[str], str]) -> str | None:
        """The platform id of our reply to ``comment``, read from its thread, whose text is
        ``text`` as ``plain`` compares them (what counts as the same text differs by
        platform: a leading mention, spacing); a ``find_reply`` for platforms whose thread
        holds our replies."""
        wanted = plain(text)
        for reply in (await self.thread(comment)).own:
            if reply.parent_id == comment.id and plain(reply.text) == wanted:
                return reply.native_id
        return None

    async def delete_reply(self, reply_id: str) -> None:
        """Delete a reply the account posted (its platform id)."""
        raise self.refuse(Capability.REPLY)

    async def hide(self, comment: Comment, hidden: bool = True) -> None:
        """Hide ``comment`` from the public (or show it again)."""
        raise self.refuse(Capability.HIDE)

    async def delete(self, comment: Comment) -> None:
        """Delete ``comment`` (somebody else's) from the account's post."""
        raise self.refuse(Capability.DELETE)

    # -- hooks for Http (override per platform) --------------------------------------

    def auth_headers(self, token: str) -> dict[str, str]:
        """Headers that carry the token (bearer by default)."""
        return {"Authorization": f"Bearer {token}"}

    def pause_until(self, response: httpx.Response, now: datetime) -> datetime | None:
        """When this response says requests must pause until (UTC), or None."""
        return None

    def classify(self, response: httpx.Response, now: datetime) -> ConnectorError | None:
        """An error for a response the generic rules would misread (errors sent with
        200, quota errors sent as 403, expired tokens sent as 400), or None."""
        return None

    def error_text(self, response: httpx.Response) -> str:
        """The platform's own error message in a response body, or ""."""
        try:
            body = orjson.loads(response.content)
        except orjson.JSONDecodeError:
            return ""
        if not isinstance(body, dict):
            return ""
        error = body.get("error")
        if isinstance(error, dict):
            error = error.get("message")
        for value in (error, body.get("detail"), body.get("message"), body.get("title")):
            if isinstance(value, str) and value:
                return value
        return ""
