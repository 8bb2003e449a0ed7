"""The labelled texts the heads are fitted on: the project's ``training/``, the dev comments,
and the real public sets outside the project, each line judged only for the tags it speaks for.
"""

from __future__ import annotations

import csv
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from triage.errors import DataFileError
from triage.model import TAG_NAMES
from triage.tagger.evaluate import read_labelled

__all__ = ["EXTERNAL_SETS", "Example", "default_data_dir", "default_training_dir", "load_corpus",
           "corpus_hash"]

ALL = frozenset(TAG_NAMES)
#: Outside writing (news, consumer questions) is never a crisis or abuse: it teaches the
#: heads not to flag the news.
OUTSIDE_NEGATIVE = frozenset({"crisis", "abuse"})


@dataclass(frozen=True, slots=True)
class Example:
    """One labelled text; ``own`` is writing like the queue's (training/ and dev comments)."""

    id: str
    text: str
    labels: frozenset[str]
    judged: frozenset[str]
    source: str
    own: bool


#: The real labelled sets read at fit time from the shared data folder (never copied into
#: the project): (path under the folder, extra tags judged negative on every line).
#: cssrs-reddit is left out on purpose: its SOURCE.md says never to train on it.
EXTERNAL_SETS: tuple[tuple[str, frozenset[str]], ...] = (
    ("external/davidson-hate-offensive/davidson-hate-offensive.jsonl", frozenset()),
    ("external/olid-offensive/olid-offensive.jsonl", frozenset()),
    ("external/sms-spam/sms-spam.jsonl", frozenset()),
    ("external/twitter-suicidal-intention/twitter-suicidal-intention.jsonl", frozenset()),
    ("external/psytar-sentences/psytar-sentences.jsonl", frozenset()),
    ("external/covid-rumor-claims/covid-rumor-claims.jsonl", frozenset()),
    ("external/liveqa-medical-2017/test-questions.jsonl", OUTSIDE_NEGATIVE),
    ("external/constraint-covid19-en/Constraint_Train.csv", OUTSIDE_NEGATIVE),
)
DEV_COMMENTS = "dev-comments.jsonl"


def default_training_dir() -> Path:
    """The project's ``training/`` folder (beside the ``triage`` package in a checkout)."""
    return Path(__file__).resolve().parents[2] / "training"


def default_data_dir() -> Path:
    """The shared data folder: ``TRIAGE_FIT_DATA``, else ``../shared/data`` beside the project."""
    override = os.environ.get("TRIAGE_FIT_DATA")
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[3] / "shared" / "data"


#: At most this many lines from each outside set (a fixed sample by id hash), so that the
#: outside sets do not drown the project's own writing and a first fit stays quick.
PER_SET = 500


def load_corpus(training_dir: Path | None, data_dir: Path | None,
                per_set: int = PER_SET) -> list[Example]:
    """Every labelled line, in a fixed order (sources sorted by name, lines in file order).

    Each outside set gives at most ``per_set`` lines: those whose id hashes lowest.

    A bad line in any file stops the fit with a DataFileError naming the file and line:
    a model fitted on half a corpus must not look like one fitted on all of it.
    """
    examples: list[Example] = []
    problems: list[str] = []
    if training_dir is not None:
        if not training_dir.is_dir():
            raise DataFileError(f"{training_dir}: the training folder is not there")
        for path in sorted(training_dir.glob("*.jsonl")):
            examples += _jsonl(path, f"training/{path.name}", True, frozenset(), problems)
    if data_dir is not None:
        dev = data_dir / DEV_COMMENTS
        if not dev.is_file():
            raise DataFileError(f"{dev}: the dev comments are not there (--data names the "
                                "folder holding dev-comments.jsonl and external/)")
        examples += _jsonl(dev, DEV_COMMENTS, True, frozenset(), problems)
        for relative, negative in EXTERNAL_SETS:
            path = data_dir / relative
            if not path.is_file():
                raise DataFileError(f"{path}: an outside set the fit reads is not there")
            name = relative.split("/")[1]
            if path.suffix == ".csv":
                lines = _constraint_csv(path, name, negative)
            else:
                lines = _jsonl(path, name, False, negative, problems)
            examples += _sample(lines, per_set)
    if problems:
        raise DataFileError("the training data has bad lines:\n  " + "\n  ".join(problems[:20]))
    if not examples:
        raise DataFileError("no labelled lines to fit on")
    return examples


def _sample(lines: list[Example], size: int) -> list[Example]:
    """At most ``size`` lines, chosen by the hash of their id, kept in file order."""
    if len(lines) <= size:
        return lines
    ranked = sorted(range(len(lines)),
                    key=lambda i: hashlib.sha256(lines[i].id.encode()).digest())
    keep = set(ranked[:size])
    return [line for i, line in enumerate(lines) if i in keep]


def _jsonl(path: Path, source: str, own: bool, negative: frozenset[str],
           problems: list[str]) -> list[Example]:
    return [
        Example(line.id, line.text, line.labels, line.judged | negative, source, own)
        for line in read_labelled(path, problems)
        if line.text.strip()
    ]


def _constraint_csv(path: Path, source: str, negative: frozenset[str]) -> list[Example]:
    """CONSTRAINT's ``id,tweet,label`` file: fake is misinformation; real is mostly news."""
    out: list[Example] = []
    with path.open(newline="", encoding="utf-8") as handle:
        for number, row in enumerate(csv.DictReader(handle), 2):
            text, label = row.get("tweet") or "", row.get("label")
            if label not in ("real", "fake"):
                raise DataFileError(f"{path}: line {number}: label must be real or fake")
            if text.strip():
                out.append(Example(
                    f"{source}-{row.get('id') or number}", text,
                    frozenset({"misinformation"}) if label == "fake" else frozenset(),
                    frozenset({"misinformation"}) | negative, source, False,
                ))
    return out


def corpus_hash(examples: list[Example]) -> str:
    """SHA-256 of every line's source, text, labels and judged tags, in order."""
    digest = hashlib.sha256()
    for ex in examples:
        digest.update(ex.source.encode())
        digest.update(b"\0")
        digest.update(ex.text.encode("utf-8", "surrogatepass"))
        digest.update(("\0" + ",".join(sorted(ex.labels)) + "\0"
                       + ",".join(sorted(ex.judged)) + "\n").encode())
    return digest.hexdigest()
