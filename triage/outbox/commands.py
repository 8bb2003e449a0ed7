"""What people do with replies: send one (queued, or held for approval), cancel, approve, reject.

Each command checks first and journals after, so a refusal writes nothing:

* :func:`submit_reply` — the legal hold (``require_not_held``), that the comment's account
  can reply, the send check (``check_reply``: PHI rule, length, lapsed template, and the
  reply policies: a blocking hit refuses it, naming each reason) and that the same reply
  is not already in the outbox. An approved template's rendering (or an edit of it within
  ``[replies] max_edit_share``) is queued with the undo window and the comment becomes
  ``replied``; anything else (free text, a bigger edit, a review-level policy hit) waits
  for an approver. The policy check and its hits are journaled with the reply.
* :func:`approve` / :func:`reject` — approvers only (``require_role``); the decision names
  the content hash of the text it approves, so a different text is never sent on it.
* :func:`cancel` — takes a reply back before it is sent (the undo window, a reply waiting
  for approval, or one waiting to be retried); the comment's status comes back with it.
* :func:`retry` — puts a failed reply back in the queue now (after fixing a token, say).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import date, datetime, timedelta

from triage.config import Config
from triage.connectors import Capability
from triage.errors import ActionRefused, NotFound
from triage.holds import require_not_held
from triage.legal import require_role
from triage.model import Action, Comment, content_hash
from triage.outbox.book import all_items, find_item, item_entry, normal_text, same_reply
from triage.outbox.item import (
    CANCELLED,
    FAILED,
    FAILED_PERMANENTLY,
    QUEUED,
    REJECTED,
    SENDING,
    SENT,
    WAITING,
    Decision,
    OutboxItem,
)
from triage.outbox.links import require_capability
from triage.policies import load_policies
from triage.store import Store
from triage.templates import ReplyCheck, Template, TemplateLibrary, check_reply, render

__all__ = [
    "approve",
    "cancel",
    "check_item",
    "existing_reply",
    "local_today",
    "policy_record",
    "reject",
    "restore_status",
    "retry",
    "send_now",
    "submit_reply",
    "undo_reply",
    "window_cancel",
]


def local_today(now: datetime) -> date:
    """The day it is where Triage runs (template approvals lapse by local day)."""
    return now.astimezone().date()


def _template(library: TemplateLibrary | None, template_id: str | None) -> Template | None:
    """The template a reply names (None for free text); NotFound saying where it looked."""
    if template_id is None:
        return None
    if library is None:
        raise NotFound(f"template {template_id!r}: no template library is loaded")
    try:
        return library.get(template_id)
    except NotFound as exc:
        raise NotFound(f"{exc} in {library.directory}") from None


def check_item(
    comment: Comment, library: TemplateLibrary | None, template_id: str | None, text: str,
    today: date, config: Config,
) -> ReplyCheck:
    """The send check for a reply, the reply policies included (raises TemplateError,
    PolicyBlocked, PolicyFileError or NotFound when it may not go)."""
    return check_reply(comment, _template(library, template_id), text, today, config=config,
                       policies=load_policies(config))


def policy_record(verdict: ReplyCheck) -> dict[str, object]:
    """The policy check as the journal keeps it with the reply: what was checked, the hits."""
    return {"checked": list(verdict.policies), "hits": [hit.to_doc() for hit in verdict.hits],
            "edit_share": None if verdict.edit_share is None else round(verdict.edit_share, 3)}


def existing_reply(
    store: Store, comment_id: str, text: str, template_id: str | None
) -> OutboxItem | None:
    """The outbox item that already is this reply to this comment (sent, on its way, or
    waiting for approval), or None."""
    digest = content_hash(normal_text(text))
    for item in reversed(all_items(store, comment_id=comment_id)):
        if same_reply(item, digest, template_id):
            return item
    return None


def _already(item: OutboxItem) -> ActionRefused:
    what = {SENT: "already sent", WAITING: "already waiting for approval",
            FAILED: "already in the outbox (its send failed and is retried)"}.get(
        item.state, "already queued")
    return ActionRefused(f"this reply to {item.comment_id} is {what} (outbox item "
                         f"{item.short_id})")


def submit_reply(
    store: Store,
    config: Config,
    user: str,
    comment_id: str,
    *,
    library: TemplateLibrary | None,
    template_id: str | None,
    text: str | None,
    now: datetime,
    window: float | None = None,
    batch: str | None = None,
) -> OutboxItem:
    """Put a reply in the outbox: queued (approved template) or waiting for approval.

    ``text`` None sends the template's own rendering. ``window`` is the undo window in
    seconds (default: config ``[replies] undo_seconds``; 0 for scripts that confirm first).
    ``batch`` journals it with other replies made at once (one undo cancels them all).
    """
    comment = store.get(comment_id)
    require_not_held(store, comment_id, "reply")
    require_capability(config, comment, Capability.REPLY)
    template = _template(library, template_id)
    if text is None:
        if template is None:
            raise ActionRefused("give the reply's text or a template")
        text = render(template, comment, config)
    text = normal_text(text)
    verdict = check_item(comment, library, template_id, text, local_today(now), config)
    existing = existing_reply(store, comment_id, text, template_id)
    if existing is not None:
        raise _already(existing)
    seconds = config.replies.undo_seconds if window is None else window
    item = OutboxItem(
        id=uuid.uuid4().hex, comment_id=comment.id, platform=comment.platform,
        account=comment.account, text=text, content_hash=content_hash(text),
        template_id=template_id, by=user, created_at=now,
        state=QUEUED if verdict.approved else WAITING, reason=verdict.reason,
        needs_approval=verdict.needs_approval, privacy_risk=verdict.privacy_risk,
        review_by=template.review_by.isoformat() if template is not None else None,
        send_after=now + timedelta(seconds=seconds) if verdict.approved else None,
        updated_at=now, hits=verdict.hits,
    )
    if item.state == WAITING:
        entry = item_entry(user, "reply_submitted", item, reason=verdict.reason,
                           policy=policy_record(verdict))
    else:
        item, status = _replied(item, comment)
        entry = item_entry(user, "reply_queued", item, status=status,
                           template=template_id, review_by=item.review_by,
                           approved=True, reason=verdict.reason, sha256=item.content_hash,
                           policy=policy_record(verdict))
    if batch is not None:
        entry["batch"] = batch
    store.record([entry])
    return item


def _replied(item: OutboxItem, comment: Comment) -> tuple[OutboxItem, tuple[str, str] | None]:
    """The item and the comment's status change when a reply is queued."""
    if comment.status == "replied":
        return item, None
    return item.evolve(status_before=comment.status), (comment.status, "replied")


