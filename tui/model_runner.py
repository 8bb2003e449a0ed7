"""Runs the learned layer's pass in the background: the desk never waits for it.

The comments to score are chosen on the UI thread, scored in a thread worker, and the
additions journaled back on the UI thread; the list reloads when the store changes.
If the layer cannot load, the desk says so once and the rules carry on alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.worker import Worker

from triage.errors import ModelUnavailable

if TYPE_CHECKING:
    from tui.app import TriageApp

__all__ = ["ModelRunner"]

#: Comments scored per round (a round then yields to the UI thread to journal them).
ROUND = 64


class ModelRunner:
    """Keeps the model pass going while there are comments it has not scored."""

    def __init__(self, app: TriageApp) -> None:
        self.app = app
        self.enabled = app.config.tagger.model != "off"
        self._pass: Any = None
        self._worker: Worker[None] | None = None
        self.notice = ""

    def kick(self) -> None:
        """Start a round if none is running and the layer is (or may become) usable."""
        if not self.enabled or not self.app.store.loaded:
            return
        if self._worker is not None and self._worker.is_running:
            return
        todo = self._pass.pending()[:ROUND] if self._pass is not None else None
        if todo == []:
            return
        self._worker = self.app.run_worker(lambda: self._round(todo), thread=True,
                                           group="model", exit_on_error=False)

    def _round(self, todo: list[Any] | None) -> None:
        if self._pass is None:
            try:
                from triage.learned import load_layer
                from triage.learned.background import ModelPass

                layer = load_layer(self.app.config.tagger, self.app.config.resolve)
            except ModelUnavailable as exc:
                self.app.call_from_thread(self._unavailable, str(exc))
                return
            self._pass = ModelPass(self.app.store, layer)
            self.app.call_from_thread(self.kick_later)
            return
        scored = self._pass.score(todo or [])
        self.app.call_from_thread(self._apply, scored)

    def _apply(self, scored: list[Any]) -> None:
        self.app.perform(lambda: self._pass.apply(scored))
        self.kick_later()

    def kick_later(self) -> None:
        self.app.call_later(self.kick)

    def _unavailable(self, reason: str) -> None:
        self.enabled = False
        self.notice = f"Rules only: {reason}"
        self.app.notify(self.notice, title="Learned layer", severity="warning", timeout=15,
                        markup=False)
