"""A notice shown while the composer is open never covers its verdict or its keys line."""

from __future__ import annotations

import pytest
from textual.widgets import Static
from textual.widgets._toast import Toast

from tests.tui.test_composer import World, move_to, world
from tui.composer import ComposerScreen

__all__ = ["world"]


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
async def test_a_toast_leaves_the_composer_keys_in_sight(world: World,
                                                        size: tuple[int, int]) -> None:
    app = world.app()
    async with app.run_test(size=size, notifications=True) as pilot:
        move_to(app, world.ids["myth"])
        await pilot.press("r")
        composer = app.screen
        assert isinstance(composer, ComposerScreen)
        app.notify("A new crisis comment arrived: press 1 for the Crisis view\nsecond line",
                   title="Crisis", timeout=30)
        await pilot.pause()
        await pilot.pause()
        assert list(composer.query(Toast))
        for name in ("#composer-keys", "#composer-verdict", "#composer-length"):
            widget = composer.query_one(name, Static)
            region = widget.region
            for y in range(region.y, region.bottom):
                for x in range(region.x, region.right):
                    on_top, _ = composer.get_widget_at(x, y)
                    assert on_top is widget, (name, x, y, on_top)
