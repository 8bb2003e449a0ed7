"""Fingerprints of the tagger's output on every labelled set, to show a change kept it.

Run by hand from the project folder after a change meant to keep every tag the same:

    python benchmarks/tagger_digest.py            # compare with the committed fingerprints
    python benchmarks/tagger_digest.py --write    # after a change meant to alter tags

Each comment's tags (name, score, evidence spans, source, claim) give 8 hex digits; the
file holds no text. The sets are the held-out sets in ``benchmarks/heldout``, and, where
the shared data folder is beside the project (or ``TRIAGE_SHARED_DATA`` names it), the
dev comments and the outside sets.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIGESTS = ROOT / "tests" / "unit" / "data" / "tagger-digests.json"
SHARED = Path(os.environ.get("TRIAGE_SHARED_DATA") or ROOT.parent / "shared" / "data")


def labelled_sets() -> Iterator[tuple[str, Path]]:
    """(name, path) of every labelled set that is here."""
    for path in sorted((ROOT / "benchmarks" / "heldout").glob("set-*.jsonl")):
        yield f"heldout/{path.name}", path
    if SHARED.is_dir():
        yield "shared/dev-comments.jsonl", SHARED / "dev-comments.jsonl"
        for path in sorted(SHARED.glob("external/*/*.jsonl")):
            yield f"shared/{path.relative_to(SHARED)}", path


def digests(path: Path) -> list[str]:
    """One short fingerprint per line of ``path``: of the tags of its text."""
    sys.path.insert(0, str(ROOT))
    from triage.tagger import Tagger

    tagger = Tagger()
    found = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            item = json.loads(line)
        except ValueError:
            continue
        text = item.get("text") or item.get("question") or ""
        tags = [[t.name, t.score, [list(span) for span in t.evidence], t.source, t.claim_id]
                for t in tagger.tag(text)]
        found.append(hashlib.sha256(json.dumps(tags).encode()).hexdigest()[:8])
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="write the fingerprints")
    args = parser.parse_args()
    now = {name: digests(path) for name, path in labelled_sets()}
    if args.write:
        DIGESTS.write_text(json.dumps(now, indent=0, sort_keys=True) + "\n", encoding="utf-8")
        print(f"wrote {sum(map(len, now.values()))} fingerprints of {len(now)} sets")
        return 0
    kept = json.loads(DIGESTS.read_text(encoding="utf-8"))
    changed = 0
    for name, values in now.items():
        before = kept.get(name)
        if before is None:
            print(f"{name}: no fingerprints committed")
            continue
        moved = [i + 1 for i, (a, b) in enumerate(zip(before, values, strict=False)) if a != b]
        changed += len(moved)
        print(f"{name}: {len(values)} comments, {len(moved)} changed"
              + (f" (lines {', '.join(map(str, moved[:10]))})" if moved else ""))
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main())
