"""The help screen: every key here, what it does (or why it cannot now), its id for [keymap]."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import ActiveBinding, Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

__all__ = ["HelpScreen", "refusal_of"]


def refusal_of(active: ActiveBinding) -> str:
    """Why a disabled key cannot work now, from its screen's or the app's ``refusal``
    (a method taking the action's name; "" when it gives no reason)."""
    action = active.binding.action
    target: object = active.node
    if action.startswith("app."):
        target = active.node.app
    elif action.startswith("screen."):
        target = active.node.screen
    why = getattr(target, "refusal", None)
    if not callable(why):
        return ""
    name = action.split("(")[0].rsplit(".", 1)[-1]
    return str(why(name) or "")


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
        width: 116; max-width: 96%; height: auto; max-height: 94%;
        border: thick $accent; background: $surface; padding: 0 1;
    }
    """

    def __init__(self, beneath: Screen) -> None:
        super().__init__()
        self._beneath = beneath
        # Read while the screen beneath is still the active one: which keys work there
        # depends on what is selected on it, not on this screen.
        self._active = dict(beneath.active_bindings)

    def compose(self) -> ComposeResult:
        table = Table(box=None, expand=True, show_edge=False, pad_edge=False)
        table.add_column("Key", style="bold", no_wrap=True)
        table.add_column("Does", ratio=1)
        table.add_column(Text("Id (for [keymap] in config.toml)"), style="dim", no_wrap=True)
        # The order of the binding chain: the list's moves, the screen's actions, the app's.
        rows: dict[str, tuple[Binding, str | None, list[str]]] = {}
        for key, active in self._active.items():
            binding = active.binding
            if binding.id is None and binding.action != "command_palette":
                continue  # Textual's own (focus, scrolling sideways): not this desk's keys
            ident = binding.id or binding.action
            why = None if active.enabled else refusal_of(active)
            _, _, keys = rows.setdefault(ident, (binding, why, []))
            keys.append(_key_label(self._beneath, key))
        for ident, (binding, why, keys) in rows.items():
            does = Text(self._describe(ident, binding))
            if why is not None:
                does.append(f" (not available here{': ' + why if why else ''})",
                            style="italic dim")
            table.add_row(" ".join(keys), does, ident)
        title = Text("Keys — press ? or escape to close", style="bold")
        with VerticalScroll():
            yield Static(title)
            identity = getattr(self.app, "identity", "")
            if identity:
                yield Static(Text(identity), id="help-identity")
            yield Static(table)

    def _describe(self, ident: str, binding: Binding) -> str:
        """What a key does: its name, and its longer description when it has one; a
        number key names its view."""
        views = getattr(self.app, "views", None)
        if ident.startswith("view.") and isinstance(views, list):
            number = int(ident.split(".")[1])
            if number <= len(views):
                return f"View {number}: {getattr(views[number - 1], 'name', '')}"
            return f"View {number}: none yet (add [[views]] to config.toml)"
        if ident == "command_palette":
            return "Command palette — every action and every reply template, by name"
        label = binding.description or binding.action
        tooltip = binding.tooltip
        return f"{label} — {tooltip}" if tooltip and tooltip != label else label
