"""The learned layer at run time: scores a comment per tag and says which tags it would add
(never removing one), with the nearest labelled examples from the project's own writing.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from triage.learned.embed import Embedder
from triage.learned.heads import Heads
from triage.model import TAG_NAMES, Tag

if TYPE_CHECKING:
    import numpy as np

__all__ = ["ModelLayer", "Nearest", "Suggestion", "rules_and_model"]


@dataclass(frozen=True, slots=True)
class Nearest:
    """A labelled example like the comment: its id, its text (shortened), the similarity."""

    id: str
    text: str
    similarity: float


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A tag the model would add (``possible``: only worth a person's look), and why."""

    tag: str
    p: float
    possible: bool
    nearest: tuple[Nearest, ...] = ()

    @property
    def source(self) -> str:
        kind = "model-possible" if self.possible else "model"
        return f"{kind}:{self.tag} p={self.p:.2f}"


class ModelLayer:
    """Heads over the encoder, limited to ``tags`` (the ones configured on)."""

    def __init__(self, heads: Heads, tags: Collection[str], embedder: Embedder | None = None
                 ) -> None:
        import numpy as np

        self.heads = heads
        self.tags = tuple(t for t in heads.heads if t in tags)
        self.embedder = embedder or Embedder(use_cache=False)
        self._w = np.array([heads.heads[t].weights for t in self.tags], dtype=np.float32)
        self._b = np.array([heads.heads[t].bias for t in self.tags], dtype=np.float32)
        vectors = [np.frombuffer(e.vector, dtype=np.int8) for e in heads.exemplars]
        self._exemplars = (np.array(vectors, dtype=np.float32) / 127.0 if vectors
                           else np.zeros((0, heads.dims), dtype=np.float32))

    def probabilities(self, vectors: np.ndarray) -> np.ndarray:
        """(n, len(tags)) probabilities for (n, dims) embeddings."""
        import numpy as np

        if not self.tags:
            return np.zeros((len(vectors), 0), dtype=np.float32)
        z = np.clip(vectors @ self._w.T + self._b, -30, 30)
        return 1.0 / (1.0 + np.exp(-z))

    def suggest(self, texts: Sequence[str], rule_tags: Sequence[Collection[str]]
                ) -> list[list[Suggestion]]:
        """For each text, the tags the model adds to those the rules gave (never fewer)."""
        vectors = self.embedder.embed(list(texts))
        probs = self.probabilities(vectors)
        out: list[list[Suggestion]] = []
        for row, (vector, have) in enumerate(zip(vectors, rule_tags, strict=True)):
            found: list[Suggestion] = []
            for col, tag in enumerate(self.tags):
                if tag in have:
                    continue
                head, p = self.heads.heads[tag], float(probs[row, col])
                if p >= head.threshold:
                    possible = False
                elif head.possible is not None and p >= head.possible:
                    possible = True
                else:
                    continue
                found.append(Suggestion(tag, round(p, 3), possible, self.nearest(vector, tag)))
            out.append(found)
        return out

    def nearest(self, vector: np.ndarray, tag: str, count: int = 3) -> tuple[Nearest, ...]:
        """The ``count`` labelled examples with ``tag`` most like ``vector``."""
        import numpy as np

        idx = [i for i, e in enumerate(self.heads.exemplars) if tag in e.tags]
        if not idx:
            return ()
        sims = self._exemplars[idx] @ vector
        order = np.argsort(-sims, kind="stable")[:count]
        return tuple(
            Nearest(self.heads.exemplars[idx[j]].id, self.heads.exemplars[idx[j]].text,
                    round(float(sims[j]), 3))
            for j in order
        )


def rules_and_model(rules: Callable[[str], tuple[Tag, ...]], layer: ModelLayer,
                    texts: Sequence[str]) -> Callable[[str], tuple[Tag, ...]]:
    """A tagger for ``texts`` (scored in one batch): the rules' tags plus the tags the model
    adds (a possible crisis is not a tag)."""
    ruled = {text: rules(text) for text in texts}
    unique = list(ruled)
    added = layer.suggest(unique, [{t.name for t in ruled[text]} for text in unique])
    both: dict[str, tuple[Tag, ...]] = {}
    for text, extra in zip(unique, added, strict=True):
        tags = [*ruled[text], *(Tag(s.tag, s.p, (), s.source) for s in extra if not s.possible)]
        both[text] = tuple(sorted(tags, key=lambda t: TAG_NAMES.index(t.name)))
    return lambda text: both[text]
