"""The approver reads an edited reply once, as its change against the template, marked as
`triage approvals` prints it ([-taken out-] {+added+}), not the whole text twice."""

from __future__ import annotations

from dataclasses import replace

from textual.widgets import Static, TextArea

from tests.tui.test_composer import World, move_to, text_of, world
from triage.outbox import WAITING, all_items
from tui.approvals_screen import ApprovalsScreen
from tui.composer import ComposerScreen

__all__ = ["world"]


async def write_edited_template(world: World) -> str:
    """ben sends the myth template with a word added; it waits for an approver (every edit
    does with ``max_edit_share = 0``)."""
    world.config = replace(world.config, replies=replace(world.config.replies,
                                                         max_edit_share=0.0))
    app = world.app(user="ben")
    async with app.run_test(size=(120, 40)) as pilot:
        move_to(app, world.ids["myth"])
        await pilot.press("r")
        composer = app.screen
        assert isinstance(composer, ComposerScreen)
        editor = composer.query_one(TextArea)
        editor.focus()
        editor.move_cursor(editor.document.end)
        await pilot.press(*" Truly.")
        await pilot.press("ctrl+s")
        await pilot.pause()
    (item,) = all_items(world.store)
    assert item.state == WAITING
    return item.text


async def test_approvals_shows_the_edit_once_as_its_change(world: World) -> None:
    text = await write_edited_template(world)
    opening = text.split(".")[0]
    app = world.app(user="ana")
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.press("A")
        screen = app.screen
        assert isinstance(screen, ApprovalsScreen)
        body = " ".join(text_of(screen.query_one("#approvals-body", Static)).split())
    assert "Reply, as changed from its template ([-taken out-] {+added+}):" in body
    assert "{+ Truly.+}" in body
    assert body.count(opening) == 1, body  # the reply is not repeated in full

