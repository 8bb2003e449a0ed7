"""The tagger: rules, lexicons and a claim library that tag comments and say why.

    Tagger(...).tag(text) -> tuple[Tag, ...]      the six tags of TAGS.md, with evidence
    load_claims(extra_files) -> ClaimLibrary      the known myths and their resources
    evaluate(...)                                 precision, recall, F1 on labelled files
"""

from triage.tagger.claims import BUILTIN_CLAIMS, Claim, ClaimLibrary, load_claims
from triage.tagger.datafiles import DATA_DIR
from triage.tagger.evaluate import (
    Evaluation,
    LabelledComment,
    Miss,
    evaluate,
    read_labelled,
)
from triage.tagger.tagger import Tagger

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