def restore_status(store: Store, item: OutboxItem) -> tuple[str, str] | None:
    """The status change that takes the comment back to before the reply, if still due."""
    comment = store.comments.get(item.comment_id)
    if comment is None or item.status_before is None or comment.status != "replied":
        return None
    others = [i for i in all_items(store, comment_id=item.comment_id,
                                   states=(QUEUED, SENDING, SENT, FAILED)) if i.id != item.id]
    return None if others else ("replied", item.status_before)


def approve(
    store: Store, config: Config, user: str, ident: str, *, library: TemplateLibrary,
    now: datetime, window: float = 0.0, note: str = "",
) -> OutboxItem:
    """An approver approves a reply waiting for approval: it is queued to be sent.

    The one who wrote the reply may not approve it unless ``[replies] self_approval``
    is on: free text and edited templates need a second person.
    """
    require_role(config, user, "approver", "approve a reply that needs approval")
    item = find_item(store, ident)
    if item.state != WAITING:
        raise ActionRefused(f"outbox item {item.short_id} is {item.state}, not waiting for "
                            "approval")
    if item.by == user and not config.replies.self_approval:
        raise ActionRefused("you wrote this reply; another approver must approve it (four "
                            "eyes: config.toml [replies] self_approval = false)")
    comment = store.get(item.comment_id)
    require_not_held(store, comment.id, "reply")
    verdict = check_item(comment, library, item.template_id, item.text, local_today(now), config)
    decision = Decision(by=user, at=now, approved=True, content_hash=item.content_hash,
                        note=note)
    queued = item.evolve(state=QUEUED, decision=decision, updated_at=now,
                         send_after=now + timedelta(seconds=window))
    queued, status = _replied(queued, comment)
    store.record([item_entry(user, "reply_approved", queued, status=status,
                             sha256=item.content_hash, note=note,
                             policy=policy_record(verdict))])
    return queued


