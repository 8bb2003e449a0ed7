"""The desk: the one command path through which people change the queue.

The TUI and the command line call a :class:`Desk`; it checks the action is allowed,
records it through the store (journal first) and answers with the actions written.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from triage.closing import closing_record, needs_reason, reason_key
from triage.convert import action_from_doc, tag_to_doc
from triage.errors import ActionRefused, NotFound
from triage.groups import Group, Grouper
from triage.history import HistoryEntry, author_history
from triage.holds import held_ids, require_not_held
from triage.model import STATUSES, TAG_NAMES, Action, Comment, Tag
from triage.notes import NOTES, Note, checked_note, note_entry, notes_from_records
from triage.seat import SeatServices
from triage.store import Store, stored_fields

if TYPE_CHECKING:
    from triage.config import Config
    from triage.templates import TemplateLibrary

__all__ = ["AT_SOURCE", "PERSON_ACTIONS", "REPLIES", "UNDOABLE", "Desk", "cannot_undo",
           "check_status", "check_tag", "last_of", "refuse_undo"]

#: Kinds of action that the desk's ``undo`` takes back.
UNDOABLE = frozenset({"dismiss", "restore", "assign", "tag", "status"})
#: Kinds undone by asking the platform again (the outbox's ``undo_hide``).
AT_SOURCE = frozenset({"hide", "unhide"})
#: Kinds undone by cancelling the reply, while it is not sent yet.
REPLIES = frozenset({"reply_queued", "reply_submitted", "reply_retry"})
#: Why the other things a person does cannot be undone.
_FINAL = {
    "delete": "cannot undo a delete: the comment was removed from its platform for everyone",
    "escalate": "cannot undo an escalation: legal releases the hold (L)",
    "reply_cancelled": "cannot undo cancelling a reply: compose it again (r)",
    "reply_approved": "cannot undo an approval: the reply is sent or on its way",
    "reply_rejected": "cannot undo a rejection: the writer may submit the reply again",
    "escalation_note": "cannot undo a note on an escalation: legal's record stays as it is",
    "release": "cannot undo releasing a legal hold: legal's record stays as it is",
    "escalation_close": "cannot undo closing an escalation: legal's record stays as it is",
}
#: Everything a person does that ``u`` considers "the last action" (the sender's and the
#: sync's entries, reveals and exports are not actions on the queue).
PERSON_ACTIONS = UNDOABLE | AT_SOURCE | REPLIES | frozenset(_FINAL)


def cannot_undo(action: Action) -> str:
    """Why ``action`` cannot be undone, as the person reads it ("" when it can)."""
    return _FINAL.get(action.kind, "")


def check_status(status: str) -> None:
    """Refuse a status a person cannot set (unknown, or ``deleted``), saying why."""
    if status not in STATUSES:
        raise ActionRefused(f"unknown status {status!r} (one of {', '.join(STATUSES)})")
    if status == "deleted":
        raise ActionRefused("a comment is deleted at its source (triage delete, or D), "
                            "not by setting its status")


def check_tag(tag: str) -> None:
    """Refuse an unknown tag, naming the tags there are."""
    if tag not in TAG_NAMES:
        raise ActionRefused(f"unknown tag {tag!r} (one of {', '.join(TAG_NAMES)})")


def refuse_undo(targets: Sequence[Action]) -> None:
    """Refuse undoing ``targets`` (the user's last action) when there is nothing to undo or
    the desk cannot take it back, saying why."""
    if not targets:
        raise ActionRefused("nothing to undo")
    kind = targets[0].kind
    if kind not in UNDOABLE:
        raise ActionRefused(cannot_undo(targets[0]) or (
            f"the last action was {kind.replace('_', ' ')}, which the desk cannot "
            "undo here"))


def last_of(docs_backwards: Iterable[dict[str, Any]], user: str) -> list[Action]:
    """``user``'s last action not undone yet (all of it, when it was a batch), from journal
    entries read newest first.

    An entry that undid another (an ``undo``, or a hide, unhide or cancel made by
    undoing) names it in ``data.undoes``: both are passed over.
    """
    undone: set[int] = set()
    found: list[Action] = []
    for doc in docs_backwards:
        if doc.get("user") != user:
            continue
        undoes = (doc.get("data") or {}).get("undoes")
        if undoes is not None:
            undone.add(int(undoes))
            continue
        if doc.get("kind") not in PERSON_ACTIONS or int(doc["seq"]) in undone:
            if found and doc.get("kind") in PERSON_ACTIONS:
                break
            continue
        action = action_from_doc(doc)
        if found:
            if action.batch is None or action.batch != found[0].batch:
                break
        found.append(action)
        if action.batch is None:
            break
    return found


class Desk(SeatServices):
    """Commands on the queue, done as ``user``, on the embedded store (one seat)."""

    def __init__(self, store: Store, user: str, team: Sequence[str] = (), *,
                 config: Config | None = None, library: TemplateLibrary | None = None) -> None:
        self.store = store
        self.user = user
        #: Names of the team (config [[team]]); assignment is limited to them when set.
        self.team = tuple(team)
        self.config = config
        self.library = library
        self._leases = {}
        self._notes: dict[str, list[Note]] = {}
        self._notes_version = -1
        self._grouper = Grouper()

    # -- status ----------------------------------------------------------------------

    def dismiss(self, ids: Sequence[str], reason: str | None = None) -> list[Action]:
        """Dismiss comments: nothing to do for the team. Already-dismissed ones are skipped.

        An open crisis among them needs ``reason``, what was done (``CLOSE_REASONS``); it
        is journaled with each crisis's dismissal. ``not-crisis`` also takes the crisis
        tag off, as a correction, in the same batch (one undo).
        """
        comments = self.get_many(self.not_held(ids, "dismiss", intake=True))
        crises = {c.id for c in comments if needs_reason(c)}
        key = reason_key(reason) if crises else None
        at = self.store.clock()
        changes: list[tuple[str, Comment, dict[str, Any], dict[str, Any] | None]] = []
        if key == "not-crisis":
            changes += [("tag", *change) for change in
                        self._tag_changes(sorted(crises), "crisis", add=False)]
        for comment in comments:
            data = None
            if comment.id in crises and comment.status != "dismissed":
                data = {"reason": key,
                        "record": closing_record(comment.id, str(key), self.user, at)}
            changes.append(("dismiss", comment, {"status": "dismissed"}, data))
        return self._record_many(changes)

    def restore(self, ids: Sequence[str]) -> list[Action]:
        """Put dismissed comments back in the queue as new."""
        return self._change(self.not_held(ids, "restore"), "restore", {"status": "new"})

    def set_status(self, ids: Sequence[str], status: str) -> list[Action]:
        check_status(status)
        guarded = status in ("dismissed", "hidden")
        return self._change(self.not_held(ids, "change the status of", intake=guarded),
                            "status", {"status": status})

    def not_held(self, ids: Sequence[str], action: str, *, intake: bool = False) -> list[str]:
        """The ids whose status a person may change: not on legal hold (its status stays
        until legal releases it), not deleted at the source (nothing to come back to) and,
        with ``intake`` (closing it), not an adverse event whose intake is open.
        One comment alone is refused, saying why; in a batch, those are left out
        (:meth:`held_among` and :meth:`intake_open_among` count them for the message)."""
        from triage.ae.intake import open_intake_ids, require_intake_settled

        if len(ids) == 1:
            require_not_held(self.store, ids[0], action)
            if self.store.get(ids[0]).status == "deleted":
                raise ActionRefused(f"cannot {action}: the comment was deleted at its source")
            if intake:
                require_intake_settled(self.store, ids[0], action)
            return list(ids)
        held = held_ids(self.store)
        if intake:
            held = held | open_intake_ids(self.store)
        deleted = self.store.index.ids("status", "deleted")
        return [i for i in ids if i not in held and i not in deleted]

    def intake_open_among(self, ids: Sequence[str]) -> int:
        """How many of ``ids`` are adverse events with an open intake (not on legal hold)."""
        from triage.ae.intake import open_intake_ids

        return len((open_intake_ids(self.store) - held_ids(self.store)).intersection(ids))

    def assign(self, ids: Sequence[str], person: str | None) -> list[Action]:
        """Assign comments to a team member (``None`` unassigns)."""
        if person is not None and self.team and person not in self.team:
            raise ActionRefused(
                f"{person!r} is not on the team (config [[team]]: {', '.join(self.team)})"
            )
        return self._change(ids, "assign", {"assignee": person})

    def correct_tag(self, ids: Sequence[str], tag: str, *, add: bool) -> list[Action]:
        """Add or remove a tag by hand; the correction is journaled for ``eval --from-journal``."""
        return self._record_changes("tag", self._tag_changes(ids, tag, add=add))

    def confirm_possible(self, ids: Sequence[str]) -> list[Action]:
        """Make each possible crisis (flagged by the learned layer) the crisis tag; a person
        decided. Comments with no possible crisis are left as they are."""
        changes: list[tuple[Comment, dict[str, Any], dict[str, Any] | None]] = []
        for comment in self.get_many(ids):
            flagged = comment.tag("crisis")
            if flagged is None or not flagged.possible:
                continue
            tags = [Tag("crisis", 1.0, t.evidence, f"manual:{self.user}") if t is flagged else t
                    for t in comment.tags]
            data = {"tag": "crisis", "op": "confirm", "tagger_had": False,
                    "possible": flagged.source}
            changes.append((comment, {"tags": [tag_to_doc(t) for t in tags]}, data))
        return self._record_changes("tag", changes)

    def model_evidence(self, comment_id: str) -> dict[str, Any]:
        """Why the learned layer added its tags to a comment: by tag, its probability and
        the nearest labelled examples ({} when it added none)."""
        from triage.learned.background import evidence_for

        return evidence_for(self.store, comment_id)

    def _tag_changes(self, ids: Sequence[str], tag: str, *,
                     add: bool) -> list[tuple[Comment, dict[str, Any], dict[str, Any] | None]]:
        check_tag(tag)
        if tag == "adverse_event" and not add:
            ids = self._untaggable(ids)
        changes: list[tuple[Comment, dict[str, Any], dict[str, Any] | None]] = []
        for comment in self.get_many(ids):
            has = comment.tag(tag)
            if add and has is None:
                tags = (*comment.tags, Tag(tag, 1.0, (), f"manual:{self.user}"))
                tags = tuple(sorted(tags, key=lambda t: TAG_NAMES.index(t.name)))
            elif not add and has is not None:
                tags = tuple(t for t in comment.tags if t.name != tag)
            else:
                continue
            data: dict[str, Any] = {
                "tag": tag, "op": "add" if add else "remove",
                "tagger_had": has is not None and not has.source.startswith("manual:")
                and not has.possible}
            if has is not None and has.possible:  # a possible crisis dismissed: not a crisis
                data["possible"] = has.source
            changes.append((comment, {"tags": [tag_to_doc(t) for t in tags]}, data))
        return changes

    def _untaggable(self, ids: Sequence[str]) -> list[str]:
        """The ids whose adverse-event tag may come off: not those whose intake is open
        (pharmacovigilance settles it: "not an AE" with a reason). One alone is refused."""
        from triage.ae.intake import open_intake_ids

        still = open_intake_ids(self.store).intersection(ids)
        if still and len(ids) == 1:
            raise ActionRefused(
                f"cannot take the adverse-event tag off {ids[0]}: its intake is open — "
                "pharmacovigilance marks it not an AE, with a reason (i in the queue; "
                "triage ae not-ae)")
        return [i for i in ids if i not in still]

    # -- notes -----------------------------------------------------------------------

    def add_note(self, comment_id: str, text: str) -> Action:
        """Write an internal note on a comment (journaled; never sent anywhere)."""
        comment = self.store.get(comment_id)
        entry = note_entry(self.user, comment.id, checked_note(text, required=True),
                           self.store.clock())
        return self.store.record([entry])[0]

    def notes(self, comment_id: str) -> list[Note]:
        """The team's notes on a comment, oldest first (read again only after a change)."""
        if self._notes_version != self.store.version:
            self._notes = notes_from_records(self.store.records(NOTES))
            self._notes_version = self.store.version
        return list(self._notes.get(comment_id, ()))

    def _change(self, ids: Sequence[str], kind: str, after: dict[str, Any]) -> list[Action]:
        return self._record_changes(kind, [(c, after, None) for c in self.get_many(ids)])

    def _record_changes(
        self, kind: str, changes: Sequence[tuple[Comment, dict[str, Any], dict[str, Any] | None]]
    ) -> list[Action]:
        return self._record_many([(kind, *change) for change in changes])

    def _record_many(
        self, changes: Sequence[tuple[str, Comment, dict[str, Any], dict[str, Any] | None]]
    ) -> list[Action]:
        """Journal one action per change; several share a batch (one undo)."""
        entries = []
        for kind, comment, after, data in changes:
            before = stored_fields(comment, after)
            if before == after:
                continue
            entry: dict[str, Any] = {
                "user": self.user,
                "kind": kind,
                "comment_id": comment.id,
                "before": before,
                "after": after,
            }
            if data:
                entry["data"] = data
            entries.append(entry)
        if len(entries) > 1:
            batch = uuid.uuid4().hex[:12]
            for entry in entries:
                entry["batch"] = batch
        return self.store.record(entries)

    # -- undo ------------------------------------------------------------------------

    def undo(self) -> list[Action]:
        """Take back this user's last action (or the whole of their last batch).

        Refused when nothing is left to undo, when someone changed the comment since, and
        when the last action is one the desk cannot take back (a delete, a reply, a hide:
        saying why, or what does it), so an older action is never undone instead.
        """
        targets = self.last_actions()
        refuse_undo(targets)
        entries = []
        batch = uuid.uuid4().hex[:12] if len(targets) > 1 else None
        for target in targets:
            if target.comment_id is None:
                continue
            comment = self.store.get(target.comment_id)
            current = stored_fields(comment, target.after)
            if current != target.after:
                raise ActionRefused(
                    f"cannot undo {target.kind} of {comment.id}: it was changed since"
                )
            entry: dict[str, Any] = {
                "user": self.user,
                "kind": "undo",
                "comment_id": comment.id,
                "before": current,
                "after": target.before,
                "data": {"undoes": target.seq, "undone_kind": target.kind},
            }
            if batch:
                entry["batch"] = batch
            entries.append(entry)
        return self.store.record(entries)

    def last_actions(self) -> list[Action]:
        """This user's last action not undone yet (all of it, when it was a batch)."""
        return last_of(self.store.journal.read_backwards(), self.user)

    # -- near-copies -----------------------------------------------------------------

    def grouper(self) -> Grouper:
        """Near-copies of one comment grouped, kept current with the comments stored."""
        self._grouper.follow(self.store.comments)
        return self._grouper

    def adopt_grouper(self, grouper: Grouper) -> None:
        """Use ``grouper``, built off the UI thread on the comments read at open."""
        self._grouper = grouper

    def groups(self, min_size: int = 2) -> list[Group]:
        """The groups of near-copies in the queue, biggest first, each with its size,
        members, platforms and first and last seen (for spike alerts and reports)."""
        return self.grouper().groups(self.store.comments, min_size)

    # -- reading helpers for screens and commands -----------------------------------

    def thread(self, comment: Comment) -> tuple[Comment | None, list[Comment]]:
        """The comment's parent and its siblings (other replies to the same parent)."""
        if not comment.parent_id:
            return None, []
        parent = self.store.comments.get(comment.parent_id)
        ids = self.store.index.children.get(comment.parent_id, set()) - {comment.id}
        return parent, self._by_time(ids)

    def replies(self, comment: Comment) -> list[Comment]:
        """The replies to ``comment``, oldest first."""
        return self._by_time(self.store.index.children.get(comment.id, set()))

    def _by_time(self, ids: Iterable[str]) -> list[Comment]:
        found = [self.store.comments[i] for i in ids if i in self.store.comments]
        found.sort(key=lambda c: (c.created_at, c.id))
        return found

    def author_history(self, comment: Comment) -> list[HistoryEntry]:
        """The author's other comments on the platform (every account), newest first,
        with what the team did with each."""
        return author_history(self.store, comment)

    def get(self, comment_id: str) -> Comment:
        return self.store.get(comment_id)

    def get_many(self, ids: Iterable[str]) -> list[Comment]:
        out = []
        for comment_id in ids:
            comment = self.store.comments.get(comment_id)
            if comment is None:
                raise NotFound(f"no comment with id {comment_id!r}")
            out.append(comment)
        return out
