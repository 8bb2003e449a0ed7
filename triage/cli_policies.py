"""``triage policies``: lint the reply policies, and check a text against them."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from triage.cli import Env, pass_env
from triage.errors import PolicyFileError
from triage.policies import check_reply, lint_policies, load_policies, policy_files
from triage.textsafe import inline, json_line

__all__ = ["COMMANDS", "policies_group"]


@click.group("policies")
def policies_group() -> None:
    """The reply policies every reply is checked against: lint them, check a text."""


@policies_group.command("lint")
@click.argument("directory", required=False, type=click.Path(path_type=Path))
@pass_env
def lint_command(env: Env, directory: Path | None) -> None:
    """Check every policy file in DIRECTORY (default: the policies in force).

    One line per problem, naming the file and the entry; exits 2 when a file is broken.
    A review date that has passed is a warning (the policy stays in force).
    """
    if directory is not None:
        if not directory.is_dir():
            raise PolicyFileError(f"{directory}: no such folder")
        paths = sorted(directory.glob("*.toml"))
    else:
        paths = policy_files(env.config)
    policies, problems = lint_policies(paths, today=date.today())
    for problem in problems:
        click.echo(inline(("" if problem.blocking else "warning: ") + str(problem)))
    broken = [p for p in problems if p.blocking]
    if broken:
        files = len({p.file for p in broken})
        raise PolicyFileError(f"{len(broken)} problem{'s' if len(broken) != 1 else ''} in "
                              f"{files} policy file{'s' if files != 1 else ''}")
    click.echo(f"{len(policies)} policies clean ({', '.join(p.id for p in policies)})",
               err=True)


@policies_group.command("check")
@click.argument("text")
@click.option("--comment", "comment_id", metavar="ID",
              help="The comment it answers: identifiers quoted from it are hits too.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per hit.")
@pass_env
def check_command(env: Env, text: str, comment_id: str | None, as_json: bool) -> None:
    """Check TEXT against the reply policies: one line per hit, with its policy and reason.

    Exits 1 when a hit blocks the reply, 0 when none does (review-level hits send a reply
    to an approver).
    """
    policies = load_policies(env.config)
    comment = None
    if comment_id is not None:
        comment = env.open_store(tagging=False).get(comment_id)
    hits = check_reply(text, comment, policies)
    for hit in hits:
        if as_json:
            sys.stdout.write(json_line(hit.to_doc()) + "\n")
            continue
        label = "BLOCK " if hit.blocks else "REVIEW"
        what = f" ({hit.detail})" if hit.detail else ""
        click.echo(inline(f"{label}  {hit.policy}  {hit.start}-{hit.end}  {hit.text!r}{what}"
                          f"  {hit.reason}"))
    blocking = sum(1 for hit in hits if hit.blocks)
    if not hits:
        click.echo(f"no policy hit ({len(policies.ids)} policies checked)", err=True)
    elif blocking:
        click.echo(f"{blocking} blocking hit{'s' if blocking != 1 else ''}: this reply cannot "
                   "be sent", err=True)
        raise SystemExit(1)
    else:
        click.echo("review-level hits only: an approver must approve this reply", err=True)


COMMANDS = [policies_group]
