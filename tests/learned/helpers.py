"""Heads built for the tests from real embeddings: a crisis head pointing at one sentence."""

from __future__ import annotations

from pathlib import Path

from triage.learned.embed import Embedder
from triage.learned.heads import Exemplar, Head, Heads
from triage.learned.layer import ModelLayer

__all__ = ["CRISIS_LIKE", "write_heads"]

#: What the test crisis head points at.
CRISIS_LIKE = "I have swallowed all my pills and I want to die tonight"


def write_heads(path: Path, texts: dict[str, str], embedder: Embedder) -> dict[str, float]:
    """Write heads whose crisis head ranks ``texts`` (by name: "tag", "possible", "none")
    in that order, with the threshold and the possible line between them; return the
    probability each text gets."""
    import numpy as np

    ref = embedder.embed([CRISIS_LIKE])[0]
    weights = tuple(float(v) for v in ref * 40.0)
    bias = -40.0 * 0.8
    probe = Heads("test-1", "0" * 64, 1, {"crisis": Head("crisis", weights, bias, 0.5)},
                  ("crisis",))
    layer = ModelLayer(probe, ["crisis"], embedder)
    vectors = embedder.embed(list(texts.values()))
    p = dict(zip(texts, (float(v) for v in layer.probabilities(vectors)[:, 0]), strict=True))
    assert p["tag"] > p["possible"] > p["none"], p
    threshold = round((p["tag"] + p["possible"]) / 2, 4)
    possible = round((p["possible"] + p["none"]) / 2, 4)
    example = np.clip(np.round(ref * 127), -127, 127).astype(np.int8).tobytes()
    heads = Heads(
        "test-1", "0" * 64, 1,
        {"crisis": Head("crisis", weights, bias, threshold, possible,
                        {"own_rules": {"precision": 1.0, "recall": 0.5, "f1": 0.667},
                         "own_combined": {"precision": 0.9, "recall": 0.9, "f1": 0.9}})},
        ("crisis",),
        exemplars=(Exemplar("train-0042", "took every pill in the cabinet, want to die",
                            ("crisis",), example),),
    )
    path.write_text(heads.to_json(), encoding="utf-8")
    return p
