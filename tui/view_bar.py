"""The view bar: saved views with live counts; number keys switch between them."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.message import Message
from textual.widget import Widget

__all__ = ["ViewBar"]


class ViewBar(Widget):
    """One line: ``1 Crisis 2 │ 2 Needs reply 14 │ …`` with the current view highlighted."""

    DEFAULT_CSS = """
    ViewBar { height: 1; background: $panel; }
    """

    class Chosen(Message):
        """A view was clicked."""

        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._names: list[str] = []
        self._counts: list[int] = []
        self._breaches: list[int] = []
        self._current = 0
        self._spans: list[tuple[int, int]] = []

    def show(self, names: list[str], counts: list[int], breaches: list[int], current: int) -> None:
        self._names, self._counts, self._breaches = names, counts, breaches
        self._current = current
        self.refresh()

    def render(self) -> Text:
        line = Text(no_wrap=True, overflow="ellipsis")
        self._spans = []
        for index, name in enumerate(self._names):
            start = len(line)
            style = "bold reverse" if index == self._current else ""
            if name.casefold() == "crisis" and self._counts[index]:
                style += " red" if index != self._current else " on red"
            label = f" {index + 1} {name} {self._counts[index]}"
            if self._breaches[index]:
                label += f" ({self._breaches[index]} late)"
            line.append(label + " ", style=style.strip())
            self._spans.append((start, len(line)))
            line.append("│", style="dim")
        return line

    def on_click(self, event: events.Click) -> None:
        for index, (start, end) in enumerate(self._spans):
            if start <= event.x < end:
                self.post_message(self.Chosen(index))
                return
