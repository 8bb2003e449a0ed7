"""The sandbox reopened: a comment that arrived live in an earlier run can still be answered."""

from __future__ import annotations

import asyncio
import os
import stat
from pathlib import Path
from random import Random

from tests.connectors.conftest import sync
from tests.factories import NOW
from tests.outbox.conftest import Clock, Desk, config_text
from triage.config import parse_config
from triage.sandbox import Feeder, SandboxPlatforms, connected_platforms, feed_pool, generate
from triage.standins import StandinAdmin
from triage.store import Store


def _feed_one(running: SandboxPlatforms, keep: Path) -> str:
    data = running.data
    pool = [i for i in feed_pool(5, NOW, running.platforms)
            if i.comment.platform == "facebook" and not i.crisis]
    feeder = Feeder(running.origin, pool, data.accounts, data.posts, rng=Random(4), keep=keep)
    admin = StandinAdmin(running.origin)
    try:
        return feeder.feed_once(admin)
    finally:
        admin.close()


def test_a_reply_to_a_comment_fed_before_a_restart_lands_at_the_stand_in(
    tmp_path: Path, templates_dir: Path, clock: Clock
) -> None:
    data = generate(60, 5, now=NOW)
    keep = tmp_path / "data" / "fed.jsonl"
    environ: dict[str, str] = {}
    store = Store(tmp_path / "data", clock=clock)
    try:
        with SandboxPlatforms(data, connected_platforms(), keep=keep,
                              environ=environ) as running:
            assert not [r.summary() for r in sync(running.accounts, store, environ=environ)
                        if r.failed]
            native = _feed_one(running, keep)
            sync(running.accounts, store, environ=environ)
        (fed,) = [c for c in store if c.native_id == native]
        assert stat.S_IMODE(os.stat(keep).st_mode) == 0o600

        with SandboxPlatforms(data, connected_platforms(), keep=keep,
                              environ=environ) as running:
            results = sync(running.accounts, store, environ=environ)
            assert sum(r.new for r in results) == 0  # the same ids again: nothing twice
            config = running.config(parse_config(config_text(templates_dir, [])), "ana")
            desk = Desk(store, config, clock, environ, user="ana")
            desk.submit(fed.id, "thanks", window=0)
            (outcome,) = asyncio.run(desk.send())
            assert outcome.sent, outcome.error
            admin = StandinAdmin(running.origin)
            try:
                posted = [p for p in admin.posted("facebook") if p["action"] == "reply"]
            finally:
                admin.close()
            assert [p["target"] for p in posted] == [native]
            assert store.get(fed.id).status == "replied"
    finally:
        store.close()
