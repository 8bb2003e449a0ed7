"""Score the tagger on the shared labelled sets, converting the ones not in TAGS.md form.

Run by hand from the project folder (the data sets sit in ../shared/data):

    python benchmarks/external_sets.py [--shared ../shared/data] [--show-errors]

It prints ``triage eval`` for: the dev comments (all six tags); LiveQA consumer health
questions (question); the Presidio synthetic sentences that hold a phone number, e-mail
address or SSN, converted here to privacy-labelled lines; and CONSTRAINT COVID-19 posts
(misinformation, reported as measured: the tagger is not tuned to it).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
#: The Presidio entity types that count as a direct identifier for this benchmark.
PRESIDIO_TYPES = {"PHONE_NUMBER", "EMAIL_ADDRESS", "US_SSN"}


def presidio_lines(source: Path) -> list[dict[str, object]]:
    """Presidio sentences with a phone, e-mail or SSN span, as privacy-labelled lines."""
    rows = json.loads(source.read_text(encoding="utf-8"))
    lines = []
    for number, row in enumerate(rows, 1):
        kinds = {span["entity_type"] for span in row.get("spans", [])}
        if kinds & PRESIDIO_TYPES:
            lines.append({
                "id": f"presidio-{number}",
                "text": row["full_text"],
                "labels": ["privacy"],
                "judged": ["privacy"],
            })
    return lines


def run_eval(files: list[Path], show_errors: bool) -> None:
    command = [sys.executable, "-m", "triage", "--config", str(HERE.parent / "config.toml"),
               "eval", *map(str, files)]
    if show_errors:
        command.append("--show-errors")
    print("$ triage eval " + " ".join(f.name for f in files), flush=True)
    subprocess.run(command, check=True)
    print(flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=HERE.parent.parent / "shared" / "data")
    parser.add_argument("--show-errors", action="store_true")
    parser.add_argument("--only", choices=("dev", "liveqa", "presidio", "constraint"))
    args = parser.parse_args()
    data: Path = args.shared
    with tempfile.TemporaryDirectory() as folder:
        presidio = Path(folder) / "presidio-phone-email-ssn.jsonl"
        presidio.write_text(
            "".join(json.dumps(line) + "\n" for line in presidio_lines(
                data / "external" / "presidio-synth" / "synth_dataset_v2.json"
            )),
            encoding="utf-8",
        )
        sets = {
            "dev": data / "dev-comments.jsonl",
            "liveqa": data / "external" / "liveqa-medical-2017" / "test-questions.jsonl",
            "presidio": presidio,
            "constraint": data / "external" / "constraint-covid19-en" / "test.jsonl",
        }
        for name, path in sets.items():
            if args.only in (None, name):
                run_eval([path], args.show_errors and args.only == name)


if __name__ == "__main__":
    main()
