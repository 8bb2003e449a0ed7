"""``triage model fit``: read the corpus, embed it (cached), tag it with the rules, fit the
heads by cross-validation and write the heads file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from triage.learned.corpus import PER_SET, Example, corpus_hash, load_corpus
from triage.learned.embed import Embedder
from triage.learned.fit import FitSettings, fit_heads
from triage.learned.heads import Heads

__all__ = ["build_heads", "embed_corpus", "rule_tags"]


def embed_corpus(examples: list[Example], embedder: Embedder,
                 progress: Callable[[str], None]) -> object:
    import numpy as np

    parts = []
    step = 512
    for start in range(0, len(examples), step):
        parts.append(embedder.embed([ex.text for ex in examples[start:start + step]]))
        progress(f"embedded {min(start + step, len(examples))} of {len(examples)}")
    return np.vstack(parts)


def rule_tags(texts: list[str]) -> list[frozenset[str]]:
    """The tags the rules give each text (the built-in data, no organisation contacts)."""
    from triage.tagger import Tagger

    tagger = Tagger()
    return [frozenset(t.name for t in tagger.tag(text)) for text in texts]


def build_heads(training_dir: Path | None, data_dir: Path | None, out: Path, *,
                per_set: int = PER_SET, settings: FitSettings | None = None,
                embedder: Embedder | None = None,
                progress: Callable[[str], None] = lambda _: None) -> Heads:
    """Fit the heads from the corpus and write them to ``out``; the same corpus gives
    the same file."""
    examples = load_corpus(training_dir, data_dir, per_set)
    progress(f"{len(examples)} labelled lines")
    embedder = embedder or Embedder()
    embedder.load()
    vectors = embed_corpus(examples, embedder, progress)
    rules = rule_tags([ex.text for ex in examples])
    digest = corpus_hash(examples)
    heads = fit_heads(examples, vectors, rules, settings or FitSettings(),  # type: ignore[arg-type]
                      f"1-{digest[:12]}", progress)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    tmp.write_text(heads.to_json(), encoding="utf-8")
    tmp.replace(out)
    return heads
