"""The sandbox's Reddit comments go through the Reddit connector: reply and hide reach the
stand-in."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx

from tests.connectors.conftest import sync
from tests.factories import NOW
from tests.outbox.conftest import Clock, Desk, config_text
from triage.config import parse_config
from triage.outbox.hide import set_hidden
from triage.outbox.links import Links
from triage.sandbox import SandboxPlatforms, connected_platforms, generate
from triage.standins import StandinAdmin
from triage.store import Store


def test_a_reddit_practice_comment_is_replied_to_and_hidden_through_the_connector(
    tmp_path: Path, templates_dir: Path, clock: Clock
) -> None:
    data = generate(200, 5, now=NOW)
    environ: dict[str, str] = {}
    with Store(tmp_path / "data", clock=clock) as store, SandboxPlatforms(
            data, connected_platforms(), environ=environ) as running:
        assert "reddit" in running.platforms and all(a.platform != "reddit"
                                                     for a in running.local)
        assert not [r.summary() for r in sync(running.accounts, store, environ=environ)
                    if r.failed]
        first, second = sorted((c for c in store if c.platform == "reddit"),
                               key=lambda c: c.id)[:2]
        config = running.config(parse_config(config_text(templates_dir, [])), "ana")
        desk = Desk(store, config, clock, environ, user="ana")
        desk.submit(first.id, "thanks", window=0)
        (outcome,) = asyncio.run(desk.send())
        assert outcome.sent, outcome.error

        async def hide() -> None:
            async with httpx.AsyncClient() as client:
                await set_hidden(store, config, "ana", second.id, hidden=True,
                                 links=Links(config, client, environ=environ))

        asyncio.run(hide())
        admin = StandinAdmin(running.origin)
        try:
            posted = [(p["action"], p["target"]) for p in admin.posted("reddit")]
        finally:
            admin.close()
        assert posted == [("reply", first.native_id), ("hide", second.native_id)]
        assert (store.get(first.id).status, store.get(second.id).status) == ("replied",
                                                                             "hidden")
