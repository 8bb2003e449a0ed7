"""Hiding a comment at its source (or showing it again), or deleting it, through its connector.

Checked first: the legal hold, and that the platform can do it at all (Mastodon cannot
hide; only Facebook and Instagram let a page delete somebody else's comment: a refusal
carries the connector's reason), and that the comment is not deleted already. Then the
platform is asked; only once it has confirmed does the comment's status change
(``hidden``, back to ``new`` on unhide, ``deleted``), journaled as ``hide``/``unhide``/
``delete``. A failure changes nothing and is journaled as ``hide_failed``/
``unhide_failed``/``delete_failed`` with the platform's reason, then raised for the person
to read. Hiding is idempotent on every platform, so pressing it again is always safe; a
delete of a comment the platform no longer has counts as done. A delete cannot be undone.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from triage.ae.intake import GUARDED, require_intake_settled
from triage.config import Config
from triage.connectors import Capability, Connector
from triage.errors import ActionRefused, TriageError
from triage.holds import held_ids, require_not_held
from triage.model import Action, Comment
from triage.outbox.links import Links, require_capability
from triage.store import Store

__all__ = ["delete_comment", "hide_many", "set_hidden", "undo_hide"]


async def set_hidden(
    store: Store, config: Config, user: str, comment_id: str, *, hidden: bool, links: Links,
    batch: str | None = None, undoes: int | None = None,
) -> list[Action]:
    """Hide (``hidden=True``) or unhide a comment on its platform; journal what happened.

    ``batch`` groups the hides of several comments (one undo takes them all back);
    ``undoes`` names the journal entry this one takes back (when ``u`` does it).
    """

    async def act(connector: Connector, comment: Comment) -> None:
        await connector.hide(comment, hidden)

    extra: dict[str, Any] = {} if undoes is None else {"undoes": undoes}
    return await _moderate(store, config, user, comment_id, links, "hide" if hidden else
                           "unhide", Capability.HIDE, "hidden" if hidden else "new", act,
                           batch=batch, extra=extra)


async def hide_many(
    store: Store, config: Config, user: str, ids: Sequence[str], *, hidden: bool, links: Links
) -> tuple[list[Action], dict[str, str]]:
    """Hide (or show again) several comments as one batch, so one undo takes them all
    back; any that cannot be (a legal hold, a platform without hide, the platform
    refusing) is left as it is, with the reason, and the rest go on."""
    batch = uuid.uuid4().hex[:12] if len(ids) > 1 else None
    done: list[Action] = []
    refused: dict[str, str] = {}
    for comment_id in ids:
        try:
            done += await set_hidden(store, config, user, comment_id, hidden=hidden,
                                     links=links, batch=batch)
        except TriageError as exc:
            refused[comment_id] = str(exc)
    return done, refused


async def undo_hide(
    store: Store, config: Config, user: str, actions: Sequence[Action], *, links: Links
) -> list[Action]:
    """Take back a hide or an unhide (or a batch of them) at the source: each comment is
    shown again, or hidden again. Refused, changing nothing, when a comment changed since."""
    for action in actions:
        status = store.get(action.comment_id or "").status
        if (status == "hidden") != (action.kind == "hide") or status == "deleted":
            raise ActionRefused(f"cannot undo {action.kind} of {action.comment_id}: it was "
                                f"changed since (it is {status} now)")
    batch = uuid.uuid4().hex[:12] if len(actions) > 1 else None
    done: list[Action] = []
    for action in actions:
        done += await set_hidden(store, config, user, action.comment_id or "",
                                 hidden=action.kind != "hide", links=links, batch=batch,
                                 undoes=action.seq)
    return done


async def delete_comment(
    store: Store, config: Config, user: str, comment_id: str, *, links: Links
) -> list[Action]:
    """Delete somebody else's comment on its platform (no undo); its status becomes
    ``deleted`` and the journal says who deleted it."""

    held = held_ids(store)
    for reply_id in _replies_below(store, comment_id):
        if reply_id in held:  # the platform deletes the replies with their parent
            require_not_held(store, reply_id, "delete the comment it answers")
        require_intake_settled(store, reply_id, "delete the comment it answers")

    async def act(connector: Connector, comment: Comment) -> None:
        await connector.delete(comment)

    return await _moderate(store, config, user, comment_id, links, "delete",
                           Capability.DELETE, "deleted", act)


async def _moderate(
    store: Store, config: Config, user: str, comment_id: str, links: Links, verb: str,
    capability: Capability, status: str,
    act: Callable[[Connector, Comment], Awaitable[None]], *, batch: str | None = None,
    extra: dict[str, Any] | None = None,
) -> list[Action]:
    comment = store.get(comment_id)
    require_not_held(store, comment_id, verb)
    if verb in GUARDED:
        require_intake_settled(store, comment_id, verb)
    require_capability(config, comment, capability)
    data: dict[str, Any] = {"platform": comment.platform, "account": comment.account,
                            "native_id": comment.native_id}
    try:
        await act(links.connector(comment), comment)
    except TriageError as exc:
        store.record([{"user": user, "kind": f"{verb}_failed", "comment_id": comment_id,
                       "data": {**data, "error": str(exc)}}])
        raise
    entry: dict[str, Any] = {"user": user, "kind": verb, "comment_id": comment_id,
                             "data": {**data, **(extra or {})}}
    if batch is not None:
        entry["batch"] = batch
    current = store.get(comment_id).status
    if current != status:
        entry["before"], entry["after"] = {"status": current}, {"status": status}
    return store.record([entry])


def _replies_below(store: Store, comment_id: str) -> list[str]:
    """Every stored reply under a comment, at any depth."""
    found: list[str] = []
    seen = {comment_id}
    waiting = [comment_id]
    while waiting:
        children = store.index.children.get(waiting.pop(), set()) - seen
        seen |= children
        found.extend(children)
        waiting.extend(children)
    return found
