"""Commands on single comments, on either store: next, show, dismiss, restore, assign."""

from __future__ import annotations

import click

from triage.cli import Env, pass_env
from triage.closing import CLOSE_REASONS
from triage.model import Action, Comment
from triage.textsafe import inline, one_line
from triage.timefmt import local

__all__ = ["COMMANDS"]


def _said(verb: str, done: list[Action], asked: int) -> str:
    return (f"{verb}: {len(done)} changed, {asked - len(done)} left as they were "
            "(`triage undo` takes it back)")


@click.command("next")
@pass_env
def next_command(env: Env) -> None:
    """Take the most urgent open comment that nobody holds, and assign it to yourself.

    On the team store, people taking the next comment at the same moment each get a
    different one.
    """
    from triage.legal import masked

    desk = env.open_desk()
    comment = desk.claim_next()
    if comment is None:
        click.echo("nothing to take: every open comment is assigned or on legal hold")
        return
    shown = masked(comment)
    tags = ",".join(comment.tag_names) or "-"
    click.echo(f"{inline(comment.id)}\tassigned to {inline(desk.user)}\t{tags}\t"
               f"{one_line(shown.text, 80)}")


@click.command("show")
@click.argument("comment_id")
@pass_env
def show_command(env: Env, comment_id: str) -> None:
    """One comment (identifiers masked): status, tags, who has it, its thread, notes, and
    who is working on it now."""
    from triage.legal import masked

    desk = env.open_desk()
    comment = desk.get(comment_id)
    shown: Comment = masked(comment)
    click.echo(f"{inline(comment.id)}  {inline(comment.platform)}/{inline(comment.account)}  "
               f"{comment.status}")
    click.echo(f"author:   {one_line(comment.author.name, 60)}")
    click.echo(f"written:  {local(comment.created_at)}")
    click.echo(f"tags:     {', '.join(comment.tag_names) or '-'}")
    click.echo(f"assignee: {inline(comment.assignee or '-')}")
    click.echo(f"text:     {one_line(shown.text, 400)}")
    parent, _ = desk.thread(comment)
    if parent is not None:
        click.echo(f"reply to: {inline(parent.id)} ({one_line(parent.author.name, 40)})")
    replies = desk.replies(comment)
    if replies:
        click.echo(f"replies:  {len(replies)}")
    for note in desk.notes(comment.id):
        click.echo(f"note:     {inline(note.by)}, {local(note.at)}: {one_line(note.text, 200)}")
    for lease in desk.leases(comment.id):
        click.echo(f"now:      {inline(lease.person)} is {inline(lease.what)}")


@click.command("dismiss")
@click.argument("ids", nargs=-1, required=True)
@click.option("--reason", type=click.Choice(list(CLOSE_REASONS)),
              help="For an open crisis: what was done about it.")
@pass_env
def dismiss_command(env: Env, ids: tuple[str, ...], reason: str | None) -> None:
    """Dismiss the comments IDS: nothing for the team to do (one batch, one undo)."""
    done = env.open_desk().dismiss(list(ids), reason)
    click.echo(_said("dismiss", [a for a in done if a.kind == "dismiss"], len(ids)))


@click.command("restore")
@click.argument("ids", nargs=-1, required=True)
@pass_env
def restore_command(env: Env, ids: tuple[str, ...]) -> None:
    """Put the dismissed comments IDS back in the queue as new."""
    click.echo(_said("restore", env.open_desk().restore(list(ids)), len(ids)))


@click.command("assign")
@click.argument("ids", nargs=-1, required=True)
@click.option("--to", "person", metavar="NAME", help="Who takes them (omit to unassign).")
@pass_env
def assign_command(env: Env, ids: tuple[str, ...], person: str | None) -> None:
    """Assign the comments IDS to a member of the team (--to), or unassign them."""
    click.echo(_said("assign", env.open_desk().assign(list(ids), person), len(ids)))


COMMANDS = [next_command, show_command, dismiss_command, restore_command, assign_command]
