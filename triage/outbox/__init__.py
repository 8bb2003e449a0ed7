"""The outbox: replies, hides and deletes leave the machine here, checked and journaled.

    item = submit_reply(store, config, user, comment_id, library=library,
                        template_id="myth-vaccines", text=None, now=now)   # queued / waiting
    cancel(store, user, item.id, now=now)                                  # in the window
    approve(store, config, approver, item.id, library=library, now=now)   # free text
    sender = Sender(store, config, user, Links(config, client))
    outcomes = await sender.send_due()                                     # posts, once
    await set_hidden(store, config, user, comment_id, hidden=True, links=links)
    await delete_comment(store, config, user, comment_id, links=links)    # no undo

See ``item.py`` for the states, ``sender.py`` for how a retry never posts twice, and
/tmp/specs/OUTBOX.md for the whole API.
"""

from triage.outbox.book import (
    all_items,
    find_item,
    item_entry,
    items_of,
    latest_by_comment,
    normal_text,
    same_reply,
)
from triage.outbox.commands import (
    approve,
    cancel,
    check_item,
    existing_reply,
    local_today,
    policy_record,
    reject,
    restore_status,
    retry,
    send_now,
    submit_reply,
    undo_reply,
    window_cancel,
)
from triage.outbox.diff import Change, marked_change, wdiff, word_diff
from triage.outbox.group_reply import submit_group_reply
from triage.outbox.hide import delete_comment, hide_many, set_hidden, undo_hide
from triage.outbox.item import (
    ACTIVE,
    CANCELLED,
    FAILED,
    FAILED_PERMANENTLY,
    OUTBOX,
    QUEUED,
    REJECTED,
    SENDING,
    SENT,
    STATES,
    WAITING,
    Decision,
    OutboxItem,
    item_from_doc,
    item_to_doc,
)
from triage.outbox.links import Links, account_of, capability_gap, require_capability
from triage.outbox.sender import Outcome, Sender, SendOptions, retry_delay
from triage.outbox.words import describe, state_label

__all__ = [
    "ACTIVE",
    "CANCELLED",
    "FAILED",
    "FAILED_PERMANENTLY",
    "OUTBOX",
    "QUEUED",
    "REJECTED",
    "SENDING",
    "SENT",
    "STATES",
    "WAITING",
    "Change",
    "Decision",
    "Links",
    "Outcome",
    "OutboxItem",
    "SendOptions",
    "Sender",
    "account_of",
    "all_items",
    "approve",
    "cancel",
    "capability_gap",
    "check_item",
    "delete_comment",
    "describe",
    "existing_reply",
    "find_item",
    "hide_many",
    "item_entry",
    "item_from_doc",
    "item_to_doc",
    "items_of",
    "latest_by_comment",
    "local_today",
    "marked_change",
    "normal_text",
    "policy_record",
    "reject",
    "require_capability",
    "restore_status",
    "retry",
    "retry_delay",
    "same_reply",
    "send_now",
    "set_hidden",
    "state_label",
    "submit_group_reply",
    "submit_reply",
    "undo_hide",
    "undo_reply",
    "wdiff",
    "window_cancel",
    "word_diff",
]
