"""Queue commands for scripts: bulk actions over a query, undo, and the stats."""

from __future__ import annotations

import click
import orjson

from triage.cli import Env, pass_env
from triage.closing import CLOSE_REASONS, needs_reason
from triage.desk import Desk
from triage.errors import ActionRefused
from triage.model import TAG_NAMES, utcnow
from triage.query import parse_duration, parse_query
from triage.timefmt import duration
from triage.views import Sla

__all__ = ["COMMANDS", "bulk_command", "stats_command", "undo_command"]

BULK_ACTIONS = ("dismiss", "restore", "assign", "unassign", "tag", "untag")


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

    Dismissing an open crisis needs --reason: called-911, on-call (passed to the
    on-call clinician), lifeline (replied with the lifeline) or not-crisis (which
    also takes the crisis tag off).
    """
    match = parse_query(query_text).matcher(now=utcnow(), user=env.user)
    if action in ("assign", "tag", "untag") and not value:
        raise click.UsageError(f"{action} needs a value: triage bulk {action} VALUE --query …")
    if action in ("tag", "untag") and value not in TAG_NAMES:
        raise click.UsageError(f"unknown tag {value!r} (one of {', '.join(TAG_NAMES)})")
    store = env.open_store(tagging=False)
    ids = sorted(c.id for c in store if match(c))
    if not ids:
        click.echo("no comment matches the query")
        return
    if action == "dismiss" and reason is None:
        crises = sum(needs_reason(store.get(i)) for i in ids)
        if crises:
            choices = ", ".join(f"{key} ({label})" for key, label in CLOSE_REASONS.items())
            raise click.UsageError(
                f"{crises} of them {'is a crisis' if crises == 1 else 'are crises'}: say "
                f"what was done with --reason, one of {choices}")
    if not yes:
        click.confirm(f"{action} {len(ids)} comments?", abort=True)
    desk = Desk(store, env.user, team=[m.name for m in env.config.team])
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
    kept = f", {held} on legal hold left as they are" if held else ""
    click.echo(f"{action}: {len(done)} changed, {len(ids) - len(done) - held} already so{kept} "
               "(`triage undo` takes the whole batch back)")


@click.command("undo")
@pass_env
def undo_command(env: Env) -> None:
    """Undo the acting person's last action, or their whole last batch."""
    store = env.open_store(tagging=False)
    try:
        done = Desk(store, env.user).undo()
    except ActionRefused as exc:
        raise click.ClickException(str(exc)) from None
    kind = done[0].data.get("undone_kind", "action") if done else "action"
    click.echo(f"undid {kind} of {len(done)} comment{'s' if len(done) != 1 else ''}")


@click.command("stats")
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
@click.option("--since", default="7d", show_default=True, help="The window: 24h, 7d, 4w …")
@pass_env
def stats_command(env: Env, as_json: bool, since: str) -> None:
    """Volume by tag, platform and day; response times; SLAs met; the top myths."""
    from triage.stats import compute_stats

    window = parse_duration(since, "--since: ")
    store = env.open_store(tagging=False)
    stats = compute_stats(store, now=utcnow(), since=window, sla=Sla(env.config.sla))
    if as_json:
        click.echo(orjson.dumps(stats.as_dict()).decode())
        return
    click.echo(f"comments in the last {since}: {stats.total}")
    click.echo("by tag:      " + ", ".join(f"{k} {v}" for k, v in stats.by_tag.items()))
    click.echo("by platform: " + ", ".join(f"{k} {v}" for k, v in stats.by_platform.items()))
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
            click.echo(f"  {myth['count']:>4}  {myth['claim_id']}  {myth['resource_title']}")


COMMANDS = [bulk_command, undo_command, stats_command]
