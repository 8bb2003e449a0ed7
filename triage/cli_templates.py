"""``triage templates``: lint the approved reply templates, list them, rank them for a comment."""

from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click

from triage.cli import Env, pass_env
from triage.errors import TemplateError, TemplateFileError
from triage.templates import (
    Candidate,
    Template,
    find_templates_dir,
    lint_templates,
    load_library,
    rank,
    render,
)
from triage.textsafe import inline, json_line, one_line

__all__ = ["COMMANDS", "template_json", "templates_group"]

_AS_OF = click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Judge approvals as of this day (YYYY-MM-DD; default today): what lapses by then.",
)


def _today(as_of: datetime | None) -> date:
    return as_of.date() if as_of is not None else date.today()


def template_json(template: Template, today: date) -> dict[str, Any]:
    """The public JSON form of a template (``templates ls --json``)."""
    return {
        "id": template.id,
        "title": template.title,
        "tags": list(template.tags),
        "claims": list(template.claims),
        "platforms": "all" if template.all_platforms else list(template.platforms),
        "language": template.language,
        "phi_safe": template.phi_safe,
        "approved_by": template.approved_by,
        "approved_on": template.approved_on.isoformat(),
        "review_by": template.review_by.isoformat(),
        "lapsed": template.lapsed(today),
        "resources": [{"title": r.title, "url": r.url} for r in template.resources],
    }


@click.group("templates")
def templates_group() -> None:
    """The approved reply templates: check them, list them, rank them for a comment."""


@templates_group.command("lint")
@click.argument("directory", required=False, type=click.Path(path_type=Path))
@_AS_OF
@pass_env
def lint_command(env: Env, directory: Path | None, as_of: datetime | None) -> None:
    """Check every template in DIRECTORY (default: the templates in use).

    One line per problem, naming the file and the field; exits 2 when there is any.
    Checks the schema, placeholders, https links, claim ids, that review_by is still
    ahead, and each platform's length limit with long sample values.
    """
    folder = directory if directory is not None else find_templates_dir(env.config)
    library = lint_templates(folder, config=env.config, today=_today(as_of))
    for problem in library.problems:
        click.echo(inline(str(problem)))
    checked = len(list(folder.glob("*.toml")))
    if library.problems:
        count = len(library.problems)
        raise TemplateFileError(
            f"{count} problem{'s' if count != 1 else ''} in {checked} template "
            f"file{'s' if checked != 1 else ''} ({folder})"
        )
    click.echo(f"{checked} templates clean ({folder})", err=True)


def _text_row(template: Template, today: date, extra: str = "") -> str:
    status = f"LAPSED {template.review_by}" if template.lapsed(today) else (
        f"until {template.review_by}")
    platforms = "all" if template.all_platforms else ",".join(template.platforms)
    tags = ",".join(template.tags) or "-"
    safe = "phi-safe" if template.phi_safe else "not-phi-safe"
    fields = (template.id, template.language, safe, status, tags, platforms)
    row = "\t".join(inline(field) for field in fields) + f"\t{one_line(template.title, 60)}"
    return row + (f"\t{inline(extra)}" if extra else "")


def _candidate_json(
    candidate: Candidate, position: int, env: Env, comment: Any, today: date
) -> dict[str, Any]:
    doc = template_json(candidate.template, today)
    doc.update(rank=position, relevant=candidate.relevant, reasons=list(candidate.reasons))
    try:
        doc["text"] = render(candidate.template, comment, env.config)
    except TemplateError as exc:
        doc["text"], doc["render_error"] = None, str(exc)
    return doc


@templates_group.command("ls")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.option("--for", "comment_id", metavar="COMMENT_ID",
              help="Only the templates this comment may get, best first.")
@_AS_OF
@pass_env
def ls_command(env: Env, as_json: bool, comment_id: str | None, as_of: datetime | None) -> None:
    """List the templates (lapsed ones marked), or rank them for one comment."""
    today = _today(as_of)
    library = load_library(env.config, today=today)
    broken = {p.file for p in library.problems if p.blocking}
    if broken:
        click.echo(f"warning: {len(broken)} broken template file(s) left out: run "
                   "`triage templates lint`", err=True)
    out = sys.stdout
    if comment_id is None:
        for template in sorted(library, key=lambda t: t.id):
            if as_json:
                out.write(json_line(template_json(template, today)) + "\n")
            else:
                out.write(_text_row(template, today) + "\n")
        return
    store = env.open_store(tagging=False)
    comment = store.get(comment_id)
    candidates = rank(library, comment, today, priority=env.config.priority.order)
    if not candidates:
        click.echo(f"no approved template may answer comment {inline(comment_id)} on "
                   f"{inline(comment.platform)}", err=True)
    for position, candidate in enumerate(candidates, start=1):
        if as_json:
            doc = _candidate_json(candidate, position, env, comment, today)
            out.write(json_line(doc) + "\n")
        else:
            why = "; ".join(candidate.reasons) or "-"
            mark = "" if candidate.relevant else "(other) "
            out.write(f"{position}\t" + _text_row(candidate.template, today, mark + why) + "\n")


COMMANDS = [templates_group]
