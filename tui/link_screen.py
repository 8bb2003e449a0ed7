"""Opening a comment's link: in the browser where there is one, else shown to copy."""

from __future__ import annotations

import os
import sys
import webbrowser

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from triage.textsafe import clean

__all__ = ["LinkScreen", "browser_available", "open_link"]


def browser_available(app: App[object]) -> bool:
    """Whether a link can open in a browser the person sees: always in a web terminal;
    never over SSH (a browser would open on the far machine, or in this terminal);
    on Linux and the BSDs only with a graphical display."""
    if app.is_web:
        return True
    if os.environ.get("SSH_CONNECTION") or os.environ.get("SSH_TTY"):
        return False
    if sys.platform not in ("darwin", "win32") and not (
            os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return False
    try:
        webbrowser.get()
    except webbrowser.Error:
        return False
    return True


def open_link(app: App[object], url: str, what: str) -> None:
    """Open ``url`` in the browser, or show it to copy (and offer it to the terminal's
    clipboard, which many terminals accept even over SSH)."""
    if not url:
        app.notify(f"{what} has no link: the platform gave none.", severity="warning",
                   markup=False)
        return
    if browser_available(app):
        app.open_url(url)
        app.notify(f"Opened in your browser: {url}", timeout=4, markup=False)
        return
    app.copy_to_clipboard(url)
    app.push_screen(LinkScreen(url))


class LinkScreen(ModalScreen[None]):
    """The link, shown whole to select and copy, where no browser can open it."""

    BINDINGS = [Binding("escape,enter,q,o", "app.pop_screen", "Close", id="link.close")]
    DEFAULT_CSS = """
    LinkScreen { align: center middle; }
    LinkScreen > Vertical {
        width: 90%; max-width: 120; height: auto; border: thick $accent;
        background: $surface; padding: 0 1;
    }
    LinkScreen #link-url { margin: 1 0; text-style: bold; }
    """

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("No browser here: the link, to copy", markup=False)
            yield Static(Text(clean(self.url), overflow="fold"), id="link-url")
            yield Static(Text("Sent to your terminal's clipboard too, where it accepts that. "
                              "Escape closes.", style="dim"))
