"""The heads file: one logistic head per tag over the sentence embedding, its thresholds,
the cross-validated figures, and a few of the project's own labelled examples to cite.

Fitting is plain L2-regularised logistic regression by Newton's method (numpy only).
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from triage.errors import ModelUnavailable
from triage.learned.embed import DIMS, ENCODER

if TYPE_CHECKING:
    import numpy as np

__all__ = ["FORMAT", "HEADS_PATH", "Exemplar", "Head", "Heads", "fit_logistic", "load_heads"]

#: The version of the file's layout (a reader refuses another).
FORMAT = 1
#: The heads shipped with Triage (rebuilt by ``triage model fit``).
HEADS_PATH = Path(str(resources.files("triage") / "data" / "model" / "heads.json"))


@dataclass(frozen=True, slots=True)
class Head:
    """One tag's head: ``p = sigmoid(w·x + b)``; tag at ``threshold``, flag at ``possible``."""

    tag: str
    weights: tuple[float, ...]
    bias: float
    threshold: float
    possible: float | None = None
    cv: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Exemplar:
    """A labelled example from the project's own ``training/`` texts, cited as evidence."""

    id: str
    text: str
    tags: tuple[str, ...]
    vector: bytes  # int8, DIMS values, scaled by 127


@dataclass(frozen=True, slots=True)
class Heads:
    version: str
    corpus_hash: str
    corpus_lines: int
    heads: dict[str, Head]
    default_tags: tuple[str, ...]
    settings: dict[str, Any] = field(default_factory=dict)
    exemplars: tuple[Exemplar, ...] = ()
    encoder: str = ENCODER
    dims: int = DIMS

    def to_json(self) -> str:
        doc = {
            "format": FORMAT, "version": self.version, "encoder": self.encoder,
            "dims": self.dims, "corpus_hash": self.corpus_hash,
            "corpus_lines": self.corpus_lines, "default_tags": list(self.default_tags),
            "settings": self.settings,
            "heads": {
                name: {"bias": round(h.bias, 6), "threshold": h.threshold,
                       "possible": h.possible, "cv": h.cv,
                       "weights": [round(w, 5) for w in h.weights]}
                for name, h in self.heads.items()
            },
            "exemplars": [
                {"id": e.id, "text": e.text, "tags": list(e.tags),
                 "vector": base64.b64encode(e.vector).decode()}
                for e in self.exemplars
            ],
        }
        return json.dumps(doc, indent=1, ensure_ascii=False) + "\n"


def load_heads(path: Path | None = None) -> Heads:
    """Read a heads file; anything wrong with it is a ModelUnavailable naming the file."""
    path = path or HEADS_PATH
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelUnavailable(f"{path}: the model's heads file cannot be read ({exc})") from exc
    try:
        if doc["format"] != FORMAT or doc["encoder"] != ENCODER or doc["dims"] != DIMS:
            raise ModelUnavailable(
                f"{path}: heads for another encoder or layout ({doc.get('encoder')}, format "
                f"{doc.get('format')}); rebuild them with: triage model fit")
        heads = {}
        for name, h in doc["heads"].items():
            weights = tuple(float(w) for w in h["weights"])
            if len(weights) != DIMS:
                raise ValueError(f"head {name} has {len(weights)} weights, not {DIMS}")
            possible = h.get("possible")
            heads[name] = Head(name, weights, float(h["bias"]), float(h["threshold"]),
                               None if possible is None else float(possible), dict(h["cv"]))
        exemplars = tuple(
            Exemplar(str(e["id"]), str(e["text"]), tuple(e["tags"]),
                     base64.b64decode(e["vector"]))
            for e in doc.get("exemplars", ())
        )
        return Heads(str(doc["version"]), str(doc["corpus_hash"]), int(doc["corpus_lines"]),
                     heads, tuple(doc["default_tags"]), dict(doc.get("settings", {})),
                     exemplars)
    except ModelUnavailable:
        raise
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelUnavailable(f"{path}: the model's heads file is broken ({exc})") from exc


def fit_logistic(x: np.ndarray, y: np.ndarray, weight: np.ndarray, l2: float,
                 iterations: int = 25) -> tuple[np.ndarray, float]:
    """Weights and bias minimising weighted log-loss + ``l2``/2·|w|² (bias not penalised)."""
    import numpy as np

    n, d = x.shape
    design = np.hstack([x.astype(np.float64), np.ones((n, 1))])
    theta = np.zeros(d + 1)
    penalty = np.full(d + 1, l2)
    penalty[-1] = 0.0
    for _ in range(iterations):
        z = np.clip(design @ theta, -30, 30)
        p = 1.0 / (1.0 + np.exp(-z))
        grad = design.T @ (weight * (p - y)) + penalty * theta
        curvature = weight * p * (1 - p) + 1e-9
        hessian = (design * curvature[:, None]).T @ design + np.diag(penalty + 1e-6)
        step = np.linalg.solve(hessian, grad)
        theta -= step
        if float(np.max(np.abs(step))) < 1e-6:
            break
    return theta[:-1], float(theta[-1])
