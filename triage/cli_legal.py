"""Legal commands: escalate, follow escalations to a decision, case packets, audit, retention."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from triage.cli import Env, pass_env
from triage.convert import iso
from triage.errors import JournalError, TriageError
from triage.legal import (
    DECISIONS,
    FORMATS,
    REASONS,
    SEVERITIES,
    add_note,
    all_escalations,
    apply_retention,
    audit_lines,
    change_text,
    close,
    configured_channels,
    deliver_pending,
    deliveries_of,
    display_status,
    escalate,
    export_packet,
    release,
    verify_journal,
)
from triage.legal.delivery import DeliveryReport
from triage.private import write_private
from triage.textsafe import inline, json_line, one_line
from triage.timefmt import ago

__all__ = [
    "COMMANDS",
    "audit_group",
    "escalate_command",
    "escalation_group",
    "escalations_group",
    "retention_group",
]


def _env(ctx: click.Context) -> Env:
    env = ctx.find_object(Env)
    assert env is not None, "the legal commands run under the triage group"
    return env


def _say_deliveries(report: DeliveryReport) -> None:
    if report.delivered:
        click.echo(f"delivered {report.delivered}")
    for error in report.errors:
        click.echo(f"not delivered: {inline(error)}", err=True)
    if report.waiting:
        click.echo(
            f"{report.waiting} deliver{'y' if report.waiting == 1 else 'ies'} pending: retried "
            "with backoff while Triage runs, or now with `triage escalations deliver`",
            err=True,
        )


@click.command("escalate")
@click.argument("comment_id")
@click.option("--reason", required=True, type=click.Choice(REASONS), help="Why legal must see it.")
@click.option("--severity", default="high", show_default=True, type=click.Choice(SEVERITIES))
@click.option("--note", default="", help="What legal should know.")
@pass_env
def escalate_command(env: Env, comment_id: str, reason: str, severity: str, note: str) -> None:
    """Escalate COMMENT_ID to legal: freeze it as evidence, hold it, and tell legal."""
    store = env.open_store(tagging=False)
    esc = escalate(store, env.config, env.user, comment_id, reason, severity, note)
    click.echo(f"escalated {inline(esc.comment_id)} as {esc.id} ({reason}, {severity}); "
               f"it is on legal hold. SHA-256 {esc.sha256}")
    if configured_channels(env.config):
        _say_deliveries(deliver_pending(store, env.config, user=env.user))
    else:
        click.echo("no [escalation] channel in config.toml: legal sees it in "
                   "`triage escalations` and on the Legal screen only", err=True)


@click.group("escalations", invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.pass_context
def escalations_group(ctx: click.Context, as_json: bool) -> None:
    """List escalations, newest first (or `deliver` the pending ones)."""
    if ctx.invoked_subcommand is not None:
        return
    env = _env(ctx)
    store = env.open_store(tagging=False)
    now = store.clock()
    out = sys.stdout
    for esc in all_escalations(store):
        status = display_status(store, esc)
        if as_json:
            doc = {
                "id": esc.id, "comment_id": esc.comment_id, "status": status,
                "state": esc.status, "reason": esc.reason, "severity": esc.severity,
                "by": esc.by, "at": iso(esc.at), "decision": esc.decision,
                "notes": len(esc.notes), "sha256": esc.sha256, "text_masked": esc.masked_text,
                "deliveries": [{"channel": d.channel, "status": d.status,
                                "attempts": d.attempts, "last_error": d.last_error}
                               for d in deliveries_of(store, esc.id)],
            }
            out.write(json_line(doc) + "\n")
        else:
            fields = (esc.id, status, esc.severity, esc.reason, esc.comment_id)
            out.write("\t".join(inline(field) for field in fields)
                      + f"\t{one_line(esc.by, 20)}\t{ago(esc.at, now)}\t"
                      + f"{inline(esc.decision or '-')}\n")


@escalations_group.command("deliver")
@click.pass_context
def deliver_command(ctx: click.Context) -> None:
    """Try every pending delivery now, whatever the backoff says; exit 1 if any failed."""
    env = _env(ctx)
    store = env.open_store(tagging=False)
    report = deliver_pending(store, env.config, user=env.user, force=True)
    if not report.delivered and not report.failed:
        click.echo("nothing pending")
    _say_deliveries(report)
    if report.failed:
        raise TriageError(f"{report.failed} of {report.failed + report.delivered} deliveries "
                          "failed; they stay pending and are retried")


@click.group("escalation")
def escalation_group() -> None:
    """Work one escalation: note, release, close, export its case packet."""


@escalation_group.command("note")
@click.argument("escalation_id")
@click.argument("text")
@pass_env
def note_command(env: Env, escalation_id: str, text: str) -> None:
    """Add a note to ESCALATION_ID (a note by legal puts it under review)."""
    store = env.open_store(tagging=False)
    esc = add_note(store, env.config, env.user, escalation_id, text)
    click.echo(inline(f"noted on {esc.id} ({display_status(store, esc)})"))


@escalation_group.command("release")
@click.argument("escalation_id")
@click.option("--decision", required=True, type=click.Choice(DECISIONS),
              help="What the team may do with the comment now.")
@click.option("--note", default="", help="Why (kept with the escalation).")
@pass_env
def release_command(env: Env, escalation_id: str, decision: str, note: str) -> None:
    """Release the legal hold of ESCALATION_ID with a decision (legal only)."""
    store = env.open_store(tagging=False)
    esc = release(store, env.config, env.user, escalation_id, decision, note)
    click.echo(inline(f"released {esc.comment_id} from {esc.id}: {decision}"))


@escalation_group.command("close")
@click.argument("escalation_id")
@pass_env
def close_command(env: Env, escalation_id: str) -> None:
    """Close a released ESCALATION_ID (legal only)."""
    store = env.open_store(tagging=False)
    esc = close(store, env.config, env.user, escalation_id)
    click.echo(inline(f"closed {esc.id}"))


@escalation_group.command("export")
@click.argument("escalation_id")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="md", show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to FILE instead of standard output.")
@pass_env
def export_command(env: Env, escalation_id: str, fmt: str, output: Path | None) -> None:
    """The case packet of ESCALATION_ID: the text as captured, its hash, thread, journal.

    Legal only: the packet is not masked.
    """
    store = env.open_store(tagging=False)
    text = export_packet(store, env.config, env.user, escalation_id, fmt)
    if output is None:
        sys.stdout.write(text)
        return
    try:
        write_private(output, text.encode("utf-8"))  # unmasked: readable by its owner only
    except OSError as exc:
        raise click.ClickException(f"{output}: cannot write: {exc.strerror}") from None
    click.echo(f"wrote the case packet to {output}", err=True)


@click.group("audit")
def audit_group() -> None:
    """Check the journal's hash chain, and read the history of actions."""


