"""How an outbox item reads to a person: a short label for lists, a sentence for details."""

from __future__ import annotations

from datetime import datetime

from triage.outbox.item import (
    CANCELLED,
    FAILED,
    FAILED_PERMANENTLY,
    QUEUED,
    REJECTED,
    SENDING,
    SENT,
    WAITING,
    OutboxItem,
)

__all__ = ["describe", "state_label"]


def _clock(moment: datetime) -> str:
    return moment.astimezone().strftime("%H:%M:%S")


def state_label(item: OutboxItem, now: datetime) -> str:
    """At most 11 characters for the queue's status column: "sending 8s", "send failed"…"""
    if item.in_window(now):
        return f"sending {item.seconds_left(now)}s"
    return {
        QUEUED: "sending…", SENDING: "sending…", SENT: "replied", FAILED: "send failed",
        FAILED_PERMANENTLY: "not sent", WAITING: "approval…", REJECTED: "rejected",
        CANCELLED: "cancelled",
    }[item.state]


def describe(item: OutboxItem, now: datetime) -> str:
    """One or two sentences on where a reply stands, for the detail pane and the CLI."""
    who = f"by {item.by}"
    if item.in_window(now):
        return (f"Reply {who} sending in {item.seconds_left(now)} s — u cancels it "
                f"(outbox {item.short_id}).")
    if item.state in (QUEUED, SENDING):
        tries = f", attempt {item.attempts}" if item.attempts else ""
        return f"Reply {who} sending{tries} (outbox {item.short_id})."
    if item.state == SENT:
        how = "found already posted" if item.found else "posted"
        when = f" at {_clock(item.sent_at)}" if item.sent_at else ""
        return f"Reply {who} {how}{when} as {item.platform} id {item.reply_id}."
    if item.state == FAILED:
        when = f"; retried at {_clock(item.retry_at)}" if item.retry_at else ""
        return (f"Reply {who} not sent yet (attempt {item.attempts} failed: "
                f"{item.last_error}){when}.")
    if item.state == FAILED_PERMANENTLY:
        return (f"Reply {who} NOT SENT: {item.last_error} (outbox {item.short_id}; "
                "`triage outbox retry` tries again).")
    if item.state == WAITING:
        return (f"Reply {who} waiting for an approver: {item.reason} "
                f"(outbox {item.short_id}).")
    if item.state == REJECTED:
        decision = item.decision
        why = f" by {decision.by}: {decision.note}" if decision is not None else ""
        return f"Reply {who} rejected{why}."
    return f"Reply {who} cancelled before it was sent."
