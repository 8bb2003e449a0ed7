"""The account bar: one line saying how each account's sync stands, coloured by state."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from rich.text import Text
from textual import events
from textual.widgets import Static

from triage.sync_sink import AccountStatus
from triage.timefmt import ago

__all__ = ["AccountBar", "AccountLine", "bar_text"]

SEPARATOR = "  │  "
HINT = "ctrl+r syncs now"
STYLES = {
    "ok": "green",
    "syncing": "cyan",
    "never": "dim",
    "rate_limited": "yellow",
    "auth_error": "bold red",
    "error": "bold red",
    "note": "dim",
}


@dataclass(frozen=True, slots=True)
class AccountLine:
    """What the bar knows of one account: its last status, whether it syncs now, or a
    note instead of a status (an account that is not synced, e.g. a sandbox's)."""

    name: str
    status: AccountStatus | None = None
    syncing: bool = False
    note: str = ""

    @property
    def kind(self) -> str:
        if self.note:
            return "note"
        if self.syncing:
            return "syncing"
        return self.status.state if self.status is not None else "never"

    def describe(self, now: datetime, *, why: bool = False) -> str:
        """``riverside-fb ok · 3 min ago``, ``rcph-x rate-limited until 14:05``, …

        ``why``: a rate limit says the platform's reason too (the bar's hover text); the
        bar itself stays short.
        """
        if self.note:
            return f"{self.name} — {self.note}"
        if self.syncing:
            return f"{self.name} syncing…"
        status = self.status or AccountStatus(self.name)
        label = status.explained(now) if why else status.label(now)
        if status.state == "ok" and (status.last_ok or status.at):
            label += f" · {ago(status.last_ok or status.at or now, now)}"
        elif status.failed and status.message:
            label += ": " + _without_account(status.message, self.name)
        return f"{self.name} {label}"


def _without_account(message: str, name: str) -> str:
    prefix = f"{name}: "
    return message[len(prefix):] if message.startswith(prefix) else message


def _summaries(lines: Sequence[AccountLine], now: datetime) -> list[tuple[str, str]]:
    """The short form: accounts that need nobody counted, the others named."""
    out: list[tuple[str, str]] = []
    syncing = [line for line in lines if line.kind == "syncing"]
    ok = [line for line in lines if line.kind == "ok"]
    never = [line for line in lines if line.kind == "never"]
    if syncing:
        out.append((f"syncing {len(syncing)} account{'s' if len(syncing) > 1 else ''}…",
                    "syncing"))
    if ok:
        latest = max((line.status.last_ok or line.status.at or now for line in ok
                      if line.status is not None), default=now)
        out.append((f"{len(ok)} ok · {ago(latest, now)}", "ok"))
    if never:
        out.append((f"{len(never)} not synced yet", "never"))
    for line in lines:
        if line.kind in ("rate_limited", "auth_error", "error"):
            out.append((line.describe(now), line.kind))
    groups: dict[str, list[str]] = {}  # "bluesky: sandbox" + "reddit: sandbox" -> one part
    for line in lines:
        if line.kind == "note":
            label, _, rest = line.note.partition(": ")
            if not rest:
                label, rest = line.name, line.note
            groups.setdefault(rest, []).append(label)
    out.extend((f"{', '.join(labels)}: {rest}", "note") for rest, labels in groups.items())
    return out


def _join(parts: Sequence[tuple[str, str]], hint: bool) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    for index, (part, kind) in enumerate(parts):
        if index:
            text.append(SEPARATOR, "dim")
        text.append(part, STYLES.get(kind, ""))
    if hint:
        text.append(SEPARATOR + HINT, "dim italic")
    return text


def bar_text(lines: Sequence[AccountLine], now: datetime, width: int) -> Text:
    """The bar for ``width`` cells: every account named when that fits, else the ones
    that need someone named and the rest counted; the ctrl+r hint when there is room."""
    full = [(line.describe(now), line.kind) for line in lines]
    for parts in (full, _summaries(lines, now)):
        for hint in (True, False):
            text = _join(parts, hint)
            if text.cell_len <= width:
                return text
    text = _join(_summaries(lines, now), False)
    text.truncate(max(width, 1), overflow="ellipsis")
    return text


class AccountBar(Static):
    """One line above the status line: each account's sync state (hover: all of them)."""

    DEFAULT_CSS = """
    AccountBar {
        height: 1;
        padding: 0 1;
        background: $panel;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self.display = False  # until there is an account to show
        self._lines: tuple[AccountLine, ...] = ()
        self._now: datetime | None = None
        self._shown: Text | None = None

    @property
    def text(self) -> str:
        """What the bar says now ("" while hidden)."""
        return self._shown.plain if self._shown is not None and self.display else ""

    def show(self, lines: Sequence[AccountLine], now: datetime) -> None:
        """Show ``lines``; the bar hides itself when there is no account at all."""
        self._lines = tuple(lines)
        self._now = now
        self.display = bool(self._lines)
        self._draw()

    def _draw(self) -> None:
        if not self._lines or self._now is None:
            return
        width = max(self.content_region.width or self.app.size.width - 2, 10)
        text = bar_text(self._lines, self._now, width)
        if self._shown is not None and text == self._shown:
            return
        self._shown = text
        self.update(text)
        self.tooltip = Text("\n".join(line.describe(self._now, why=True)
                                      for line in self._lines))

    def on_resize(self, event: events.Resize) -> None:
        self._draw()
