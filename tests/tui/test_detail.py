"""The detail pane: the author's handle written once, the way each platform writes it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from rich.console import Console
from textual.widgets import Static

from tests.factories import make_comment
from tests.tui.conftest import make_app
from triage.model import Author
from triage.store import Store
from tui.handles import handle_label
from tui.queue_list import QueueList


@pytest.mark.parametrize(("platform", "handle", "name", "shown"), [
    ("x", "@the_alex_hollow", "Alex", "@the_alex_hollow"),  # the connector's form
    ("x", "the_alex_hollow", "Alex", "@the_alex_hollow"),  # an import's form
    ("instagram", "@dana.w", "Dana", "@dana.w"),
    ("instagram", "dana.w", "dana.w", ""),  # the name is the handle: said once
    ("youtube", "@DanaW", "@DanaW", ""),
    ("tiktok", "dana_w", "dana", "@dana_w"),
    ("mastodon", "@dana@med.example", "Dana", "@dana@med.example"),
    ("mastodon", "dana@med.example", "Dana", "@dana@med.example"),
    ("reddit", "u/throwaway_falcon10", "throwaway_falcon10", ""),
    ("reddit", "u/throwaway_falcon10", "Falcon", "u/throwaway_falcon10"),
    ("reddit", "/u/falcon", "Mr Falcon", "u/falcon"),
    ("reddit", "@falcon", "Mr Falcon", "u/falcon"),
    ("bluesky", "hannah-lyle81.bsky.social", "Hannah", "hannah-lyle81.bsky.social"),
    ("bluesky", "@hannah-lyle81.bsky.social", "Hannah", "hannah-lyle81.bsky.social"),
    ("facebook", "", "Dana Whitfield", ""),
    ("linkedin", "dana-whitfield", "Dana Whitfield", "dana-whitfield"),
    ("x", "@@x\u202eevil\n", "Mallory", "@x·evil"),  # a bidi override shown as a dot
])
def test_handle_label(platform: str, handle: str, name: str, shown: str) -> None:
    assert handle_label(platform, handle, name) == shown


AUTHORS = {
    "c-x": ("x", Author("1", "Alex", "@the_alex_hollow"), "Alex  @the_alex_hollow"),
    "c-reddit": ("reddit", Author("2", "Falcon", "u/throwaway_falcon10"),
                 "Falcon  u/throwaway_falcon10"),
    "c-bsky": ("bluesky", Author("3", "Hannah", "hannah-lyle81.bsky.social"),
               "Hannah  hannah-lyle81.bsky.social"),
    "c-masto": ("mastodon", Author("4", "Ahmed", "@the_ahmed_osei@med.example"),
                "Ahmed  @the_ahmed_osei@med.example"),
}


async def test_the_detail_pane_writes_each_handle_once(tmp_path: Path) -> None:
    with Store(tmp_path / "data") as store:
        store.ingest([replace(make_comment(cid, "Hello there", minutes_ago=5 + k,
                                           platform=platform), author=author)
                      for k, (cid, (platform, author, _)) in enumerate(AUTHORS.items())],
                     user="test")
        app = make_app(store)
        async with app.run_test(size=(120, 40)) as pilot:
            for cid, (_, _, line) in AUTHORS.items():
                app.query_one(QueueList).move_to_id(cid)
                await pilot.pause()
                console = Console(width=118, record=True, color_system=None)
                console.print(app.screen.query_one("#detail-body", Static).content)
                author = next(row for row in console.export_text().splitlines()
                              if row.startswith("Author"))
                assert author == f"Author     {line}"
                assert "@@" not in author
