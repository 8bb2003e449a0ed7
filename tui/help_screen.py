"""The help screen: every key that works here, what it does, and its id for [keymap]."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

__all__ = ["HelpScreen"]


def _key_label(screen: Screen, key: str) -> str:
    return screen.app.get_key_display(Binding(key, ""))


class HelpScreen(ModalScreen[None]):
    """Lists the bindings active on the screen beneath, as remapped by the keymap."""

    BINDINGS = [
        Binding("escape,q,question_mark", "app.pop_screen", "Close", id="help.close"),
    ]

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 90; max-width: 95%; height: auto; max-height: 90%;
        border: thick $accent; background: $surface; padding: 0 1;
    }
    """

    def __init__(self, beneath: Screen) -> None:
        super().__init__()
        self._beneath = beneath

    def compose(self) -> ComposeResult:
        table = Table(box=None, expand=True, show_edge=False, pad_edge=False)
        table.add_column("Key", style="bold", no_wrap=True)
        table.add_column("Does")
        table.add_column("Id (for [keymap] in config.toml)", style="dim", no_wrap=True)
        seen: dict[tuple[str, str], list[str]] = {}
        for key, active in self._beneath.active_bindings.items():
            binding = active.binding
            if binding.system and binding.action != "command_palette":
                continue
            ident = binding.id or binding.action
            label = binding.description or binding.action
            seen.setdefault((ident, label), []).append(_key_label(self._beneath, key))
        for (ident, label), keys in sorted(seen.items(), key=lambda item: item[0][0]):
            table.add_row(" ".join(keys), Text(label), ident)
        title = Text("Keys — press ? or escape to close", style="bold")
        with VerticalScroll():
            yield Static(title)
            yield Static(table)
