"""The tagger: rules, lexicons and a claim library that tag comments and say why.

    Tagger(...).tag(text) -> tuple[Tag, ...]      the six tags of TAGS.md, with evidence
    load_claims(extra_files) -> ClaimLibrary      the known myths and their resources
    evaluate(...)                                 precision, recall, F1 on labelled files
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from triage.tagger.claims import BUILTIN_CLAIMS, Claim, ClaimLibrary, load_claims
    from triage.tagger.datafiles import DATA_DIR
    from triage.tagger.evaluate import Evaluation, LabelledComment, Miss, evaluate, read_labelled
    from triage.tagger.tagger import Tagger

#: Where each public name lives; a module is imported when one of its names is first used,
#: so the desk's first screen does not load the rules it never runs (``fold`` of text.py,
#: the claims of the detail pane).
_HOMES = {
    "BUILTIN_CLAIMS": "claims", "Claim": "claims", "ClaimLibrary": "claims",
    "load_claims": "claims", "DATA_DIR": "datafiles", "Evaluation": "evaluate",
    "LabelledComment": "evaluate", "Miss": "evaluate", "evaluate": "evaluate",
    "read_labelled": "evaluate", "Tagger": "tagger",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'triage.tagger' has no attribute {name!r}")
    module = import_module(f"triage.tagger.{home}")
    for each, where in _HOMES.items():  # all of its names: ``evaluate`` is the function,
        if where == home:               # not the submodule the import bound to that name
            globals()[each] = getattr(module, each)
    return globals()[name]


__all__ = [
    "BUILTIN_CLAIMS",
    "DATA_DIR",
    "Claim",
    "ClaimLibrary",
    "Evaluation",
    "LabelledComment",
    "Miss",
    "Tagger",
    "evaluate",
    "load_claims",
    "read_labelled",
]
