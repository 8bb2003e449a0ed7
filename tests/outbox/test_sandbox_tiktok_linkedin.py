"""The sandbox's TikTok and LinkedIn comments go through their connectors: replies and
TikTok's hides reach the stand-ins; what a platform cannot do is refused with its reason."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from tests.connectors.conftest import sync
from tests.factories import NOW
from tests.outbox.conftest import Clock, Desk, config_text
from triage.config import parse_config
from triage.connectors import Capability
from triage.errors import ActionRefused
from triage.outbox.hide import delete_comment, hide_many
from triage.outbox.links import Links, capability_gap
from triage.sandbox import SandboxPlatforms, connected_platforms, generate
from triage.standins import StandinAdmin
from triage.store import Store


def test_tiktok_and_linkedin_practice_comments_are_answered_and_moderated_at_the_source(
    tmp_path: Path, templates_dir: Path, clock: Clock
) -> None:
    thanks = (templates_dir / "thanks.toml").read_text(encoding="utf-8")
    (templates_dir / "thanks-short.toml").write_text(  # fits TikTok's 150 characters
        thanks.replace('id = "thanks"', 'id = "thanks-short"').replace(
            'platforms = [', 'platforms = ["tiktok", "linkedin", '), encoding="utf-8")
    data = generate(300, 5, now=NOW)
    environ: dict[str, str] = {}
    with Store(tmp_path / "data", clock=clock) as store, SandboxPlatforms(
            data, connected_platforms(), environ=environ) as running:
        assert {"tiktok", "linkedin"} <= running.platforms
        assert all(a.platform not in ("tiktok", "linkedin") for a in running.local)
        assert not [r.summary() for r in sync(running.accounts, store, environ=environ)
                    if r.failed]
        config = running.config(parse_config(config_text(templates_dir, [])), "ana")
        desk = Desk(store, config, clock, environ, user="ana")
        chosen = {}
        for platform in ("tiktok", "linkedin"):
            mine = sorted((c for c in store if c.platform == platform), key=lambda c: c.id)
            assert mine, platform
            top = next(c for c in mine if c.parent_id is None)
            answer = next((c for c in mine if c.parent_id is not None), None)
            chosen[platform] = [top, *([answer] if answer else [])]
            for comment in chosen[platform]:
                desk.submit(comment.id, "thanks-short", window=0)
        outcomes = asyncio.run(desk.send())
        assert outcomes and all(o.sent for o in outcomes), [o.error for o in outcomes]
        tiktok = [c.id for c in store if c.platform == "tiktok" and c.status != "replied"]

        async def moderate() -> tuple[dict[str, str], str]:
            async with httpx.AsyncClient() as client:
                links = Links(config, client, environ=environ)
                _, refused = await hide_many(store, config, "ana", tiktok, hidden=True,
                                             links=links)
                with pytest.raises(ActionRefused) as caught:
                    await delete_comment(store, config, "ana", chosen["linkedin"][0].id,
                                         links=links)
                return refused, str(caught.value)

        refused, why_not = asyncio.run(moderate())
        assert refused == {}
        assert "LinkedIn's API deletes only the organisation's own comments" in why_not
        assert capability_gap(config, chosen["linkedin"][0], Capability.HIDE).startswith(
            "LinkedIn's API has no way to hide a comment")
        assert capability_gap(config, chosen["tiktok"][0], Capability.DELETE).startswith(
            "TikTok lets a business account delete only its own comments")
        admin = StandinAdmin(running.origin)
        try:
            done = {p: [(e["action"], e["target"]) for e in admin.posted(p)]
                    for p in ("tiktok", "linkedin")}
        finally:
            admin.close()
        for platform in ("tiktok", "linkedin"):
            tops = {c.native_id if c.parent_id is None else c.parent_id.split(":", 2)[-1]
                    for c in chosen[platform]}
            assert {t for a, t in done[platform] if a == "reply"} == tops
            assert all(store.get(c.id).status == "replied" for c in chosen[platform])
        assert sorted(t for a, t in done["tiktok"] if a == "hide") == sorted(
            store.get(i).native_id for i in tiktok)
        assert all(store.get(i).status == "hidden" for i in tiktok)
