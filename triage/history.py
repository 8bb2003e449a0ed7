"""An author's history: their other comments on the platform, and what the team did with them."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from triage.convert import action_from_doc
from triage.index import author_key
from triage.model import Action, Comment
from triage.store import Store

__all__ = ["NOT_ACTS", "HistoryEntry", "author_history"]

#: Journal kinds that are not the team acting on a comment: the sync capturing it,
#: reading it (a reveal, a packet export), retention purging it.
NOT_ACTS = frozenset({"capture", "update", "model_tag", "reveal", "packet_export", "purge"})


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One of the author's comments, and the team's actions on it, oldest first."""

    comment: Comment
    actions: tuple[Action, ...] = ()

    @property
    def acted_by(self) -> tuple[str, ...]:
        """Who acted on it, each named once, in the order they first did."""
        return tuple(dict.fromkeys(a.user for a in self.actions))


def author_history(store: Store, comment: Comment, *, limit: int = 200) -> list[HistoryEntry]:
    """The other comments by ``comment``'s author on its platform, across every account,
    newest first (at most ``limit``), each with the team's journaled actions on it."""
    ids = store.index.by_author.get(author_key(comment), set()) - {comment.id}
    found = sorted((store.comments[i] for i in ids if i in store.comments),
                   key=lambda c: (c.created_at, c.id), reverse=True)[:limit]
    actions = _actions_on({c.id for c in found}, store)
    return [HistoryEntry(c, tuple(actions.get(c.id, ()))) for c in found]


def _actions_on(ids: Collection[str], store: Store) -> dict[str, list[Action]]:
    found: dict[str, list[Action]] = {}
    if not ids:
        return found
    for _, entry in store.journal.read():
        comment_id = entry.get("comment_id")
        if isinstance(comment_id, str) and comment_id in ids and _acted(entry):
            found.setdefault(comment_id, []).append(action_from_doc(entry))
    return found


def _acted(entry: dict[str, object]) -> bool:
    kind = str(entry.get("kind", ""))
    return kind not in NOT_ACTS and not kind.startswith("delivery")
