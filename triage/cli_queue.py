"""Queue commands for scripts: bulk actions over a query, undo, notes, and the stats."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterable

import click

from triage.cli import Env, pass_env
from triage.closing import CLOSE_REASONS, needs_reason
from triage.desk import AT_SOURCE, REPLIES
from triage.errors import ActionRefused
from triage.model import TAG_LABELS, TAG_NAMES, Action, Comment, utcnow
from triage.outbox import undo_reply
from triage.query import parse_duration, parse_query
from triage.store import Store
from triage.textsafe import inline, json_line
from triage.timefmt import duration
from triage.views import Sla, queue_states

__all__ = ["COMMANDS", "bulk_command", "note_command", "stats_command", "undo_command"]

BULK_ACTIONS = ("dismiss", "restore", "assign", "unassign", "tag", "untag", "hide", "unhide")


@click.command("bulk")
@click.argument("action", type=click.Choice(BULK_ACTIONS))
@click.argument("value", required=False)
@click.option("--query", "query_text", required=True, help="Which comments: tag:abuse age:>2d …")
@click.option("--reason", type=click.Choice(list(CLOSE_REASONS)),
              help="For dismiss, when a crisis is among them: what was done about it.")
@click.option("--yes", is_flag=True, help="Do it without asking.")
@pass_env
def bulk_command(env: Env, action: str, value: str | None, query_text: str, reason: str | None,
                 yes: bool) -> None:
    """Apply ACTION to every comment matching --query, as one batch (one undo).

    \b
    triage bulk dismiss --query 'tag:abuse status:new'
    triage bulk dismiss --query 'tag:crisis status:new' --reason on-call
    triage bulk assign ben --query 'tag:question age:>1d'
    triage bulk tag question --query '"when do you open"'
    triage bulk hide --query 'tag:abuse status:new'   (at the source, where it can)

    Dismissing an open crisis needs --reason: called-911, on-call (passed to the
    on-call clinician), lifeline (replied with the lifeline) or not-crisis (which
    also takes the crisis tag off).
    """
    query = parse_query(query_text)
    if action in ("assign", "tag", "untag") and not value:
        raise click.UsageError(f"{action} needs a value: triage bulk {action} VALUE --query …")
    if action in ("tag", "untag") and value not in TAG_NAMES:
        raise click.UsageError(f"unknown tag {value!r} (one of {', '.join(TAG_NAMES)})")
    at_source = action in ("hide", "unhide")
    # Hiding asks the platforms, through the outbox of the embedded store.
    source = env.open_store(tagging=False) if at_source else env.open_desk()
    match = query.matcher(now=utcnow(), user=env.user,
                          legal=queue_states(source, env.config, utcnow()) if query.legal
                          else None)
    chosen = [c for c in (source if at_source else source.iter_comments()) if match(c)]
    ids = sorted(c.id for c in chosen)
    if not ids:
        click.echo("no comment matches the query")
        return
    if action == "dismiss" and reason is None:
        crises = sum(needs_reason(c) for c in chosen)
        if crises:
            choices = ", ".join(f"{key} ({label})" for key, label in CLOSE_REASONS.items())
            raise click.UsageError(
                f"{crises} of them {'is a crisis' if crises == 1 else 'are crises'}: say "
                f"what was done with --reason, one of {choices}")
    if not yes:
        click.confirm(f"{action} {len(ids)} comment{'s' if len(ids) != 1 else ''}?", abort=True)
    if at_source:
        _hide_at_source(env, source, ids, hidden=action == "hide")
        return
    desk = source
    if action == "dismiss":
        both = desk.dismiss(ids, reason)
        done = [a for a in both if a.kind == "dismiss"]
        if len(done) < len(both):
            click.echo(f"crisis tag taken off {len(both) - len(done)} (not a crisis)")
    elif action == "restore":
        done = desk.restore(ids)
    elif action == "assign":
        done = desk.assign(ids, value)
    elif action == "unassign":
        done = desk.assign(ids, None)
    else:
        assert value is not None
        done = desk.correct_tag(ids, value, add=action == "tag")
    held = desk.held_among(ids) if action in ("dismiss", "restore") else 0
    intake = desk.intake_open_among(ids) if action == "dismiss" else 0
    kept = f", {held} on legal hold left as they are" if held else ""
    if intake:
        kept += (f", {intake} adverse event{'s' if intake > 1 else ''} with an open intake "
                 "left as they are (pharmacovigilance completes it first)")
    click.echo(f"{action}: {len(done)} changed, {len(ids) - len(done) - held - intake} "
               f"already so{kept} "
               "(`triage undo` takes the whole batch back)")


def _hide_at_source(env: Env, store: Store, ids: list[str], *, hidden: bool) -> None:
    """``bulk hide``/``unhide``: ask each comment's platform, as one batch (one undo); a
    comment that cannot be (a legal hold, a platform without hide) is named with why."""
    from triage.outbox import Links, hide_many
    from triage.sync import new_client

    async def run() -> tuple[list[Action], dict[str, str]]:
        async with new_client() as client:
            return await hide_many(store, env.config, env.user, ids, hidden=hidden,
                                   links=Links(env.config, client))

    done, refused = asyncio.run(run())
    for comment_id, reason in refused.items():
        click.echo(f"{comment_id}: {reason}", err=True)
    verb = "hide" if hidden else "unhide"
    click.echo(f"{verb}: {len(done)} changed, {len(refused)} left as they are "
               "(`triage undo` takes the whole batch back)")
    if refused and not done:
        raise SystemExit(1)


@click.command("undo")
@pass_env
def undo_command(env: Env) -> None:
    """Undo the acting person's last action, or their whole last batch."""
    desk = env.open_desk()
    last = desk.last_actions()
    try:
        outside = bool(last) and last[0].kind in AT_SOURCE | REPLIES
        store = getattr(desk, "store", None)  # the outbox works on the embedded store
        if outside and store is None:
            raise ActionRefused(f"undoing a {last[0].kind.replace('_', ' ')} works on the "
                                "embedded store only so far")
        if outside and store is not None and last[0].kind in AT_SOURCE:
            done = _undo_at_source(env, store, last)
        elif outside and store is not None:
            item = undo_reply(store, env.user, last[0], now=utcnow())
            click.echo(f"cancelled the reply to {item.comment_id}: nothing was sent")
            return
        else:
            done = desk.undo()
    except ActionRefused as exc:
        raise click.ClickException(str(exc)) from None
    kind = done[0].data.get("undone_kind", last[0].kind) if done else "action"
    click.echo(f"undid {kind} of {len(done)} comment{'s' if len(done) != 1 else ''}")


