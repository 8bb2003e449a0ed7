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

    def _label(self, index: int, level: int) -> str:
        """A view's label: in full, or shorter at higher ``level`` (the current view is
        always in full)."""
        name, count, late = self._names[index], self._counts[index], self._breaches[index]
        if index == self._current or level == 0:
            return f" {index + 1} {name} {count}" + (f" ({late} late)" if late else "") + " "
        if level == 1:
            return f" {index + 1} {name} {count} "
        if level == 2:
            word = name.split()[0] if name.split() else name
            word = word if len(word) <= 9 else word[:8] + "…"
            return f" {index + 1} {word} {count} "
        return f" {index + 1} {count} "

    def render(self) -> Text:
        """Every view on one line: in full when it fits, else the longest of the others
        shortened one step at a time, so the current view and every number key stay in
        sight."""
        width = self.size.width
        levels = [0] * len(self._names)
        labels = [self._label(i, 0) for i in range(len(self._names))]
        while sum(len(label) + 1 for label in labels) > width:
            shorter = [i for i in range(len(labels)) if i != self._current and levels[i] < 3]
            if not shorter:
                break
            longest = max(shorter, key=lambda i: (len(labels[i]), -levels[i]))
            levels[longest] += 1
            labels[longest] = self._label(longest, levels[longest])
        line = Text(no_wrap=True, overflow="ellipsis")
        self._spans = []
        for index, name in enumerate(self._names):
            start = len(line)
            style = "bold reverse" if index == self._current else ""
            if name.casefold() == "crisis" and self._counts[index]:
                style += " red" if index != self._current else " on red"
            elif levels[index] and self._breaches[index]:
                style += " red"  # some of it is late (said in full when there is room)
            line.append(labels[index], style=style.strip())
            self._spans.append((start, len(line)))
            line.append("│", style="dim")
        return line

    def on_resize(self) -> None:
        self.refresh()

    def on_click(self, event: events.Click) -> None:
        for index, (start, end) in enumerate(self._spans):
            if start <= event.x < end:
                self.post_message(self.Chosen(index))
                return
