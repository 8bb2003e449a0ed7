"""``triage reply|approvals|approve|reject|hide|delete|outbox``: replies, hides, deletes.

``triage reply ID --template TID`` renders the template for the comment, runs the send
check, asks for confirmation (``--yes`` skips it), and sends at once (no undo window: the
prompt is the confirmation), waiting for the platform's answer. It prints the platform's
reply id on stdout and what happened on stderr. Run again for the same comment and
template it posts nothing: "already sent". A reply that failed for a passing reason is
retried a few times in the call, then stays in the outbox (``triage outbox send``).
``--text`` queues free text for an approver (``triage approvals``, ``triage approve``).
Every text is checked against the reply policies first: a blocking hit refuses it, naming
each policy and reason; a review-level hit sends it to an approver with the hits shown.
``triage delete ID`` removes somebody else's comment from the platform (where it allows
that), after a confirmation; it cannot be undone.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import click

from triage.ae.intake import require_intake_settled
from triage.cli import Env, pass_env
from triage.config import Config
from triage.connectors import Capability
from triage.convert import iso
from triage.errors import ActionRefused, TriageError, Unavailable
from triage.holds import require_not_held
from triage.legal import mask_text
from triage.model import utcnow
from triage.outbox import (
    FAILED,
    QUEUED,
    SENDING,
    SENT,
    STATES,
    WAITING,
    Links,
    OutboxItem,
    Outcome,
    Sender,
    all_items,
    approve,
    cancel,
    check_item,
    delete_comment,
    describe,
    existing_reply,
    local_today,
    marked_change,
    reject,
    require_capability,
    retry,
    set_hidden,
    submit_reply,
)
from triage.store import Store
from triage.templates import load_library, render
from triage.textsafe import clean, inline, json_line, one_line

__all__ = ["COMMANDS", "item_json"]

#: Attempts ``triage reply`` makes itself before leaving a reply to ``outbox send``, and
#: the longest wait between two of them.
REPLY_TRIES = 3
REPLY_WAIT_SECONDS = 30.0


def _say(text: str) -> None:
    """A message on standard error; ids, names and replies in it are shown inert."""
    click.echo(clean(text), err=True)


@asynccontextmanager
async def _sender(store: Store, config: Config, user: str) -> Any:
    from triage.sync import new_client

    async with new_client() as client:
        yield Sender(store, config, user, Links(config, client))


def item_json(item: OutboxItem, now: datetime) -> dict[str, Any]:
    """The public JSON form of an outbox item (``outbox --json``, ``approvals --json``)."""
    def when(moment: datetime | None) -> str | None:
        return iso(moment) if moment is not None else None

    decision = item.decision
    return {
        "id": item.id, "comment_id": item.comment_id, "platform": item.platform,
        "account": item.account, "state": item.state, "template_id": item.template_id,
        "needs_approval": item.needs_approval, "reason": item.reason,
        "privacy_risk": item.privacy_risk, "by": item.by, "created_at": when(item.created_at),
        "send_after": when(item.send_after), "attempts": item.attempts,
        "retry_at": when(item.retry_at), "last_error": item.last_error,
        "reply_id": item.reply_id, "found": item.found, "sent_at": when(item.sent_at),
        "decision": None if decision is None else {
            "by": decision.by, "at": iso(decision.at), "approved": decision.approved,
            "note": decision.note},
        "text": item.text, "summary": describe(item, now),
        "policy_hits": [hit.to_doc() for hit in item.hits],
    }


# -- triage reply ----------------------------------------------------------------------


async def _send_now(sender: Sender, item: OutboxItem) -> Outcome:
    """Send one item, retrying a passing failure a few times when the wait is short."""
    outcome = await sender.send(item)
    tries = 1
    while outcome.item.state == FAILED and tries < REPLY_TRIES:
        retry_at = outcome.item.retry_at or utcnow()
        wait = (retry_at - utcnow()).total_seconds()
        if wait > REPLY_WAIT_SECONDS:
            break
        _say(f"not sent yet ({outcome.error}); trying again in {max(wait, 0):.0f} s")
        await asyncio.sleep(max(wait, 0))
        outcome = await sender.send(outcome.item)
        tries += 1
    return outcome


def _finish(outcome: Outcome) -> None:
    done = outcome.item
    if done.state == SENT:
        how = "was already posted" if done.found else "posted"
        _say(f"sent: the reply to {done.comment_id} {how} on {done.platform} "
             f"(outbox {done.short_id})")
        click.echo(inline(done.reply_id or ""))
        return
    if done.state == FAILED:
        raise Unavailable(f"not sent yet: {outcome.error}. It stays in the outbox (outbox "
                          f"{done.short_id}) and is retried by `triage outbox send` or the "
                          "open Triage")
    raise ActionRefused(f"not sent: {outcome.error}")


@click.command("reply")
@click.argument("comment_id")
@click.option("--template", "template_id", metavar="TID", help="Reply with this template.")
@click.option("--text", "text", metavar="TEXT",
              help="Free text (or the template's text edited): it waits for an approver.")
@click.option("--yes", is_flag=True, help="Send without asking for confirmation.")
@pass_env
def reply_command(env: Env, comment_id: str, template_id: str | None, text: str | None,
                  yes: bool) -> None:
    """Reply to COMMENT_ID with a template (sent now, once) or free text (for approval)."""
    if template_id is None and text is None:
        raise click.UsageError("give --template TID, or --text for a reply needing approval")
    config, user = env.config, env.user
    store = env.open_store(tagging=False)
    now = utcnow()
    library = load_library(config, today=local_today(now))
    comment = store.get(comment_id)
    if text is None and template_id is not None:
        text = render(library.get(template_id), comment, config)
    assert text is not None
    item = existing_reply(store, comment_id, text, template_id)
    if item is not None and item.state == SENT:
        _say(f"already sent: {describe(item, now)} Nothing was posted.")
        click.echo(inline(item.reply_id or ""))
        return
    if item is not None and item.state == WAITING:
        _say(f"already waiting for approval (outbox {item.short_id}); nothing was posted")
        click.echo(item.id)
        return
    if item is None:
        verdict = check_item(comment, library, template_id, text, local_today(now), config)
        if verdict.needs_approval:
            item = submit_reply(store, config, user, comment_id, library=library,
                                template_id=template_id, text=text, now=now, window=0)
            _say(f"needs approval ({verdict.reason}): queued for an approver as outbox "
                 f"{item.short_id}; see `triage approvals`")
            click.echo(item.id)
            return
        _say(f"Reply to {one_line(comment.author.name, 40)} on {comment.platform} "
             f"({comment.id}), {verdict.length}/{verdict.limit} characters:\n\n{text}\n")
        if not yes:
            click.confirm("Send it now?", abort=True, err=True)
        item = submit_reply(store, config, user, comment_id, library=library,
                            template_id=template_id, text=text, now=now, window=0)
    elif item.state in (QUEUED, FAILED, SENDING):
        _say(f"this reply is already in the outbox ({describe(item, now)}); sending that "
             "one now, with the same idempotency key")
        if not yes:
            click.confirm("Send it now?", abort=True, err=True)

    async def run(chosen: OutboxItem) -> Outcome:
        async with _sender(store, config, user) as sender:
            return await _send_now(sender, chosen)

    _finish(asyncio.run(run(item)))


# -- approvals -------------------------------------------------------------------------


def _expected(store: Store, env: Env, item: OutboxItem, now: datetime) -> str | None:
    if item.template_id is None:
        return None
    try:
        library = load_library(env.config, today=local_today(now))
        comment = store.get(item.comment_id)
        return check_item(comment, library, item.template_id, item.text, local_today(now),
                          env.config).expected
    except TriageError as exc:
        return f"(the template cannot be rendered now: {exc})"


@click.command("approvals")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@pass_env
def approvals_command(env: Env, as_json: bool) -> None:
    """Replies waiting for an approver: the comment (masked), the reply, what was edited."""
    store = env.open_store(tagging=False)
    now = utcnow()
    waiting = all_items(store, states=(WAITING,))
    if not waiting and not as_json:
        _say("no reply is waiting for approval")
    for item in waiting:
        comment = store.comments.get(item.comment_id)
        masked = mask_text(comment) if comment is not None else "(not in the queue)"
        expected = _expected(store, env, item, now)
        if as_json:
            doc = item_json(item, now)
            doc.update(comment_text=masked, expected=expected)
            sys.stdout.write(json_line(doc) + "\n")
            continue
        click.echo(inline(f"{item.short_id}  {item.comment_id}  {item.platform}/{item.account}  "
                          f"by {item.by}  {item.reason}"))
        click.echo(f"  comment: {one_line(masked, 100)}")
        template = expected if expected and not expected.startswith("(") else None
        body = "".join(piece for _, piece in marked_change(template, item.text))
        click.echo("  reply:   " + clean(body).replace("\n", "\n           "))
        for hit in item.hits:
            what = f" ({hit.detail})" if hit.detail else ""
            click.echo(inline(f"  policy:  {hit.policy} ({hit.severity}): {hit.text!r}{what}: "
                              f"{hit.reason}"))
        if expected and expected.startswith("("):
            click.echo(f"  {clean(expected)}")


@click.command("approve")
@click.argument("item_id")
@click.option("--note", default="", help="A note kept with the approval.")
@pass_env
def approve_command(env: Env, item_id: str, note: str) -> None:
    """Approve a reply waiting for approval (approvers only); it is queued to be sent."""
    store = env.open_store(tagging=False)
    now = utcnow()
    library = load_library(env.config, today=local_today(now))
    item = approve(store, env.config, env.user, item_id, library=library, now=now, note=note)
    _say(f"approved: outbox {item.short_id} is queued; `triage outbox send` sends it now "
         "(an open Triage sends it by itself)")


@click.command("reject")
@click.argument("item_id")
@click.option("--note", required=True, help="Why: the person who wrote it reads this.")
@pass_env
def reject_command(env: Env, item_id: str, note: str) -> None:
    """Reject a reply waiting for approval (approvers only), saying why."""
    store = env.open_store(tagging=False)
    item = reject(store, env.config, env.user, item_id, note=note, now=utcnow())
    _say(f"rejected: outbox {item.short_id} ({item.comment_id}) will not be sent")


# -- hide ------------------------------------------------------------------------------


@click.command("hide")
@click.argument("comment_id")
@click.option("--undo", is_flag=True, help="Show the comment again (unhide).")
@pass_env
def hide_command(env: Env, comment_id: str, undo: bool) -> None:
    """Hide COMMENT_ID at its source, where the platform allows it (--undo shows it again)."""
    from triage.sync import new_client

    config, user = env.config, env.user
    store = env.open_store(tagging=False)

    async def run() -> None:
        async with new_client() as client:
            await set_hidden(store, config, user, comment_id, hidden=not undo,
                             links=Links(config, client))

    asyncio.run(run())
    comment = store.get(comment_id)
    _say(f"{'unhidden' if undo else 'hidden'} on {comment.platform}: {comment_id} "
         f"(status {comment.status})")


@click.command("delete")
@click.argument("comment_id")
@click.option("--yes", is_flag=True, help="Delete without asking for confirmation.")
@pass_env
def delete_command(env: Env, comment_id: str, yes: bool) -> None:
    """Delete COMMENT_ID (somebody else's comment) at its source, where the platform allows
    it. It cannot be undone; Triage keeps the comment, marked deleted."""
    from triage.sync import new_client

    config, user = env.config, env.user
    store = env.open_store(tagging=False)
    comment = store.get(comment_id)
    require_not_held(store, comment_id, "delete")
    require_intake_settled(store, comment_id, "delete")
    require_capability(config, comment, Capability.DELETE)
    _say(f"Delete the comment by {one_line(comment.author.name, 40)} on {comment.platform} "
         f"({comment.id}):\n\n  {one_line(mask_text(comment), 200)}\n\nIt is removed from "
         f"{comment.platform} for everyone and cannot be undone.")
    if not yes:
        click.confirm("Delete it?", abort=True, err=True)

    async def run() -> None:
        async with new_client() as client:
            await delete_comment(store, config, user, comment_id, links=Links(config, client))

    asyncio.run(run())
    _say(f"deleted from {comment.platform}: {comment_id} (status "
         f"{store.get(comment_id).status})")


# -- outbox ----------------------------------------------------------------------------


def _rows(items: list[OutboxItem], state: str | None) -> Iterator[OutboxItem]:
    for item in reversed(items):
        if state is None or item.state == state:
            yield item


@click.group("outbox", invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.option("--state", type=click.Choice(STATES), help="Only items in this state.")
@click.pass_context
def outbox_group(ctx: click.Context, as_json: bool, state: str | None) -> None:
    """The outbox: every reply, newest first (send, cancel, retry below)."""
    if ctx.invoked_subcommand is not None:
        return
    env = ctx.find_object(Env)
    assert env is not None
    store = env.open_store(tagging=False)
    now = utcnow()
    for item in _rows(all_items(store), state):
        if as_json:
            sys.stdout.write(json_line(item_json(item, now)) + "\n")
        else:
            created = item.created_at.astimezone().strftime("%Y-%m-%d %H:%M")
            click.echo(f"{item.short_id}\t{item.state}\t{inline(item.comment_id)}\t"
                       f"{inline(item.platform)}\t{inline(item.by)}\t{created}\t"
                       f"{one_line(describe(item, now), 120)}")


@outbox_group.command("send")
@pass_env
def send_command(env: Env) -> None:
    """Send every reply that is due now (approved ones, retries); exit 1 if any failed."""
    store = env.open_store(tagging=False)

    async def run() -> list[Outcome]:
        async with _sender(store, env.config, env.user) as sender:
            return await sender.send_due()

    outcomes = asyncio.run(run())
    now = utcnow()
    if not outcomes:
        _say("nothing is due in the outbox")
    for outcome in outcomes:
        done = outcome.item
        click.echo(f"{done.short_id}\t{done.state}\t{inline(done.comment_id)}\t"
                   f"{one_line(describe(done, now), 200)}")
    failed = [o for o in outcomes if not o.sent]
    if failed:
        raise Unavailable(f"{len(failed)} of {len(outcomes)} replies were not sent")


@outbox_group.command("cancel")
@click.argument("item_id")
@pass_env
def cancel_command(env: Env, item_id: str) -> None:
    """Cancel a reply not sent yet (queued, waiting for approval, or waiting to retry)."""
    store = env.open_store(tagging=False)
    item = cancel(store, env.user, item_id, now=utcnow())
    _say(f"cancelled: outbox {item.short_id} ({item.comment_id}) will not be sent")


@outbox_group.command("retry")
@click.argument("item_id")
@pass_env
def retry_command(env: Env, item_id: str) -> None:
    """Queue a failed reply again (its checks run again when it is sent)."""
    store = env.open_store(tagging=False)
    item = retry(store, env.user, item_id, now=utcnow())
    _say(f"queued again: outbox {item.short_id}; `triage outbox send` sends it now")


COMMANDS = [reply_command, approvals_command, approve_command, reject_command, hide_command,
            delete_command, outbox_group]
