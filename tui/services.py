"""What the app hands down to its screens: the desk, the configuration, the clock, the services."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from textual.app import App
from textual.widget import Widget

from triage.config import Config
from triage.desk import Desk
from triage.errors import TriageError
from triage.views import Sla, View
from tui.legal_duties import LegalDuties
from tui.outbox_sender import OutboxSender
from tui.sync_runner import SyncRunner

__all__ = ["Services", "perform"]

T = TypeVar("T")


@dataclass
class Services:
    """One desk's services, built once by the app and passed to every screen that needs them."""

    desk: Desk
    config: Config
    #: The time now (the app's clock; tests set a fixed one).
    clock: Callable[[], datetime]
    views: list[View]
    sla: Sla
    legal: LegalDuties
    outbox: OutboxSender
    sync: SyncRunner
    show_clock: bool = True

    @property
    def user(self) -> str:
        return self.desk.user


def perform(node: App[None] | Widget, command: Callable[[], T]) -> T | None:
    """Run a desk command; a refusal or a problem becomes a notification from ``node``."""
    try:
        return command()
    except TriageError as exc:
        node.notify(str(exc), severity="error", markup=False)
        return None