def reject(
    store: Store, config: Config, user: str, ident: str, *, note: str, now: datetime
) -> OutboxItem:
    """An approver rejects a reply waiting for approval, saying why."""
    require_role(config, user, "approver", "reject a reply that needs approval")
    if not note.strip():
        raise ActionRefused("say why the reply is rejected (a note for the person who wrote it)")
    item = find_item(store, ident)
    if item.state != WAITING:
        raise ActionRefused(f"outbox item {item.short_id} is {item.state}, not waiting for "
                            "approval")
    decision = Decision(by=user, at=now, approved=False, content_hash=item.content_hash,
                        note=note.strip())
    rejected = item.evolve(state=REJECTED, decision=decision, updated_at=now)
    store.record([item_entry(user, "reply_rejected", rejected, note=note.strip())])
    return rejected


def cancel(store: Store, user: str, ident: str, *, now: datetime,
           undoes: int | None = None) -> OutboxItem:
    """Take a reply back before it is sent; the comment's status comes back with it.

    ``undoes`` names the journal entry that queued it, when ``u`` takes it back.
    """
    item = find_item(store, ident)
    if item.state not in (QUEUED, WAITING, FAILED):
        raise ActionRefused(f"outbox item {item.short_id} is {item.state.replace('_', ' ')}: "
                            "only a reply not sent yet can be cancelled")
    cancelled = item.evolve(state=CANCELLED, updated_at=now)
    status = restore_status(store, item)
    extra = {} if undoes is None else {"undoes": undoes}
    store.record([item_entry(user, "reply_cancelled", cancelled, status=status, **extra)])
    return cancelled


def send_now(store: Store, user: str, ids: Collection[str], *, now: datetime) -> list[OutboxItem]:
    """End the undo window of ``user``'s queued replies ``ids`` at once (quitting with
    "Send now"): each is due now; the sender does the rest."""
    items = [i for i in all_items(store, states=(QUEUED,)) if i.id in ids and i.by == user
             and i.in_window(now)]
    ended = [i.evolve(send_after=now, updated_at=now) for i in items]
    if ended:
        store.record([item_entry(user, "reply_window_ended", i) for i in ended])
    return ended


def undo_reply(store: Store, user: str, action: Action, *, now: datetime) -> OutboxItem:
    """Take back the reply ``action`` queued or submitted, while it is not sent yet;
    once sent (or being sent), refused saying so."""
    item = find_item(store, str(action.data.get("item", "")))
    if item.state in (SENT, SENDING):
        done = "was sent" if item.state == SENT else "is being sent"
        raise ActionRefused(f"cannot undo the reply: it {done} on {item.platform}")
    if item.state not in (QUEUED, WAITING, FAILED):
        raise ActionRefused(f"cannot undo the reply: it is {item.state.replace('_', ' ')}")
    return cancel(store, user, item.id, now=now, undoes=action.seq)


def window_cancel(store: Store, user: str, *, now: datetime) -> OutboxItem | None:
    """Cancel the newest reply ``user`` queued whose undo window is still open (or None)."""
    for item in reversed(all_items(store, states=(QUEUED,))):
        if item.by == user and item.in_window(now):
            return cancel(store, user, item.id, now=now)
    return None


def retry(store: Store, user: str, ident: str, *, now: datetime) -> OutboxItem:
    """Put a failed reply back in the queue, to be sent now (its checks run again)."""
    item = find_item(store, ident)
    if item.state not in (FAILED, FAILED_PERMANENTLY):
        raise ActionRefused(f"outbox item {item.short_id} is {item.state.replace('_', ' ')}, "
                            "not failed")
    comment = store.get(item.comment_id)
    require_not_held(store, comment.id, "reply")
    queued = item.evolve(state=QUEUED, send_after=now, retry_at=None, attempts=0, updated_at=now)
    queued, status = _replied(queued, comment)
    store.record([item_entry(user, "reply_retry", queued, status=status)])
    return queued
