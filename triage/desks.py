"""Opening the desk: the embedded store in the data folder, or the team database.

One factory, :func:`open_desk`, reads ``[store] url`` (or ``TRIAGE_DATABASE_URL``) and
answers with a desk that keeps the contract of :mod:`triage.service`; what runs above it
does not ask which store it got.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, Protocol

from triage.config import Config
from triage.errors import IdentityRefused, StoreError
from triage.model import Tag
from triage.service import DeskService, team_url

__all__ = ["DeskOpener", "check_identity", "open_desk", "open_team"]


class DeskOpener(Protocol):
    """What :func:`open_desk` needs from the command line's shared state."""

    user_option: str | None

    @property
    def config(self) -> Config: ...

    @property
    def user(self) -> str: ...

    def open_store(self, *, sandbox: bool = False, tagging: bool = True,
                   defer_load: bool = False) -> Any: ...

    def tagger(self) -> Callable[[str], tuple[Tag, ...]]: ...


def open_team(url: str, *, tagger: Callable[[str], tuple[Tag, ...]] | None = None,
              config: Config | None = None, size: int = 2) -> DeskService:
    """A desk on the team database, or a message naming the extra it needs."""
    try:
        from triage.teamdb.desk import open_team_desk
    except ImportError as exc:
        if (exc.name or "").startswith("psycopg"):
            raise StoreError("the team store needs psycopg: pip install 'triage-desk[team]'"
                             ) from None
        raise
    return open_team_desk(url, tagger=tagger, config=config, size=size)


def check_identity(login: str, user_option: str | None) -> None:
    """Refuse a user name given by ``--user`` or ``TRIAGE_USER`` in team mode: the login
    acts, whatever name is typed."""
    given = "--user" if user_option else "TRIAGE_USER" if os.environ.get("TRIAGE_USER") else ""
    if given:
        raise IdentityRefused(
            f"in team mode you act as your database login ({login}); {given} is not used "
            f"(connect as another login to act as someone else)")


def open_desk(env: DeskOpener, *, tagging: bool = False,
              defer_load: bool = False) -> DeskService:
    """The desk the configuration chooses: the team database when a URL is set (acting as
    its login), else the embedded store of the data folder (acting as ``env.user``)."""
    url = team_url(env.config.store.url)
    if url:
        desk = open_team(url, tagger=env.tagger() if tagging else None, config=env.config)
        try:
            check_identity(desk.user, env.user_option)
        except IdentityRefused:
            desk.close()
            raise
        return desk
    from triage.desk import Desk

    store = env.open_store(tagging=tagging, defer_load=defer_load)
    return Desk(store, env.user, team=[m.name for m in env.config.team], config=env.config)
