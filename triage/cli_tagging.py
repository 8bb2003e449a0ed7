"""Tagger commands: ``triage tag``, ``triage eval`` (score), ``triage tagger lint``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, BinaryIO

import click
import orjson

from triage.cli import Env, pass_env
from triage.errors import ImportError_
from triage.model import TAG_NAMES, Tag
from triage.textsafe import json_line, one_line

__all__ = ["COMMANDS", "eval_command", "tag_command", "tag_json", "tagger_group"]


def tag_json(tag: Tag) -> dict[str, Any]:
    """The public JSON form of one tag (``triage tag --json``)."""
    out: dict[str, Any] = {
        "name": tag.name,
        "score": round(tag.score, 3),
        "evidence": [[start, end] for start, end in tag.evidence],
        "source": tag.source,
    }
    if tag.claim_id:
        out["claim_id"] = tag.claim_id
        out["resource_title"] = tag.resource_title
        out["resource_url"] = tag.resource_url
    return out


@click.command("tag")
@click.argument("file", type=click.File("rb"), default="-")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@pass_env
def tag_command(env: Env, file: BinaryIO, as_json: bool) -> None:
    """Tag comments from FILE or - (stdin): JSON lines (`text`, optional `id`) or plain text.

    Writes one line per comment: its id and tags, each with score, evidence (character
    spans) and source; for misinformation also the matched claim and its resource. A line
    that is not a JSON object is tagged as plain text; a broken JSON object is reported by
    number on stderr, the rest are tagged, and the exit code is 2.
    """
    tag = env.tagger()
    out = sys.stdout
    bad = 0
    for number, raw in enumerate(file, 1):
        if not raw.strip():
            continue
        if not raw.lstrip().startswith(b"{"):
            row = {"text": raw.decode("utf-8", "replace").strip()}  # a line of plain text
        else:
            try:
                row = orjson.loads(raw)
            except orjson.JSONDecodeError:
                click.echo(f"line {number}: starts like a JSON object but is not valid JSON",
                           err=True)
                bad += 1
                continue
        if not isinstance(row, dict) or not isinstance(row.get("text"), str):
            click.echo(f"line {number}: needs a 'text' string", err=True)
            bad += 1
            continue
        comment_id = row.get("id")
        tags = tag(row["text"])
        if as_json:
            record = {
                "id": comment_id,
                "line": number,
                "tags": [tag_json(t) for t in tags],
            }
            out.write(json_line(record) + "\n")
        else:
            shown = "-" if comment_id is None else one_line(str(comment_id), 40)
            names = ",".join(f"{t.name}:{t.score:.2f}" for t in tags) or "-"
            claims = " ".join(f"{t.claim_id} <{t.resource_url}>" for t in tags if t.claim_id)
            out.write(f"{shown}\t{names}" + (f"\t{claims}" if claims else "") + "\n")
    out.flush()
    if bad:
        click.echo(f"{bad} bad line{'s' if bad != 1 else ''} skipped", err=True)
        raise SystemExit(2)


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


@click.command("eval")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
@click.option("--show-errors", is_flag=True, help="List the misses and false alarms.")
@click.option("--from-journal", is_flag=True,
              help="Score the tagger against the team's journaled corrections instead.")
@click.option("--model", "with_model", is_flag=True,
              help="Also score rules + the learned layer, beside the rules alone.")
@pass_env
def eval_command(
    env: Env, files: tuple[Path, ...], as_json: bool, show_errors: bool, from_journal: bool,
    with_model: bool,
) -> None:
    """Score the tagger on labelled FILES (TAGS.md format): precision, recall, F1 per tag."""
    if from_journal:
        if files:
            raise click.UsageError("--from-journal reads the store; give no FILES with it")
        _from_journal(env, as_json)
        return
    if not files:
        raise click.UsageError("give one or more labelled files (or --from-journal)")
    from triage.tagger import LabelledComment, evaluate, read_labelled

    problems: list[str] = []
    comments: list[LabelledComment] = []
    for path in files:
        try:
            comments.extend(read_labelled(path, problems))
        except OSError as exc:
            raise ImportError_(f"{path}: cannot read ({exc.strerror})") from None
    for problem in problems:
        click.echo(problem, err=True)
    result = evaluate(comments, env.tagger())
    if with_model:
        _side_by_side(env, comments, result, as_json, show_errors)
        return
    if as_json:
        click.echo(json_line(result.as_json()))
    else:
        click.echo(f"{'tag':<15}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>10}")
        for name, counts in result.counts.items():
            click.echo(
                f"{name:<15}{_percent(counts.precision):>10}{_percent(counts.recall):>10}"
                f"{_percent(counts.f1):>10}{counts.support:>10}"
            )
        click.echo(f"macro F1 {_percent(result.macro_f1)} over {result.comments} comments")
    if show_errors:
        stream = sys.stderr if as_json else sys.stdout
        for miss in result.errors:
            source = f" [{miss.source}]" if miss.source else ""
            stream.write(
                f"{miss.kind:<12}{miss.tag:<15}{one_line(miss.comment.id, 24):<26}"
                f"{one_line(miss.comment.text, 160)}{source}\n"
            )


def _side_by_side(env: Env, comments: list[Any], rules: Any, as_json: bool,
                  show_errors: bool) -> None:
    """Rules alone and rules + model, per tag, on the same comments."""
    from triage.learned import load_layer
    from triage.learned.layer import rules_and_model
    from triage.tagger import evaluate

    layer = load_layer(env.config.tagger, env.config.resolve, use_cache=True)
    combined = evaluate(comments, rules_and_model(env.tagger(), layer,
                                                  [c.text for c in comments]))
    if as_json:
        click.echo(json_line({"rules": rules.as_json(), "rules+model": combined.as_json(),
                              "model_tags": list(layer.tags)}))
    else:
        click.echo(f"{'':<15}{'rules alone':^30}  {'rules + model':^30}")
        click.echo(f"{'tag':<15}" + f"{'precision':>10}{'recall':>10}{'f1':>10}" * 2
                   + f"{'support':>10}")
        for name, counts in rules.counts.items():
            other = combined.counts[name]
            click.echo(
                f"{name:<15}{_percent(counts.precision):>10}{_percent(counts.recall):>10}"
                f"{_percent(counts.f1):>10}{_percent(other.precision):>10}"
                f"{_percent(other.recall):>10}{_percent(other.f1):>10}{counts.support:>10}"
            )
        click.echo(f"macro F1 {_percent(rules.macro_f1)} -> {_percent(combined.macro_f1)} over "
                   f"{rules.comments} comments (model on: {', '.join(layer.tags) or 'none'})")
    if show_errors:
        stream = sys.stderr if as_json else sys.stdout
        for miss in combined.errors:
            source = f" [{miss.source}]" if miss.source else ""
            stream.write(
                f"{miss.kind:<12}{miss.tag:<15}{one_line(miss.comment.id, 24):<26}"
                f"{one_line(miss.comment.text, 160)}{source}\n"
            )


def _from_journal(env: Env, as_json: bool) -> None:
    from triage.feedback import feedback_from_journal

    store = env.open_store(tagging=False)
    feedback = feedback_from_journal(store)
    if as_json:
        click.echo(json_line({
            "reviewed": feedback.reviewed,
            "corrections": feedback.corrections,
            "tags": {name: score.as_dict() for name, score in feedback.tags.items()},
            "weeks": {
                week: {name: score.as_dict() for name, score in scores.items()}
                for week, scores in sorted(feedback.weeks.items())
            },
        }))
        return
    click.echo(f"reviewed comments: {feedback.reviewed}, tag corrections: "
               f"{feedback.corrections}")
    header = f"{'tag':<15}{'precision':>10}{'recall':>10}{'support':>9}{'false+':>8}{'missed':>8}"
    click.echo(header)
    for name in TAG_NAMES:
        row = feedback.tags[name].as_dict()
        click.echo(
            f"{name:<15}{_percent(row['precision']):>10}{_percent(row['recall']):>10}"
            f"{row['support']:>9}{row['false_alarms']:>8}{row['misses']:>8}"
        )
    for week, scores in sorted(feedback.weeks.items()):
        parts = []
        for name in TAG_NAMES:
            row = scores[name].as_dict()
            if row["support"] or row["false_alarms"]:
                parts.append(
                    f"{name} p={_percent(row['precision'])} r={_percent(row['recall'])}"
                )
        click.echo(f"{week}: " + ("; ".join(parts) if parts else "nothing reviewed"))


@click.group("tagger")
def tagger_group() -> None:
    """The tagger's own data: lint the lexicons."""


