"""The view bar: saved views with live counts; number keys switch between them."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.message import Message
from textual.widget import Widget

__all__ = ["SHORT_NAMES", "ViewBar", "short_name"]

#: Shorter and shortest names of the built-in views, for narrow terminals.
SHORT_NAMES: dict[str, tuple[str, str]] = {
    "crisis": ("Crisis", "Crisis"),
    "needs reply": ("Reply", "Reply"),
    "privacy": ("Privacy", "Priv"),
    "myths": ("Myths", "Myth"),
    "misinformation": ("Myths", "Myth"),
    "adverse events": ("Adverse", "Adv"),
    "ae intake": ("AE intake", "AE"),
    "escalated": ("Escalated", "Esc"),
    "legal": ("Legal", "Legal"),
    "mine": ("Mine", "Mine"),
    "all": ("All", "All"),
}


def short_name(name: str, *, tiny: bool = False) -> str:
    """A view's shorter name (its first word for a view of one's own), or its shortest."""
    known = SHORT_NAMES.get(name.casefold())
    if known is not None:
        return known[tiny]
    word = name.split()[0] if name.split() else name
    limit = 5 if tiny else 10
    return word if len(word) <= limit else word[:limit - 1] + "…"


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

    def _label(self, index: int, level: int, pad: bool) -> str:
        """A view's label at a ``level`` of shortening: 0 in full, 1 without its late
        count, 2 and 3 a shorter and a shortest name (never cut mid-word for the built-in
        views), 4 its number and count alone."""
        name, count, late = self._names[index], self._counts[index], self._breaches[index]
        if level == 0 and late:
            label = f"{index + 1} {name} {count} ({late} late)"
        elif level <= 1:
            label = f"{index + 1} {name} {count}"
        elif level <= 3:
            label = f"{index + 1} {short_name(name, tiny=level == 3)} {count}"
        else:
            label = f"{index + 1} {count}"
        return f" {label} " if pad else label

    def _fit(self, width: int) -> tuple[list[str], list[int]]:
        """The labels, shortened one step at a time (the longest first) until the line
        fits: first with room around each label, then without; the current view keeps
        its name in full unless nothing else can give."""
        count = len(self._names)
        for pad in (True, False):
            levels = [0] * count
            labels = [self._label(i, 0, pad) for i in range(count)]
            while sum(len(label) + 1 for label in labels) - 1 > width:
                # The current view may take its shorter names; the Crisis view, like the
                # current one, always keeps a name (never its number and count alone).
                limit = [3 if i == self._current or self._names[i].casefold() == "crisis"
                         else (3 if pad else 4) for i in range(count)]
                shorter = [i for i in range(count) if levels[i] < limit[i]]
                if pad and all(levels[i] >= 3 for i in range(count) if i != self._current):
                    break  # try without the room around the labels
                if not shorter:
                    break
                # The least shortened first, the longest of those; the current view's
                # late count goes only once the others have their shorter names.
                longest = max(shorter, key=lambda i: (
                    -levels[i] - (1.5 if i == self._current else 0), len(labels[i])))
                levels[longest] += 1
                labels[longest] = self._label(longest, levels[longest], pad)
            if sum(len(label) + 1 for label in labels) - 1 <= width:
                break
        return labels, levels

    def render(self) -> Text:
        """Every view on one line, shortened only as much as the width asks, so that the
        current view and every number key stay in sight."""
        labels, levels = self._fit(self.size.width)
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
            if index < len(self._names) - 1:
                line.append("│", style="dim")
        return line

    def on_resize(self) -> None:
        self.refresh()

    def on_click(self, event: events.Click) -> None:
        for index, (start, end) in enumerate(self._spans):
            if start <= event.x < end:
                self.post_message(self.Chosen(index))
                return
