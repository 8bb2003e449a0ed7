"""The reply policies in the composer: hits shown as one types, a block stops ctrl+s, a
review-level hit goes to an approver with its hits shown, a light edit goes as approved."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Static, TextArea

from tests.outbox.conftest import standin_comment
from tests.tui.test_composer import World, messages, move_to, text_of
from triage.outbox import QUEUED, WAITING, all_items
from triage.standins import StandinServer
from tui.approvals_screen import ApprovalsScreen
from tui.composer import CHECK_DELAY, ComposerScreen

PHONE = "555-201-8890"


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    """The composer's world, with a comment that gives the commenter's phone number."""
    with StandinServer() as server:
        made = World(server, tmp_path, monkeypatch)
        phone = standin_comment(server, "facebook", f"My knee still hurts after the fall, "
                                f"please call me at {PHONE}?", "facebook")
        made.store.ingest([phone], user="test")
        made.ids["phone"] = phone.id
        yield made
        made.store.close()


async def _free_text(pilot, app, comment_id: str) -> ComposerScreen:  # type: ignore[no-untyped-def]
    move_to(app, comment_id)
    await pilot.press("r")
    composer = app.screen
    assert isinstance(composer, ComposerScreen)
    await pilot.press("end", "enter")
    assert composer.template_id is None  # free text, the editor focused
    return composer


async def test_quoting_the_phone_and_promising_a_cure_is_stopped_with_both_reasons(
        world: World) -> None:
    app = world.app()
    async with app.run_test(size=(120, 44)) as pilot:
        composer = await _free_text(pilot, app, world.ids["phone"])
        await pilot.press(*f"We will call you at {PHONE}, our therapy will cure your knee.")
        await pilot.pause(CHECK_DELAY + 0.2)  # the check runs once typing pauses
        panel = composer.query_one("#composer-policy", Static).content.plain  # type: ignore[union-attr]
        assert f" BLOCK  phi-copied-back: We will call you at {PHONE}, our therapy will cure " \
               "your k…" in panel
        assert "phone number from the comment: repeats an identifier the commenter posted" \
               in panel
        assert f" BLOCK  cure-promise: … at {PHONE}, our therapy will cure your knee." \
               in panel
        assert "promises a cure or a certain outcome" in panel
        verdict = text_of(composer.query_one("#composer-verdict", Static))
        assert verdict.startswith("CANNOT BE SENT — it breaks a reply policy (phi-copied-back, "
                                  "cure-promise)")
        highlighted = [span for span in composer.query_one("#composer-policy", Static)
                       .content.spans if "reverse" in str(span.style)]
        assert len(highlighted) == 2
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is composer  # still open: nothing was sent
        (said,) = [m for m in messages(app) if "reply policy" in m]
        assert f"phi-copied-back: '{PHONE}' (phone number from the comment)" in said
        assert "cure-promise: 'will cure your': promises a cure" in said
        # Taking the words out lets it go (to an approver: it is free text).
        editor = composer.query_one(TextArea)
        editor.load_text("We are sorry to hear it. Please call our nurse line.")
        await pilot.pause(CHECK_DELAY + 0.2)
        assert composer.hits == ()
        assert composer.query_one("#composer-policy").has_class("-none")
        await pilot.press("ctrl+s")
        await pilot.pause()
    (item,) = all_items(world.store)
    assert item.state == WAITING and item.text.startswith("We are sorry")


async def test_a_review_hit_goes_to_an_approver_who_sees_it(world: World) -> None:
    app = world.app()
    async with app.run_test(size=(120, 44)) as pilot:
        composer = await _free_text(pilot, app, world.ids["phone"])
        composer.query_one(TextArea).insert("So sorry. Dr. Patel is in on Tuesday, ask for her.")
        await pilot.pause(CHECK_DELAY + 0.2)
        panel = text_of(composer.query_one("#composer-policy", Static))
        assert "REVIEW  clinician-schedule: So sorry. Dr. Patel is in on Tuesday, ask for her." \
               in panel
        assert composer.needs_approval
        await pilot.press("ctrl+s")
        await pilot.pause()
    (item,) = all_items(world.store)
    assert item.state == WAITING and [h.policy for h in item.hits] == ["clinician-schedule"]
    approver = world.app(user="ana")
    async with approver.run_test(size=(120, 44)) as pilot:
        await pilot.press("A")
        screen = approver.screen
        assert isinstance(screen, ApprovalsScreen)
        body = text_of(screen.query_one("#approvals-body", Static))
        assert "Policy clinician-schedule (review): Dr. Patel is in on Tuesday — gives a named " \
               "clinician's schedule" in body


async def test_a_light_edit_of_a_template_goes_as_approved(world: World) -> None:
    app = world.app()
    async with app.run_test(size=(120, 44)) as pilot:
        move_to(app, world.ids["myth"])
        await pilot.press("r")
        composer = app.screen
        assert isinstance(composer, ComposerScreen) and composer.template_id == "myth-any"
        editor = composer.query_one(TextArea)
        editor.focus()
        editor.move_cursor(editor.document.end)
        await pilot.press(*" Truly.")
        await pilot.pause(CHECK_DELAY + 0.2)
        verdict = text_of(composer.query_one("#composer-verdict", Static))
        assert verdict.startswith("Approved template myth-any (lightly edited): ctrl+s sends")
        await pilot.press("ctrl+s")
        await pilot.pause()
    (item,) = all_items(world.store)
    assert item.state == QUEUED and item.text.endswith("Truly.")
    assert "lightly edited" in item.reason
