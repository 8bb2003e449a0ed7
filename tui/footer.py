"""The footer of keys, rebuilt only when the keys it shows change, once the cursor rests."""

from __future__ import annotations

from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer

__all__ = ["SettledFooter"]

#: Keys held down (j, k) move faster than this: the footer waits for the cursor to rest.
SETTLE_SECONDS = 0.06


class SettledFooter(Footer):
    """A :class:`Footer` that skips rebuilding itself for a cursor move that leaves the same
    keys available, and rebuilds once after a run of moves rather than after each one.

    Which keys work depends on the selected comment (reply and hide on the platforms whose
    connector can do them), so every move asks the footer to refresh; rebuilding it costs
    about 10 ms, more than the rest of a key press.
    """

    def __init__(self, *, compact: bool = False) -> None:
        super().__init__(compact=compact)
        self._shown: tuple[tuple[str, str, bool], ...] | None = None
        self._pending: Timer | None = None

    def bindings_changed(self, screen: Screen) -> None:
        if self._shown is None:  # the first time: at once
            self._settle(screen)
            return
        if self._pending is not None:
            self._pending.stop()
        self._pending = self.set_timer(SETTLE_SECONDS, lambda: self._settle(screen))

    def _settle(self, screen: Screen) -> None:
        self._pending = None
        if not self.is_attached:
            return
        shown = tuple(
            (key, active.binding.action, bool(active.enabled))
            for key, active in screen.active_bindings.items()
            if active.binding.show
        )
        if shown == self._shown:
            return
        if screen.app.app_focus and screen is self.screen:  # the footer rebuilds itself now
            self._shown = shown
        super().bindings_changed(screen)
