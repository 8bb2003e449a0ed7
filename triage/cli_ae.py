"""Adverse-event commands: list the intakes, fill one in, complete it, export them."""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

import click

from triage.ae import (
    CRITERIA,
    FORMATS,
    complete_intake,
    export_intakes,
    intake_of,
    intakes,
    mark_not_ae,
    save_intake,
)
from triage.cli import Env, pass_env
from triage.errors import NotFound, QueryError
from triage.private import write_private
from triage.query import parse_duration
from triage.textsafe import inline, json_line, one_line

__all__ = ["COMMANDS", "ae_group"]

STATE_WORDS = {"open": "open", "complete": "complete", "not_ae": "not an AE"}


@click.group("ae")
def ae_group() -> None:
    """Adverse-event intakes: the four criteria, the reporting clock, the export.

    \b
    triage ae list                       every intake, open ones first, with its clock
    triage ae show ID                    the four criteria of one intake
    triage ae fill ID --product "Ozempic (semaglutide)" --confirm product
    triage ae complete ID                pharmacovigilance: all four confirmed
    triage ae not-ae ID --reason "…"     pharmacovigilance: not an adverse event
    triage ae export --since 7d --format csv > intakes.csv
    """


def _since(text: str) -> timedelta:
    try:
        return parse_duration(text, "--since: ")
    except QueryError as exc:
        raise click.BadParameter(str(exc).removeprefix("--since: "),
                                 param_hint="--since") from None


@ae_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.option("--state", type=click.Choice(["open", "late", "complete", "not_ae", "all"]),
              default="all", show_default=True, help="Which intakes.")
@pass_env
def list_command(env: Env, as_json: bool, state: str) -> None:
    """Every adverse-event intake: its clock (day 0 is first sight), state and criteria."""
    store = env.open_store(tagging=False)
    now = store.clock()
    found = intakes(store, env.config, now=now)
    found.sort(key=lambda pair: (not pair[1].open, pair[1].due, pair[0].id))
    shown = 0
    for comment, intake in found:
        if state == "late" and not intake.late(now) or state not in ("all", "late") \
                and intake.state != state:
            continue
        shown += 1
        if as_json:
            click.echo(json_line({
                "comment_id": comment.id, "state": intake.state, "due": intake.due.isoformat(),
                "days_left": intake.days_left(now) if intake.open else None,
                "late": intake.late(now), "confirmed": intake.confirmed()}))
            continue
        clock = intake.clock_label(now) if intake.open else STATE_WORDS[intake.state]
        click.echo(f"{inline(comment.id)}  {clock:<14} day {intake.day(now):>2}, due "
                   f"{intake.due.isoformat()}  {intake.confirmed()}/4 confirmed  "
                   f"{one_line(comment.author.name, 24)}")
    if not shown and not as_json:
        click.echo("no adverse-event intake" + ("" if state == "all" else f" is {state}"))


@ae_group.command("show")
@click.argument("comment_id")
@pass_env
def show_command(env: Env, comment_id: str) -> None:
    """The intake of COMMENT_ID: each criterion, whether it is confirmed, the clock."""
    store = env.open_store(tagging=False)
    comment = store.comments.get(comment_id)
    if comment is None:
        raise NotFound(f"no comment with id {comment_id!r}")
    intake = intake_of(store, env.config, comment)
    if intake is None:
        raise NotFound(f"{comment_id} is not tagged adverse_event and has no intake")
    now = store.clock()
    clock = intake.clock_label(now) if intake.open else STATE_WORDS[intake.state]
    click.echo(f"{inline(comment.id)}: {clock}, day {intake.day(now)} of "
               f"{intake.deadline_days}, due {intake.due.isoformat()}"
               + ("" if intake.saved else " (pre-filled, not saved yet)"))
    for name in CRITERIA:
        criterion = intake.criteria.get(name)
        value = one_line(criterion.value, 80) if criterion and criterion.value else "—"
        mark = "[x]" if criterion and criterion.confirmed else "[ ]"
        click.echo(f"  {mark} {name:<8} {value}")
    if intake.reason:
        click.echo(f"  reason: {one_line(intake.reason, 200)}")