def _undo_at_source(env: Env, store: Store, last: list[Action]) -> list[Action]:
    from triage.outbox import Links, undo_hide
    from triage.sync import new_client

    async def run() -> list[Action]:
        async with new_client() as client:
            return await undo_hide(store, env.config, env.user, last,
                                   links=Links(env.config, client))

    return asyncio.run(run())


@click.command("stats")
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
@click.option("--csv", "as_csv", is_flag=True, help="CSV rows: section, name, value.")
@click.option("--since", default="7d", show_default=True, help="The window: 24h, 7d, 4w …")
@click.option("--alerts", "alerts", is_flag=True,
              help="The current spike alerts instead, one line each (for a script or a "
                   "morning e-mail).")
@pass_env
def stats_command(env: Env, as_json: bool, as_csv: bool, since: str, alerts: bool) -> None:
    """Volume by tag, platform and day; response times; SLAs met; the top myths.

    With --alerts: each tag, myth or product spiking now, its count in the last window
    against its usual count, and since when ("no alerts" when there are none)."""
    from triage.stats import compute_figures

    if as_json and as_csv:
        raise click.UsageError("choose one of --json and --csv")
    if alerts and as_csv:
        raise click.UsageError("--alerts prints lines or --json, not --csv")

    window = parse_duration(since, "--since: ")
    desk = env.open_desk()
    if alerts:
        _print_alerts(env, desk.iter_comments(), as_json)
        return
    stats = compute_figures(desk.iter_comments(), desk.journal_entries(), now=utcnow(),
                            since=window, sla=Sla(env.config.sla))
    if as_json:
        click.echo(json_line(stats.as_dict()))
        return
    if as_csv:
        from triage.csvout import STATS_FIELDS, stats_rows, write_csv

        write_csv(sys.stdout, STATS_FIELDS, stats_rows(stats))
        return
    click.echo(f"comments in the last {since}: {stats.total}")
    click.echo("by tag:      " + ", ".join(f"{TAG_LABELS.get(k, k)} {v}"
                                          for k, v in stats.by_tag.items()))
    click.echo("by platform: "
               + ", ".join(f"{inline(k)} {v}" for k, v in stats.by_platform.items()))
    click.echo("by day:      " + ", ".join(f"{k} {v}" for k, v in stats.by_day.items()))
    median = stats.median_first_response_minutes
    click.echo(f"answered: {stats.responded}; median time to first response: "
               f"{'—' if median is None else duration(median)}")
    share = stats.sla_met_share
    click.echo(f"SLAs met: {stats.sla_met}, missed: {stats.sla_missed}"
               + ("" if share is None else f" ({share:.0%} met)"))
    if stats.top_myths:
        click.echo("myths matched most this week:")
        for myth in stats.top_myths:
            click.echo(f"  {myth['count']:>4}  {inline(myth['claim_id'])}  "
                       f"{inline(myth['resource_title'])}")


def _print_alerts(env: Env, comments: Iterable[Comment], as_json: bool) -> None:
    from triage.spikes import alert_line, config_products, current_alerts

    now = utcnow()
    products = config_products(env.config.pharmacovigilance)
    found = current_alerts(comments, env.config.alerts, products, now)
    if as_json:
        click.echo(json_line({"at": now.isoformat(), "alerts": [a.as_dict() for a in found]}))
        return
    if not env.config.alerts.enabled:
        click.echo("no alerts (spike alerts are off: [alerts] enabled = false)")
        return
    for alert in found:
        click.echo(alert_line(alert, now))
    if not found:
        click.echo("no alerts")


@click.command("note")
@click.argument("comment_id")
@click.argument("text")
@pass_env
def note_command(env: Env, comment_id: str, text: str) -> None:
    """Write an internal note on COMMENT_ID: for the team, never sent (journaled; shown in the
    detail pane and the case packet)."""
    action = env.open_desk().add_note(comment_id, text)
    click.echo(f"noted on {action.comment_id} by {action.user}")


COMMANDS = [bulk_command, undo_command, stats_command, note_command]
