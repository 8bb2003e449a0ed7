"""The embedded store's side of the desk contract: reads, Next, presence, holds, replies.

:class:`SeatServices` is mixed into :class:`triage.desk.Desk`. One seat works the data
folder, so Next takes the most urgent unassigned open comment in the queue's priority
order, and presence leases live in this process only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from triage.config import DEFAULT_PRIORITY, Config
from triage.convert import action_from_doc, iso
from triage.errors import ActionRefused
from triage.holds import held_ids, hold_of, hold_record
from triage.model import STATUSES, Action, Comment, Post
from triage.service import ChainCheck, Lease
from triage.store import Store

if TYPE_CHECKING:
    from triage.templates import TemplateLibrary

__all__ = ["SeatServices"]

#: The longest a presence lease lasts before it must be renewed.
LEASE_LIMIT = 3600


class SeatServices:
    """The contract's reads and the commands beyond the queue's own, on one data folder."""

    store: Store
    user: str
    config: Config | None
    library: TemplateLibrary | None
    _leases: dict[tuple[str, str], Lease]
    shared = False

    if TYPE_CHECKING:
        def assign(self, ids: Sequence[str], person: str | None) -> list[Action]: ...

    # -- reads -----------------------------------------------------------------------

    def known(self, ids: Iterable[str]) -> set[str]:
        """Which of ``ids`` are stored."""
        return {i for i in ids if i in self.store.comments}

    def iter_comments(self) -> Iterator[Comment]:
        """Every comment (the whole store, loaded first when it was opened deferred)."""
        self.store.load_all()
        return iter(list(self.store))

    def newest(self, wanted: Callable[[Comment], bool], limit: int | None) -> list[Comment]:
        """The newest comments that are ``wanted``, newest first (at most ``limit``)."""
        page = self.store.page(wanted, limit) if limit is not None else None
        if page is not None:
            return page
        self.store.load_all()
        rows = sorted((c for c in self.store if wanted(c)), key=lambda c: (c.created_at, c.id),
                      reverse=True)
        return rows if limit is None else rows[:limit]

    def counts(self) -> dict[str, int]:
        """How many comments have each status."""
        self.store.load_all()
        return {s: len(self.store.index.ids("status", s)) for s in STATUSES}

    def records(self, table: str) -> dict[str, dict[str, Any]]:
        return self.store.records(table)

    def journal_entries(self) -> Iterator[dict[str, Any]]:
        """The journal's entries, oldest first."""
        self.store.flush()
        return (entry for _, entry in self.store.journal.read())

    def verify_journal(self) -> ChainCheck:
        from triage.journal import verify

        self.store.flush()
        result = verify(self.store.journal.path)
        return ChainCheck(result.entries, result.broken_line, result.reason or None)

    # -- Next and presence -----------------------------------------------------------

    def claim_next(self) -> Comment | None:
        """The most urgent open comment nobody is assigned (and not on legal hold), now
        assigned to this desk's user; None when there is none."""
        from triage.views import priority_key

        self.store.load_all()
        order = self.config.priority.order if self.config is not None else DEFAULT_PRIORITY
        held = held_ids(self.store)
        open_ids = self.store.index.ids("status", "new")
        free = [self.store.comments[i] for i in open_ids
                if i not in held and self.store.comments[i].assignee is None]
        if not free:
            return None
        key = priority_key(order)
        chosen = min(free, key=lambda c: (key(c), c.id))
        self.assign([chosen.id], self.user)
        return self.store.get(chosen.id)

    def lease_set(self, comment_id: str, what: str, seconds: int) -> datetime:
        if not 1 <= seconds <= LEASE_LIMIT:
            raise ActionRefused(f"a lease lasts 1 to {LEASE_LIMIT} seconds, not {seconds}")
        self.store.get(comment_id)
        until = self.store.clock() + timedelta(seconds=seconds)
        self._leases[(comment_id, self.user)] = Lease(comment_id, self.user, what, until)
        return until

    def lease_release(self, comment_id: str) -> bool:
        return self._leases.pop((comment_id, self.user), None) is not None

    def leases(self, comment_id: str | None = None) -> list[Lease]:
        now = self.store.clock()
        return sorted((lease for lease in self._leases.values()
                       if lease.expires_at > now
                       and (comment_id is None or lease.comment_id == comment_id)),
                      key=lambda lease: (lease.comment_id, lease.person))

    def reveal(self, comments: Iterable[Comment], where: str = "") -> list[Action]:
        """Journal that this user (legal only) read the identifiers of ``comments``."""
        from triage.legal.masking import reveal_many

        return reveal_many(self.store, self._config(), self.user, comments, where=where)

    # -- legal holds -----------------------------------------------------------------

    def hold_place(self, comment_id: str, reason: str, escalation: str) -> Action:
        """Put a comment on legal hold (an escalation does it together with its record)."""
        comment = self.store.get(comment_id)
        if hold_of(self.store, comment.id) is not None:
            raise ActionRefused(f"{comment.id} is already on legal hold")
        doc = {"active": True, "comment_id": comment.id, "escalation": escalation,
               "reason": reason, "by": self.user, "at": iso(self.store.clock()),
               "sha256": comment.content_hash}
        return self.store.record([{"user": self.user, "kind": "hold", "comment_id": comment.id,
                                   "data": hold_record(comment.id, doc)}])[0]

    def hold_release(self, comment_id: str, note: str) -> Action:
        """Release a legal hold (the legal role only)."""
        from triage.legal.people import require_role

        if self.config is None:
            raise ActionRefused("only the legal role can release a legal hold")
        require_role(self.config, self.user, "legal", "release a legal hold")
        hold = hold_of(self.store, comment_id)
        if hold is None:
            raise ActionRefused(f"{comment_id} is not on legal hold")
        doc = {**hold, "active": False, "released_by": self.user, "note": note,
               "released_at": iso(self.store.clock())}
        return self.store.record([{"user": self.user, "kind": "hold_release",
                                   "comment_id": comment_id,
                                   "data": {**hold_record(comment_id, doc), "note": note}}])[0]

    def held_among(self, ids: Sequence[str]) -> int:
        """How many of ``ids`` are on legal hold."""
        return len(held_ids(self.store).intersection(ids))

    # -- replies ---------------------------------------------------------------------

    def submit_reply(self, comment_id: str, text: str, template_id: str | None) -> Action:
        """Put a reply in the outbox (checked against the templates and reply policies)."""
        from triage.outbox.commands import submit_reply

        submit_reply(self.store, self._config(), self.user, comment_id, library=self.library,
                     template_id=template_id, text=text, now=self.store.clock())
        return self._last_entry()

    def approve_reply(self, item_id: str, note: str = "") -> Action:
        """Approve a reply waiting for approval (an approver, never one's own)."""
        from triage.outbox.commands import approve

        approve(self.store, self._config(), self.user, item_id, library=self.library,
                now=self.store.clock(), note=note)
        return self._last_entry()

    def _config(self) -> Config:
        return self.config if self.config is not None else Config()

    def _last_entry(self) -> Action:
        return action_from_doc(next(self.store.journal.read_backwards()))

    # -- capture ---------------------------------------------------------------------

    def capture(self, comments: Iterable[Comment], posts: Iterable[Post] = (), *,
                tagged: bool = False) -> tuple[int, int, int]:
        """Store synced or imported comments (tagged by the store's tagger unless
        ``tagged`` says they come tagged already): (new, updated, unchanged)."""
        result = self.store.ingest(comments, posts, user=self.user, tagged=tagged)
        return result.new, result.updated, result.unchanged

    def close(self) -> None:
        """Nothing to let go: the store is closed by whoever opened it."""
        self._leases.clear()