@ae_group.command("fill")
@click.argument("comment_id")
@click.option("--patient", help="Who it happened to.")
@click.option("--reporter", help="Who reported it.")
@click.option("--product", help="The suspect product.")
@click.option("--event", help="What happened.")
@click.option("--confirm", "confirm", multiple=True, type=click.Choice(CRITERIA),
              help="Confirm a criterion (repeat for several).")
@click.option("--unconfirm", "unconfirm", multiple=True, type=click.Choice(CRITERIA),
              help="Take a confirmation back.")
@pass_env
def fill_command(env: Env, comment_id: str, patient: str | None, reporter: str | None,
                 product: str | None, event: str | None, confirm: tuple[str, ...],
                 unconfirm: tuple[str, ...]) -> None:
    """Fill in or confirm criteria of COMMENT_ID's intake (anyone on the team)."""
    given = {"patient": patient, "reporter": reporter, "product": product, "event": event}
    values = {k: v for k, v in given.items() if v is not None}
    ticks = {**{k: True for k in confirm}, **{k: False for k in unconfirm}}
    if not values and not ticks:
        raise click.UsageError("nothing to fill: give a criterion (--patient, --reporter, "
                               "--product, --event) or --confirm NAME")
    store = env.open_store(tagging=False)
    save_intake(store, env.config, env.user, comment_id, values, ticks)
    intake = intake_of(store, env.config, store.get(comment_id))
    assert intake is not None
    click.echo(f"saved the intake of {inline(comment_id)}: {intake.confirmed()}/4 confirmed")


@ae_group.command("complete")
@click.argument("comment_id")
@pass_env
def complete_command(env: Env, comment_id: str) -> None:
    """Mark COMMENT_ID's intake complete (pharmacovigilance; all four criteria confirmed)."""
    store = env.open_store(tagging=False)
    action = complete_intake(store, env.config, env.user, comment_id)
    late = " (after its deadline)" if action.data.get("late") else ""
    click.echo(f"intake of {inline(comment_id)} complete on day {action.data.get('day')}{late}")


@ae_group.command("not-ae")
@click.argument("comment_id")
@click.option("--reason", required=True, help="Why it is not an adverse event.")
@pass_env
def not_ae_command(env: Env, comment_id: str, reason: str) -> None:
    """Mark COMMENT_ID not an adverse event, saying why (pharmacovigilance)."""
    store = env.open_store(tagging=False)
    mark_not_ae(store, env.config, env.user, comment_id, reason)
    click.echo(f"{inline(comment_id)} marked not an adverse event; it can now be dismissed")


@ae_group.command("export")
@click.option("--since", "since_text", default="7d", show_default=True,
              help="Intakes first seen or changed within this long: 24h, 7d, 4w.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="csv", show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to FILE (readable by its owner only) instead of standard output.")
@pass_env
def export_command(env: Env, since_text: str, fmt: str, output: Path | None) -> None:
    """The intakes for the safety database, one record each, identifiers masked; the
    export is journaled. Pharmacovigilance only."""
    since = _since(since_text)
    store = env.open_store(tagging=False)
    text, count = export_intakes(store, env.config, env.user, since=since,
                                 since_text=since_text, fmt=fmt)
    if output is None:
        sys.stdout.write(text)
    else:
        try:
            write_private(output, text.encode("utf-8"))
        except OSError as exc:
            raise click.ClickException(f"{output}: cannot write: {exc.strerror}") from None
    click.echo(f"exported {count} intake{'s' if count != 1 else ''} ({fmt}, since "
               f"{since_text}); the export is journaled", err=True)


COMMANDS = [ae_group]