@audit_group.command("verify")
@click.pass_context
def verify_command(ctx: click.Context) -> None:
    """Check the journal's chain, its MACs (with an audit key) and that nothing was cut.

    `OK: N entries` and what that proves, or the first line that fails and what can still
    be said of the lines before it.
    """
    env = _env(ctx)
    if env.team_mode:  # the chain is kept and walked inside the team database
        check = env.open_desk().verify_journal()
        if not check.ok:
            raise JournalError(f"the team journal, entry {check.broken_seq}: {check.reason} "
                               f"(entries 1 to {check.entries} hold together)")
        click.echo(f"OK: {check.entries} entries in the team database's journal hold "
                   "together (each row's hash and its link to the one before)")
        return
    data_dir = env.data_dir()
    path, report = verify_journal(data_dir, env.audit_key(data_dir))
    if report.ok:
        click.echo("\n".join(report.lines))
        return
    raise JournalError("\n".join([*report.lines, f"(the journal: {path})"]))


@audit_group.command("log")
@click.option("--comment", "comment_id", metavar="ID", help="Only entries touching this comment.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@pass_env
def log_command(env: Env, comment_id: str | None, as_json: bool) -> None:
    """The history, oldest first: time, who, what, comment, before→after."""
    store = env.open_store(tagging=False)
    if comment_id is not None:
        store.get(comment_id)  # an unknown id is named, not silently empty
    out = sys.stdout
    for line in audit_lines(store.journal.path, comment_id):
        if as_json:
            out.write(json_line(line.as_json()) + "\n")
        else:
            out.write(f"{inline(str(line.at))}\t{one_line(line.user, 20)}\t{inline(line.kind)}\t"
                      f"{inline(line.comment_id or '-')}\t{one_line(change_text(line), 100)}\n")


@click.group("retention")
def retention_group() -> None:
    """Purge the text of old closed comments ([retention] days in config.toml)."""


@retention_group.command("apply")
@click.option("--dry-run", is_flag=True, help="Say what would be purged; change nothing.")
@pass_env
def retention_apply_command(env: Env, dry_run: bool) -> None:
    """Purge the text of closed, not-held comments older than [retention] days."""
    days = env.config.retention.days
    if days <= 0:
        click.echo("retention is off: set [retention] days = N in config.toml to purge the "
                   "text of closed comments older than N days")
        return
    store = env.open_store(tagging=False)
    report = apply_retention(store, env.config, env.user, dry_run=dry_run)
    verb = "would purge" if dry_run else "purged"
    click.echo(f"{verb} the text of {len(report.purged)} closed comments older than {days} days"
               f"; kept {len(report.kept_held)} on legal hold")


COMMANDS = [
    escalate_command,
    escalations_group,
    escalation_group,
    audit_group,
    retention_group,
]
