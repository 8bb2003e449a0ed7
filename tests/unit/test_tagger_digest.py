"""The tagger's output on every labelled set is the one committed: a change made for
speed (or tidiness) must keep every tag, score, evidence span and source."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("tagger_digest",
                                               ROOT / "benchmarks" / "tagger_digest.py")
assert _spec is not None and _spec.loader is not None
digest = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(digest)

KEPT = json.loads(digest.DIGESTS.read_text(encoding="utf-8"))
SETS = dict(digest.labelled_sets())


def test_the_held_out_sets_are_fingerprinted() -> None:
    assert {name for name in KEPT if name.startswith("heldout/")} == {
        name for name in SETS if name.startswith("heldout/")
    }


@pytest.mark.parametrize("name", sorted(SETS))
def test_tags_on_a_labelled_set_are_unchanged(name: str) -> None:
    if name not in KEPT:
        pytest.fail(f"{name} has no fingerprints: run benchmarks/tagger_digest.py --write")
    now = digest.digests(SETS[name])
    changed = [i + 1 for i, (a, b) in enumerate(zip(KEPT[name], now, strict=True)) if a != b]
    assert not changed, f"{name}: tags changed on lines {changed[:20]}"