@tagger_group.command("lint")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--corpus", "corpora", multiple=True, metavar="FILE",
              type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Look for dead phrases in FILE (JSON lines or plain text) instead of the "
                   "project's texts; repeatable.")
@click.option("--no-corpus", is_flag=True, help="Do not look for dead phrases.")
@click.option("--show-dead", is_flag=True, help="List every dead phrase, not only the counts.")
@click.option("--reasons", is_flag=True, help="List every phrase that keeps its reason.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
def lint_command(files: tuple[Path, ...], corpora: tuple[Path, ...], no_corpus: bool,
                 show_dead: bool, reasons: bool, as_json: bool) -> None:
    """Lint the lexicons of the rule FILES (default: the built-in ones and the claims).

    Errors (exit 1): an entry that another entry of its lexicon already matches in every
    form. Notes: phrases covered by a shorter or wider phrase of their lexicon, entries
    that one gap phrase (``x ~2 y``) could replace, and phrases that match no text in the
    dev comments, training/, held-out sets A-C, the claims' paraphrases and the outside
    sets (TRIAGE_SHARED_DATA, else ../shared/data beside the project), or in the --corpus
    files.
    """
    from triage.tagger.claims import BUILTIN_CLAIMS
    from triage.tagger.datafiles import DATA_DIR
    from triage.tagger.lint import claim_texts, default_corpora, lint_lexicons, read_lexicons
    from triage.tagger.tagger import RULE_FILES, compile_data

    aliases = compile_data(DATA_DIR, [BUILTIN_CLAIMS]).aliases
    paths = list(files) or [DATA_DIR / f"{name}.toml" for name in RULE_FILES]
    phrases = read_lexicons(paths, aliases, claims=not files)
    texts = [] if no_corpus else list(corpora) or default_corpora()
    own = claim_texts() if texts and not corpora else {}
    report = lint_lexicons(phrases, texts, aliases, own)
    if as_json:
        click.echo(json_line({
            "errors": [f.as_json() for f in report.errors],
            "notes": [f.as_json() for f in report.notes],
            "reasons": [{"file": str(p.file), "lexicon": p.lexicon, "phrase": p.text,
                         "why": p.entry.why} for p in report.reasons],
            "summary": report.summary(),
        }))
    else:
        for finding in report.errors:
            click.echo(f"error: {finding.message}")
        for finding in report.notes:
            if finding.kind != "dead" or show_dead:
                click.echo(f"note: {finding.message}")
        if reasons:
            for phrase in report.reasons:
                click.echo(f"why: {phrase.file.name}: lexicon '{phrase.lexicon}': "
                           f"{phrase.text!r}: {phrase.entry.why}")
        _lint_summary(report, texts, no_corpus)
    if report.errors:
        raise SystemExit(1)


def _lint_summary(report: Any, texts: list[Path], no_corpus: bool) -> None:
    summary = report.summary()
    if no_corpus:
        click.echo("dead phrases: not looked for (--no-corpus)")
    elif not texts:
        click.echo("dead phrases: not looked for (no corpus found; set TRIAGE_SHARED_DATA "
                   "or give --corpus)")
    else:
        click.echo(f"dead phrases (no match in {summary['corpus_texts']} texts of "
                   f"{len(summary['corpora'])} corpora):")
        for name, total in summary["entries_per_file"].items():
            click.echo(f"  {name}: {summary['dead_per_file'].get(name, 0)} of {total}")
    click.echo(
        f"{summary['entries']} entries in {summary['files']} files: "
        f"{summary['duplicates']} duplicate{'s' if summary['duplicates'] != 1 else ''} "
        f"(errors), {summary['covered']} covered, {summary['gap_families']} gap families, "
        f"{summary['dead']} dead, {summary['with_reasons']} with reasons"
    )


COMMANDS = [tag_command, eval_command, tagger_group]
