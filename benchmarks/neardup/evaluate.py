"""Precision and recall of near-duplicate grouping on the hand-labelled set (set.txt).

Run from the project folder:

    python benchmarks/neardup/evaluate.py [--show]

Each pair of items counts: grouped and labelled as copies (a true pair), grouped but
labelled apart (a false pair: a hard negative grouped, or two clusters joined), labelled
as copies but not grouped (a missed pair). ``--show`` lists what went wrong.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from triage.groups import near_duplicate_groups  # noqa: E402
from triage.model import Author, Comment  # noqa: E402


def read_set(path: Path) -> list[tuple[str, str]]:
    """(label, text) for every item of the set, in file order."""
    items: list[tuple[str, str]] = []
    label = ""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("== "):
            label = line[3:].strip()
        elif line.startswith("-- "):
            label = line[3:].strip()
            items.append((label, ""))
        elif not label:
            raise SystemExit(f"{path}:{number}: a text before any '==' or '--' line")
        elif items and items[-1] == (label, ""):
            items[-1] = (label, line.strip())
        else:
            items.append((label, line.strip()))
    return [(label, text) for label, text in items if text]


def evaluate(items: list[tuple[str, str]]) -> dict[str, object]:
    start = datetime(2026, 12, 1, tzinfo=UTC)
    comments = [Comment(id=f"n{n:03d}", platform="facebook", account="main", text=text,
                        created_at=start + timedelta(minutes=n), author=Author(f"a{n}", f"a{n}"))
                for n, (_, text) in enumerate(items)]
    label = {c.id: items[n][0] for n, c in enumerate(comments)}
    text = {c.id: c.text for c in comments}
    group_of: dict[str, str] = {}
    for group in near_duplicate_groups(comments):
        for member in group.ids:
            group_of[member] = group.key
    tp = fp = fn = 0
    wrong: list[str] = []
    for a, b in itertools.combinations(sorted(label), 2):
        same = label[a] == label[b]
        grouped = a in group_of and group_of.get(a) == group_of.get(b)
        if same and grouped:
            tp += 1
        elif grouped:
            fp += 1
            wrong.append(f"grouped, labelled apart ({label[a]} / {label[b]}):\n  {text[a]}\n"
                         f"  {text[b]}")
        elif same:
            fn += 1
            wrong.append(f"not grouped, labelled copies ({label[a]}):\n  {text[a]}\n  {text[b]}")
    return {
        "items": len(items),
        "clusters": len({lab for lab, _ in items if sum(1 for x, _ in items if x == lab) > 1}),
        "pairs_labelled": tp + fn,
        "true_pairs": tp, "false_pairs": fp, "missed_pairs": fn,
        "precision": tp / (tp + fp) if tp + fp else 1.0,
        "recall": tp / (tp + fn) if tp + fn else 1.0,
        "wrong": wrong,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", type=Path, default=HERE / "set.txt")
    parser.add_argument("--show", action="store_true", help="list every pair gone wrong")
    options = parser.parse_args()
    result = evaluate(read_set(options.set))
    print(f"{result['items']} items, {result['clusters']} clusters of near-copies, "
          f"{result['pairs_labelled']} labelled pairs")
    print(f"precision {result['precision']:.3f} ({result['true_pairs']} true pairs, "
          f"{result['false_pairs']} false)")
    print(f"recall    {result['recall']:.3f} ({result['missed_pairs']} pairs missed)")
    if options.show:
        for line in result["wrong"]:  # type: ignore[attr-defined]
            print(line)


if __name__ == "__main__":
    main()
