"""The app's messages: what the services and other desks tell the screens, posted upward."""

from __future__ import annotations

from collections.abc import Iterable

from textual.message import Message

__all__ = ["AccountsChanged", "CommentsChanged", "DeliveriesRecorded",
           "FirstSyncDone", "PresenceChanged", "QueueStale"]


class CommentsChanged(Message):
    """Comments changed (an action here, a send's result, another desk): show them again.

    ``stay`` is the comment the cursor stays on even when it leaves the view (the same key
    then takes the action back); ``by`` is who changed them when it was another desk.
    """

    def __init__(self, ids: Iterable[str], *, stay: str | None = None, by: str = "") -> None:
        super().__init__()
        self.ids = tuple(dict.fromkeys(ids))
        self.stay = stay
        self.by = by


class PresenceChanged(Message):
    """``person`` started (``what``: "replying") or stopped (``what`` "") working on a
    comment at another desk."""

    def __init__(self, comment_id: str, person: str, what: str) -> None:
        super().__init__()
        self.comment_id = comment_id
        self.person = person
        self.what = what


class QueueStale(Message):
    """The store took in comments (a sync): read the queue again."""

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, QueueStale)


class FirstSyncDone(Message):
    """The first sync since start has ended (the queue may change its opening view)."""


class AccountsChanged(Message):
    """An account's sync started, ended or changed state: show the account bars again."""

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, AccountsChanged)


class DeliveriesRecorded(Message):
    """A round of deliveries to legal was recorded: the legal screen shows it."""
