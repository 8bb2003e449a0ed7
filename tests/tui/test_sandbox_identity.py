"""The sandbox says who the person is on its team: at start, and on the help screen."""

from __future__ import annotations

from rich.console import Console
from textual.widgets import Static

from tests.factories import NOW
from tests.tui.conftest import make_app
from triage.config import Config
from triage.sandbox import SandboxPlatforms, connected_platforms, generate
from triage.sandbox.team import identity_line
from triage.store import Store
from tui.help_screen import HelpScreen

LINE = ("You are sam (agent, approver) on the practice team: ana agent/approver, ben agent, "
        "lee legal, pat pharmacovigilance — `triage sandbox --user lee` to act as legal")


async def test_the_sandbox_queue_and_its_help_say_who_you_are(queue_store: Store) -> None:
    config = SandboxPlatforms(generate(10, 1, now=NOW), connected_platforms()).config(
        Config(), "sam", practice=True)
    app = make_app(queue_store, config, user="sam")
    app.identity = identity_line(config, "sam", practice=True)
    assert app.identity == LINE
    async with app.run_test(size=(130, 40)) as pilot:
        await pilot.pause()
        assert [n.message for n in app._notifications if n.title == "Sandbox"] == [LINE]
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        console = Console(width=128, record=True, color_system=None)
        console.print(app.screen.query_one("#help-identity", Static).content)
        assert " ".join(console.export_text().split()) == LINE
