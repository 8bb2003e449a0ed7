"""The app's legal duties: holds and masked identifiers, deliveries retried, retention at start.

:class:`LegalApp` is the base of the Triage app. It refuses to act on held comments
(naming the hold), keeps for the session which comments a person revealed (masked
everywhere until then, every reveal journaled), retries pending deliveries to legal with
backoff in a worker thread that never blocks the UI, and once the whole queue is loaded
applies ``[retention]`` once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection
from datetime import datetime
from functools import partial
from typing import TypeVar

from rich.text import Text
from textual import on, work
from textual.app import App
from textual.worker import Worker, get_current_worker

from triage.ae import GUARDED, ae_states, open_intake_ids, require_intake_settled
from triage.config import Config
from triage.errors import TriageError
from triage.holds import held_ids, hold_of, require_not_held
from triage.legal import (
    Attempt,
    DeliveryJob,
    apply_retention,
    attempt,
    configured_channels,
    has_identifiers,
    has_role,
    masked,
    pending_deliveries,
    record_attempts,
    reveal,
)
from triage.legal.decisions import LegalDecision, decision_lookup, states_from
from triage.model import Comment
from triage.query import LegalStates
from triage.store import Store
from triage.textsafe import counted
from tui.legal_screen import LegalScreen

__all__ = ["DELIVERY_CHECK_SECONDS", "LegalApp"]

#: How often the app looks for deliveries whose backoff has run out.
DELIVERY_CHECK_SECONDS = 10.0
#: How often a delivery worker checks, while it waits for an endpoint, that the app stays.
_CANCEL_POLL_SECONDS = 0.1

T = TypeVar("T")


def _unless_cancelled(worker: Worker[None], call: Callable[[], T]) -> T | None:
    """Run ``call`` in a thread of its own and wait for it, unless ``worker`` is cancelled
    first (the app is quitting): then give up waiting and return None."""
    result: list[T] = []
    done = threading.Event()

    def run() -> None:
        try:
            result.append(call())
        finally:
            done.set()

    threading.Thread(target=run, name="triage-delivery", daemon=True).start()
    while not done.wait(_CANCEL_POLL_SECONDS):
        if worker.is_cancelled:
            return None
    return result[0] if result else None


class LegalApp(App[None]):
    """The legal side of the app; :class:`tui.app.TriageApp` builds on it."""

    store: Store
    config: Config
    user: str
    clock: Callable[[], datetime]

    def __init__(self, *, background_delivery: bool = True) -> None:
        super().__init__()
        #: Retry pending deliveries in the background (off in tests that must not send).
        self.background_delivery = background_delivery
        #: Comments whose identifiers the acting person revealed this session.
        self.revealed: set[str] = set()
        self._delivering = False
        self._retention_done = False
        self._decisions: dict[str, LegalDecision] = {}
        self._decisions_version = -1
        self._intake_states: tuple[object, LegalStates] | None = None

    def start_legal_duties(self) -> None:
        """Call once mounted: start the delivery retries and, if loaded, retention."""
        if self.background_delivery and configured_channels(self.config):
            self.set_interval(DELIVERY_CHECK_SECONDS, self.deliver_due)
            self.deliver_due()
        self.apply_retention_at_start()

    # -- holds and masking -----------------------------------------------------------

    def not_held(self, ids: list[str], action: str, noun: str = "marked comment") -> list[str]:
        """The ids ``action`` may touch: a held comment is refused, saying why; held ones
        among several are left out, saying how many. Dismissing or hiding also leaves out
        adverse events whose intake is open (pharmacovigilance settles those first)."""
        held = held_ids(self.store).intersection(ids)  # legal decides what happens to those
        intake = (open_intake_ids(self.store) - held).intersection(ids) \
            if action in GUARDED else set()
        if (held or intake) and len(ids) == 1:
            try:
                require_not_held(self.store, ids[0], action)
                require_intake_settled(self.store, ids[0], action)
            except TriageError as exc:
                self.notify(str(exc), severity="error", markup=False)
            return []
        if held:
            verb = "is on legal hold and stays as it is" if len(held) == 1 else (
                "are on legal hold and stay as they are")
            self.notify(f"{counted(len(held), noun)} {verb}",
                        severity="warning", markup=False)
        if intake:
            verb = "is an adverse event whose intake is open" if len(intake) == 1 else (
                "are adverse events whose intake is open")
            self.notify(f"{counted(len(intake), 'marked comment')} {verb}: left as "
                        f"{'it is' if len(intake) == 1 else 'they are'} until "
                        "pharmacovigilance completes it (i)", severity="warning", markup=False)
        return [i for i in ids if i not in held and i not in intake]

    def legal_decisions(self) -> dict[str, LegalDecision]:
        """Each comment's legal decision (read again only when the store changed)."""
        if self._decisions_version != self.store.version:
            self._decisions = decision_lookup(self.store)
            self._decisions_version = self.store.version
        return self._decisions

    def legal_states(self) -> LegalStates:
        """What ``legal:`` and ``ae:`` in a query match, from the decisions and intakes
        read last (again when the store changes, or the day does)."""
        legal = states_from(self.legal_decisions())
        now = self.clock()
        key = (self.store.version, now.date())
        if self._intake_states is None or self._intake_states[0] != key:
            self._intake_states = (key, ae_states(self.store, self.config, now))
        intake = self._intake_states[1]

        def states(comment: Comment) -> Collection[str]:
            found = intake(comment)
            return found if not (words := legal(comment)) else {*words, *found}

        return states

    def legal_marker(self, comment: Comment) -> str | None:
        """The list's status for a comment whose legal decision is still to carry out."""
        found = self.legal_decisions().get(comment.id)
        if found is None or not found.pending(comment):
            return None
        return f"{comment.status} {found.marker()}"

    def legal_notices(self, comment: Comment) -> list[Text]:
        """What the detail pane says first: the comment's hold, legal's decision on it,
        its masked identifiers."""
        notices = []
        hold = hold_of(self.store, comment.id)
        if hold is not None:
            notices.append(Text(
                f"On legal hold ({hold.get('escalation', 'escalated')}: {hold.get('reason')}): "
                "reply, hide and delete are refused until legal releases it.", style="bold red"))
        found = self.legal_decisions().get(comment.id)
        if found is not None and hold is None:
            pending = found.pending(comment)
            notices.append(Text(found.label() + (" (to be carried out)" if pending else " (done)"),
                                style="bold yellow" if pending else "green"))
        if self.is_masked(comment):
            said = ("Identifiers are masked — v reveals them (journaled)."
                    if has_role(self.config, self.user, "legal")
                    else "Identifiers are masked; only the legal role reveals them.")
            notices.append(Text(said, style="italic dim"))
        return notices

    def shown(self, comment: Comment) -> Comment:
        """The comment as this person may see it: identifiers masked unless revealed."""
        return comment if comment.id in self.revealed else masked(comment)

    def is_masked(self, comment: Comment) -> bool:
        return comment.id not in self.revealed and has_identifiers(comment)

    def toggle_reveal(self, comment: Comment, where: str) -> bool | None:
        """Reveal a comment's identifiers (journaled), or mask them again.

        Returns True when revealed, False when masked again, None when refused.
        """
        if comment.id in self.revealed:
            self.revealed.discard(comment.id)
            return False
        try:
            reveal(self.store, self.config, self.user, comment.id, where=where)
        except TriageError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return None
        self.revealed.add(comment.id)
        return True

    # -- retention -------------------------------------------------------------------

    def apply_retention_at_start(self) -> None:
        """Apply ``[retention]`` once per start, when the whole queue is in memory."""
        if self._retention_done or not self.store.loaded or self.config.retention.days <= 0:
            return
        self._retention_done = True
        try:
            report = apply_retention(self.store, self.config, self.user)
        except TriageError as exc:
            self.notify(f"Retention was not applied: {exc}", severity="error", markup=False)
            return
        if report.purged:
            held = f"; kept {len(report.kept_held)} on legal hold" if report.kept_held else ""
            self.notify(
                "Retention: purged the text of "
                f"{counted(len(report.purged), 'closed comment')} older than "
                f"{report.days} days{held}. The journal keeps their hashes.",
                timeout=10, markup=False,
            )

    # -- delivery to legal -----------------------------------------------------------

    def deliver_due(self, *, force: bool = False) -> bool:
        """Send the pending deliveries that are due (all of them with ``force``).

        Returns False when a round is still under way (nothing new is started, so no
        delivery is ever sent twice at once) or nothing is pending.
        """
        if self._delivering:
            return False
        try:
            jobs = pending_deliveries(self.store, self.config, now=self.store.clock(),
                                      force=force)
        except TriageError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return False
        if not jobs:
            return False
        self._delivering = True
        self._send_deliveries(jobs)
        return True

    @property
    def delivering(self) -> bool:
        """Whether a round of deliveries is being sent now."""
        return self._delivering

    @work(thread=True, group="deliver", exit_on_error=False)
    def _send_deliveries(self, jobs: list[DeliveryJob]) -> None:
        """Send off the UI thread; the store is written back on the UI thread.

        Quitting cancels the worker: it stops waiting at once (a slow endpoint never holds
        the app open), records nothing more, and what was not recorded stays pending — a
        copy the endpoint did get carries the same idempotency key when it is sent again.
        """
        worker = get_current_worker()
        attempts: list[Attempt] = []
        for job in jobs:
            tried = _unless_cancelled(worker, partial(attempt, self.config, job))
            if tried is None:
                return
            attempts.append(tried)
        try:
            self.call_from_thread(self._record_deliveries, attempts)
        except RuntimeError:
            pass  # the app closed meanwhile: the deliveries stay pending, retried later

    def _record_deliveries(self, attempts: list[Attempt]) -> None:
        self._delivering = False
        try:
            record_attempts(self.store, self.user, attempts, now=self.store.clock())
        except TriageError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        if isinstance(self.screen, LegalScreen):
            self.screen.refresh_rows()
        for tried in attempts:
            delivery = tried.delivery
            if tried.ok:
                self.notify(f"{delivery.escalation_id} delivered to legal by {delivery.channel}",
                            timeout=5, markup=False)
            elif delivery.attempts == 0:  # say it once; the Legal screen shows the rest
                self.notify(f"{delivery.escalation_id} not delivered yet — {tried.error}; "
                            "retried in the background", severity="warning", timeout=10,
                            markup=False)

    @on(LegalScreen.DeliverNow)
    def _deliver_now(self) -> None:
        if not configured_channels(self.config):
            self.notify("No [escalation] channel in config.toml: nothing to deliver to.",
                        severity="warning", markup=False)
        elif self._delivering:
            self.notify("Deliveries are being sent already.", markup=False)
        elif not self.deliver_due(force=True):
            self.notify("Nothing is pending delivery.", markup=False)
