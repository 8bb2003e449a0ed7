"""The composer opens on the right template: 911 for a medical emergency, 988 for
self-harm, both named when both are found, and the myth's answer for a question about it."""

from __future__ import annotations

import pytest
from rich.console import Console
from textual.app import App, ComposeResult
from textual.widgets import Static, TextArea

from tests.factories import NOW, make_comment
from triage.config import parse_config
from triage.model import Comment
from triage.tagger import Tagger
from triage.templates import load_library
from tui.composer import ComposerScreen

CONFIG = parse_config('[org]\nname = "Riverside Health"\ncontact_phone = "555-0100"\n'
                      'contact_url = "https://riverside.example.org/contact"\n')


def tagged(text: str, platform: str = "facebook") -> Comment:
    return make_comment("c1", text, platform=platform, tags=Tagger().tag(text))


class _Host(App[None]):
    """A bare app that opens the composer on one comment, with the shipped templates."""

    def __init__(self, comment: Comment) -> None:
        super().__init__()
        self.comment = comment

    def compose(self) -> ComposeResult:
        yield Static("")

    def on_mount(self) -> None:
        today = NOW.date()
        library = load_library(CONFIG, today=today)
        self.push_screen(ComposerScreen(self.comment, self.comment, library, CONFIG,
                                        today=today))


def shown(widget: Static) -> str:
    console = Console(width=200, record=True, color_system=None)
    console.print(widget.content)
    return console.export_text()


async def opened_on(comment: Comment) -> tuple[str | None, str, str]:
    """The template the composer opens on, the text in its editor and its notice."""
    app = _Host(comment)
    async with app.run_test(size=(140, 44)) as pilot:
        await pilot.pause()
        composer = app.screen
        assert isinstance(composer, ComposerScreen)
        return (composer.template_id, composer.query_one(TextArea).text,
                shown(composer.query_one("#composer-notice", Static)))


@pytest.mark.parametrize("text", [
    "I think I'm having a heart attack right now, chest pain down my arm, which ER is closest",
    "My baby is turning blue and not breathing right",
])
async def test_a_medical_emergency_opens_on_911(text: str) -> None:
    template_id, body, notice = await opened_on(tagged(text))
    assert template_id == "crisis-medical-emergency"
    assert body.startswith("If this is a medical emergency, please call 911 now")
    assert "Both" not in notice


async def test_self_harm_opens_on_988() -> None:
    template_id, body, _ = await opened_on(tagged("I've got the pills lined up tonight"))
    assert template_id in ("crisis-988", "crisis-988-short")
    assert "988" in body


async def test_both_kinds_are_named_and_911_comes_first() -> None:
    comment = tagged("I want to kill myself. I took all my pills and now I can't breathe, "
                     "chest pain, call 911")
    template_id, _, notice = await opened_on(comment)
    assert template_id == "crisis-medical-emergency"
    assert ("Both a medical emergency and self-harm (988) were found: the 911 template is "
            "put first; the 988 ones follow.") in " ".join(notice.split())


async def test_a_question_about_a_myth_opens_on_the_myth_answer() -> None:
    comment = tagged("Can the flu shot make you sick? Asking before I take my kids")
    assert comment.tag_names == ("question",)  # asked, not asserted
    template_id, body, _ = await opened_on(comment)
    assert template_id in ("myth-vaccines", "myth-vaccines-short")
    assert "https://www.cdc.gov/flu/prevent/misconceptions.htm" in body


async def test_a_spanish_myth_on_x_gets_the_spanish_template() -> None:
    comment = tagged("La vacuna de la gripe te da la gripe, eso dicen todos mis amigos",
                     platform="x")
    assert comment.tag("misinformation") is not None
    template_id, body, _ = await opened_on(comment)
    assert template_id == "es-myth-vaccines-short"
    assert body.startswith("Mucha gente ha escuchado esto")
