"""The sandbox's Bluesky comments go through the Bluesky connector: reply, hide and delete
of the reply reach the stand-in."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx

from tests.connectors.conftest import sync
from tests.factories import NOW
from tests.outbox.conftest import Clock, Desk, config_text
from triage.config import parse_config
from triage.connectors import Capability
from triage.outbox.hide import set_hidden
from triage.outbox.links import Links, capability_gap
from triage.sandbox import SandboxPlatforms, connected_platforms, generate
from triage.standins import StandinAdmin
from triage.store import Store


def test_a_bluesky_practice_comment_is_replied_to_and_hidden_through_the_connector(
    tmp_path: Path, templates_dir: Path, clock: Clock
) -> None:
    thanks = templates_dir / "thanks.toml"  # approved for Bluesky too (it is short)
    thanks.write_text(thanks.read_text().replace('"reddit"]', '"reddit", "bluesky"]'))
    data = generate(200, 5, now=NOW)
    environ: dict[str, str] = {}
    with Store(tmp_path / "data", clock=clock) as store, SandboxPlatforms(
            data, connected_platforms(), environ=environ) as running:
        assert "bluesky" in running.platforms and all(a.platform != "bluesky"
                                                      for a in running.local)
        assert not [r.summary() for r in sync(running.accounts, store, environ=environ)
                    if r.failed]
        mine = sorted((c for c in store if c.platform == "bluesky"), key=lambda c: c.id)
        assert mine and all(c.native_id.startswith("at://did:plc:") for c in mine)
        assert all(c.permalink.startswith("https://bsky.app/profile/") for c in mine)
        first, second = [c for c in mine if c.post_id][:2]
        config = running.config(parse_config(config_text(templates_dir, [])), "ana")
        assert capability_gap(config, second, Capability.HIDE) == ""
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
            posted = [(p["action"], p["target"]) for p in admin.posted("bluesky")]
        finally:
            admin.close()
        assert posted == [("reply", first.native_id), ("hide", second.native_id)]
        assert (store.get(first.id).status, store.get(second.id).status) == ("replied",
                                                                             "hidden")
