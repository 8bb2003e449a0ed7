"""Fitting the heads: k-fold cross-validation on the training data chooses each head's
regularisation and thresholds, measures rules alone against rules OR model, then one fit
on everything gives the heads that ship.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from triage.learned.corpus import Example, corpus_hash
from triage.learned.heads import Exemplar, Head, Heads, fit_logistic
from triage.model import TAG_NAMES

if TYPE_CHECKING:
    import numpy as np

__all__ = ["FitSettings", "fit_heads"]

#: The outside sets whose lines are never crisis or abuse: their flags are false alarms.
OUTSIDE = ("constraint-covid19-en", "liveqa-medical-2017")


@dataclass(frozen=True, slots=True)
class FitSettings:
    folds: int = 5
    l2: tuple[float, ...] = (0.03, 0.1, 0.3, 1.0)
    #: Weight of an outside set's line against one of the project's own.
    outside_weight: float = 0.5
    #: The least cross-validated precision of rules OR model on the project's own lines.
    precision: dict[str, float] = field(default_factory=lambda: {"crisis": 0.85})
    #: For tags not named in ``precision``: at most this far below the rules' own precision.
    precision_drop: float = 0.05
    #: The model alone on the outside labelled sets: at least this precision at its threshold.
    outside_precision: float = 0.85
    #: At most this share of news and consumer questions flagged crisis or abuse.
    outside_false_alarms: float = 0.005
    #: The "possible crisis" band: at least this share of its flags are crises ...
    possible_precision: float = 0.2
    #: ... and at most this share of news and consumer questions fall in it.
    possible_false_alarms: float = 0.02
    #: On by default where the outside labelled sets' F1 gains at least this much.
    min_gain: float = 0.05
    #: Exemplars kept per tag (from training/ only), cited as nearest examples.
    exemplars: int = 40

    def as_json(self) -> dict[str, Any]:
        return {"folds": self.folds, "l2": list(self.l2), "outside_weight": self.outside_weight,
                "precision": self.precision, "precision_drop": self.precision_drop,
                "outside_precision": self.outside_precision,
                "outside_false_alarms": self.outside_false_alarms,
                "possible_precision": self.possible_precision,
                "possible_false_alarms": self.possible_false_alarms,
                "min_gain": self.min_gain}


def _fold(ex: Example, folds: int) -> int:
    digest = hashlib.sha256(f"{ex.source}\0{ex.id}\0{ex.text}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % folds


def _prf(tp: int, fp: int, fn: int) -> dict[str, float | int | None]:
    p = tp / (tp + fp) if tp + fp else None
    r = tp / (tp + fn) if tp + fn else None
    f = None if p is None or r is None else (0.0 if p + r == 0 else 2 * p * r / (p + r))
    return {"precision": None if p is None else round(p, 4),
            "recall": None if r is None else round(r, 4),
            "f1": None if f is None else round(f, 4), "support": tp + fn}


def _counts(pred: np.ndarray, truth: np.ndarray) -> tuple[int, int, int]:
    return (int((pred & truth).sum()), int((pred & ~truth).sum()), int((~pred & truth).sum()))


def fit_heads(
    examples: Sequence[Example],
    vectors: np.ndarray,
    rules: Sequence[frozenset[str]],
    settings: FitSettings,
    version: str,
    progress: Callable[[str], None] = lambda _: None,
) -> Heads:
    """Cross-validate, choose thresholds, then fit every head on all of its lines."""
    import numpy as np

    folds = np.array([_fold(ex, settings.folds) for ex in examples])
    own = np.array([ex.own for ex in examples])
    outside = np.array([ex.source in OUTSIDE for ex in examples])
    heads: dict[str, Head] = {}
    helps: list[str] = []
    for tag in TAG_NAMES:
        rows = np.array([i for i, ex in enumerate(examples) if tag in ex.judged])
        if rows.size == 0:
            continue
        y = np.array([tag in examples[i].labels for i in rows])
        if y.sum() < settings.folds or (~y).sum() < settings.folds:
            continue
        x = vectors[rows]
        weight = np.where(own[rows], 1.0, settings.outside_weight)
        positive = weight[y].sum()
        weight = np.where(y, weight * weight[~y].sum() / positive, weight)
        best: tuple[float, float, np.ndarray] | None = None
        for l2 in settings.l2:
            oof = np.zeros(rows.size)
            for k in range(settings.folds):
                train, test = folds[rows] != k, folds[rows] == k
                w, b = fit_logistic(x[train], y[train].astype(float), weight[train], l2)
                oof[test] = 1 / (1 + np.exp(-np.clip(x[test] @ w + b, -30, 30)))
            eps = 1e-6
            loss = float(-np.sum(weight * (y * np.log(oof + eps) + (~y) * np.log(1 - oof + eps)))
                         / weight.sum())
            progress(f"{tag}: l2 {l2}: cross-validated log-loss {loss:.4f}")
            if best is None or loss < best[0]:
                best = (loss, l2, oof)
        assert best is not None
        _, l2, oof = best
        ruled = np.array([tag in rules[i] for i in rows])
        choice = _choose(tag, oof, y, ruled, own[rows], outside[rows], settings)
        w, b = fit_logistic(x, y.astype(float), weight, l2)
        heads[tag] = Head(tag, tuple(float(v) for v in w), b, choice["threshold"],
                          choice.get("possible"), {"l2": l2, **choice["cv"]})
        if choice["helps"]:
            helps.append(tag)
        progress(f"{tag}: threshold {choice['threshold']}, helps: {choice['helps']}")
    exemplars = _exemplars(examples, vectors, heads, settings.exemplars)
    return Heads(version, corpus_hash(list(examples)), len(examples), heads, tuple(helps),
                 settings.as_json(), exemplars)


def _choose(tag: str, p: np.ndarray, y: np.ndarray, ruled: np.ndarray, own: np.ndarray,
            outside: np.ndarray, s: FitSettings) -> dict[str, Any]:
    """The lowest threshold meeting every precision constraint, and the figures it gives."""
    import numpy as np

    rules_own = _counts(ruled[own], y[own])
    rules_p = rules_own[0] / (rules_own[0] + rules_own[1]) if sum(rules_own[:2]) else 1.0
    need = s.precision.get(tag, max(0.5, rules_p - s.precision_drop))
    labelled_out = ~own & ~outside
    chosen = 1.0
    for threshold in np.round(np.arange(0.99, 0.04, -0.01), 2):
        model = p >= threshold
        tp, fp, _ = _counts((ruled | model)[own], y[own])
        if tp + fp and tp / (tp + fp) < need:
            continue
        mtp, mfp, _ = _counts(model[labelled_out], y[labelled_out])
        if mtp + mfp and mtp / (mtp + mfp) < s.outside_precision:
            continue
        if tag in ("crisis", "abuse") and outside.any():
            if model[outside].mean() > s.outside_false_alarms:
                continue
        chosen = float(threshold)
    model = p >= chosen
    cv: dict[str, Any] = {
        "own_rules": _prf(*_counts(ruled[own], y[own])),
        "own_combined": _prf(*_counts((ruled | model)[own], y[own])),
        "outside_sets_rules": _prf(*_counts(ruled[labelled_out], y[labelled_out])),
        "outside_sets_combined": _prf(*_counts((ruled | model)[labelled_out],
                                               y[labelled_out])),
        "news_and_questions_flagged": (round(float(model[outside].mean()), 4)
                                       if outside.any() else None),
        "precision_required": round(need, 4),
    }
    # It helps where, on real writing the rules were not built from (the outside labelled
    # sets), rules OR model beats the rules' F1; the threshold already keeps its precision
    # on the project's own lines (what the rules were built from) within bounds.
    gain = ((cv["outside_sets_combined"]["f1"] or 0.0)
            - (cv["outside_sets_rules"]["f1"] or 0.0))
    result: dict[str, Any] = {"threshold": chosen, "cv": cv,
                              "helps": chosen < 1.0 and gain >= s.min_gain}
    if tag == "crisis" and chosen < 1.0:
        result["possible"] = _possible(p, y, ruled, own, outside, chosen, s)
        band = (p >= result["possible"]) & (p < chosen) & ~ruled
        result["cv"]["possible_band"] = {
            "own_flags": int(band[own].sum()), "own_crises": int((band & y)[own].sum()),
            "own_lines": int(own.sum()),
            "outside_sets_flags": int(band[~own & ~outside].sum()),
            "outside_sets_crises": int((band & y)[~own & ~outside].sum()),
            "news_and_questions_flagged": (round(float(band[outside].mean()), 4)
                                           if outside.any() else None),
        }
    return result


def _possible(p: np.ndarray, y: np.ndarray, ruled: np.ndarray, own: np.ndarray,
              outside: np.ndarray, threshold: float, s: FitSettings) -> float:
    """The lowest score above which the band below ``threshold`` stays worth a look."""
    import numpy as np

    chosen = threshold
    for low in np.round(np.arange(threshold - 0.01, 0.04, -0.01), 2):
        band = (p >= low) & (p < threshold) & ~ruled
        flags, hits = int(band[~outside].sum()), int((band & y)[~outside].sum())
        if flags and hits / flags < s.possible_precision:
            continue
        if outside.any() and band[outside].mean() > s.possible_false_alarms:
            continue
        chosen = float(low)
    return chosen


def _exemplars(examples: Sequence[Example], vectors: np.ndarray, heads: dict[str, Head],
               per_tag: int) -> tuple[Exemplar, ...]:
    """Up to ``per_tag`` positives per tag from training/ (the project's own writing),
    those the head scores highest; with their vectors as int8."""
    import numpy as np

    chosen: dict[int, None] = {}
    for tag, head in heads.items():
        idx = [i for i, ex in enumerate(examples)
               if ex.source.startswith("training/") and tag in ex.labels]
        if not idx:
            continue
        scores = vectors[idx] @ np.array(head.weights) + head.bias
        for j in np.argsort(-scores, kind="stable")[:per_tag]:
            chosen[idx[int(j)]] = None
    out = []
    for i in sorted(chosen):
        ex = examples[i]
        vec = np.clip(np.round(vectors[i] * 127), -127, 127).astype(np.int8).tobytes()
        text = ex.text if len(ex.text) <= 90 else ex.text[:89].rstrip() + "…"
        out.append(Exemplar(ex.id, text, tuple(sorted(ex.labels)), vec))
    return tuple(out)
