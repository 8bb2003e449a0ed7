"""Reading the outbox from the store, and writing each change to an item through the journal."""

from __future__ import annotations

import logging
from collections.abc import Collection
from typing import Any

from triage.errors import NotFound
from triage.outbox.item import ACTIVE, OUTBOX, OutboxItem, item_from_doc, item_to_doc
from triage.store import Store

__all__ = [
    "all_items",
    "find_item",
    "item_entry",
    "items_of",
    "latest_by_comment",
    "normal_text",
    "same_reply",
]

logger = logging.getLogger("triage.outbox")


def normal_text(text: str) -> str:
    """A reply as it is stored and sent: unix line ends, no trailing spaces, trimmed."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip()


def all_items(store: Store, *, comment_id: str | None = None,
              states: Collection[str] | None = None) -> list[OutboxItem]:
    """Every readable item, oldest first (an unreadable record is logged and left out);
    only those replying to ``comment_id`` / in ``states`` when given (the stored records
    are matched before they are read, so a narrow question stays cheap)."""
    items = []
    for key, doc in store.records(OUTBOX).items():
        if comment_id is not None and doc.get("comment_id") != comment_id:
            continue
        if states is not None and doc.get("state") not in states:
            continue
        try:
            items.append(item_from_doc(doc))
        except (KeyError, ValueError, TypeError) as exc:
            logger.warning("outbox record %s is unreadable (%s); it is left out", key, exc)
    items.sort(key=lambda item: item.created_at)  # stable: ties keep the order queued
    return items


def items_of(store: Store, comment_id: str) -> list[OutboxItem]:
    """The items replying to one comment, oldest first."""
    return all_items(store, comment_id=comment_id)


def latest_by_comment(store: Store, *, skip: Collection[str] = ()) -> dict[str, OutboxItem]:
    """For each comment with a reply in the outbox, its newest item — left out when that
    item's state is in ``skip`` (only the newest of each comment is read)."""
    newest: dict[str, dict[str, Any]] = {}
    for doc in store.records(OUTBOX).values():
        key = doc.get("comment_id")
        if isinstance(key, str) and str(doc.get("created_at", "")) >= str(
                newest.get(key, {}).get("created_at", "")):
            newest[key] = doc
    latest: dict[str, OutboxItem] = {}
    for key, doc in newest.items():
        if doc.get("state") in skip:
            continue
        try:
            latest[key] = item_from_doc(doc)
        except (KeyError, ValueError, TypeError) as exc:
            logger.warning("outbox record of %s is unreadable (%s); it is left out", key, exc)
    return latest


def find_item(store: Store, ident: str) -> OutboxItem:
    """The item whose id is ``ident`` or starts with it (at least 4 characters)."""
    ident = ident.strip().lower()
    doc = store.get_record(OUTBOX, ident)
    if doc is not None:
        return item_from_doc(doc)
    if len(ident) < 4:
        raise NotFound(f"no outbox item {ident!r} (give at least 4 characters of its id)")
    found = [item_from_doc(doc) for key, doc in store.records(OUTBOX).items()
             if key.startswith(ident)]
    if not found:
        raise NotFound(f"no outbox item {ident!r} (see `triage outbox`)")
    if len(found) > 1:
        raise NotFound(f"{ident!r} starts {len(found)} outbox items' ids: give more of it")
    return found[0]


def same_reply(item: OutboxItem, content_hash: str, template_id: str | None) -> bool:
    """Whether ``item`` is the same reply: the same text, or the same template unedited."""
    if item.state not in ACTIVE:
        return False
    if item.content_hash == content_hash:
        return True
    return template_id is not None and item.template_id == template_id and not item.needs_approval


def item_entry(
    user: str,
    kind: str,
    item: OutboxItem,
    *,
    status: tuple[str, str] | None = None,
    **data: Any,
) -> dict[str, Any]:
    """The journal entry that stores ``item``; ``status`` = (before, after) of the comment."""
    entry: dict[str, Any] = {
        "user": user,
        "kind": kind,
        "comment_id": item.comment_id,
        "data": {
            "record": {"table": OUTBOX, "key": item.id, "doc": item_to_doc(item)},
            "item": item.id,
            "state": item.state,
            **data,
        },
    }
    if status is not None and status[0] != status[1]:
        entry["before"] = {"status": status[0]}
        entry["after"] = {"status": status[1]}
    return entry
