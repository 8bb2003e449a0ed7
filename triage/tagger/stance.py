"""Stance towards a myth found in a comment: asserted, asked about, refuted or quoted.

Asserting or recommending a myth is misinformation; asking whether it is true is a
question; refuting, mocking or quoting it is neither. The cues are lexicons in
``tagger/stance.toml`` (and the question openers of ``tagger/question.toml``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from enum import Enum

from triage.tagger.lexicon import Hit, Hits
from triage.tagger.text import Doc

__all__ = ["Stance", "stance_of"]

NEGATION = "stance.negation"
REFUTE = "stance.refute"
MOCK = "stance.mock"
ASKING = "stance.asking"
PRESUPPOSE = "stance.presuppose"
COUNTERFACTUAL = "stance.counterfactual"
ENDORSE = "stance.endorse"
CLAUSE_BREAK = "stance.clause_break"
CONCEDE = "stance.concede"
ASKING_AFTER = "stance.asking_after"
OPENERS = ("question.openers", "question.aux_openers")
NOT_AFTER_AUX = "question.not_after_aux"
ESTABLISHED = "misinformation.established"
MEDICINE = "misinformation.medicine"
DENIAL = "misinformation.denial"
CONSPIRACY = "misinformation.conspiracy"
RHETORICAL = "question.rhetorical"

# Double quotes, or single quotes that open after a space and close before one (so that
# the apostrophes of "don't" and "it's" are not read as quotes).
_QUOTES = (
    re.compile(r"\"[^\"\n]{1,300}\""),
    re.compile(r"(?<![\w'])'[^'\n]{1,200}?'(?![\w'])"),
)


class Stance(Enum):
    ASSERTS = "asserts"
    ASKS = "asks"
    REFUTES = "refutes"
    QUOTES = "quotes"


def _in_sentences(doc: Doc, hits: Hits, name: str, sentences: set[int]) -> list[Hit]:
    return [h for h in hits.get(name) if doc.tokens[h[0]].sentence in sentences]


def _overlaps(hit: Hit, others: list[Hit]) -> bool:
    return any(not (hit[1] < o[0] or o[1] < hit[0]) for o in others)


def stance_of(doc: Doc, hits: Hits, found: Sequence[Hit],
              question_starts: dict[int, int]) -> Stance:
    """How the comment stands towards the myth matched at ``found`` (token ranges)."""
    tokens = doc.tokens
    first = min(hit[0] for hit in found)
    last = max(hit[1] for hit in found)
    sentences = {tokens[hit[0]].sentence for hit in found}
    inside = {i for hit in found for i in range(hit[0], hit[1] + 1)}

    # Quoted: the myth sits inside quotation marks ("the 'X' thing is a myth").
    start_char, end_char = tokens[first].start, tokens[last].end
    for pattern in _QUOTES:
        for quoted in pattern.finditer(doc.folded):
            if quoted.start() <= start_char and end_char <= quoted.end():
                if quoted.end() - quoted.start() < 3 * (end_char - start_char) + 40:
                    return Stance.QUOTES

    def local(name: str) -> list[Hit]:
        return _in_sentences(doc, hits, name, sentences)

    endorsed = local(ENDORSE)
    # A refutation in the myth's sentence or the one before or after ("'Shedding' is a
    # myth. There's no live virus …"), unless it is itself denied ("it's not a myth").
    following = sentences | {max(sentences) + 1, min(sentences) - 1}
    for hit in _in_sentences(doc, hits, REFUTE, following):
        if not _overlaps(hit, endorsed):
            return Stance.REFUTES
    for hit in hits.get(CONCEDE):
        if 0 < hit[0] - last <= 3:
            return Stance.REFUTES  # "chemo is poison, sure — targeted poison that …"
    for hit in local(MOCK):
        if hit[0] <= last:
            return Stance.REFUTES
    # A negation right before the myth's words ("can't give you the flu"), unless the
    # myth's own words hold it ("HIV doesn't cause AIDS"), it is conspiracy talk
    # ("they'll never tell you"), or it denies an established cause ("the sun doesn't
    # cause skin cancer" is a myth of its own, not a refutation).
    medicine = hits.get(MEDICINE)
    denied = [h for h in local(ESTABLISHED) if not _overlaps(h, medicine)]
    conspiracy = local(CONSPIRACY)
    for hit in local(NEGATION):
        if inside.intersection(range(hit[0], hit[1] + 1)) or _overlaps(hit, endorsed):
            continue
        if _overlaps(hit, conspiracy):
            continue  # "they don't want you cured" is the myth, not its refutation
        if any(hit[0] - h[1] == 1 for h in denied) and any(
            d[0] == hit[0] for d in hits.get(DENIAL)
        ):
            continue
        for target in found:
            if 0 < target[0] - hit[1] <= 3 and not _broken(doc, hits, hit[1], target[0]):
                return Stance.REFUTES
    for hit in local(COUNTERFACTUAL):
        if hit[0] <= first:
            return Stance.QUOTES
    sentence = tokens[first].sentence
    if local(ASKING) and not endorsed:
        return Stance.ASKS
    presupposed = any(h[1] < first for h in local(PRESUPPOSE))
    if presupposed or endorsed or local(RHETORICAL):
        return Stance.ASSERTS  # "since X, …?", "why vaccinate when X?"
    # "Heard fluoride lowers IQ. Can someone explain?"
    after = {max(sentences) + 1, max(sentences) + 2}
    if _in_sentences(doc, hits, ASKING_AFTER, after):
        return Stance.ASKS
    start = question_starts.get(sentence)
    if start is not None and start <= first:
        opener_at = {h[0] for name in OPENERS for h in hits.get(name)}
        # "Do not…", "Can confirm…": a command or a statement, not a question.
        opener_at -= {h[0] for h in hits.get(NOT_AFTER_AUX)}
        if start in opener_at or tokens[start].key == "\u00bf":
            return Stance.ASKS
    # "…, does the clinic offer it?" after the myth: the myth itself is still asserted.
    return Stance.ASSERTS


def _broken(doc: Doc, hits: Hits, negation_end: int, target: int) -> bool:
    """Whether a clause break separates a negation from the myth's words: "but", or a
    comma or semicolon after the negation's own verb ("if the fever won't break, the
    charts are too conservative"; not "they don't, colds are viruses")."""
    if any(negation_end < hit[0] < target for hit in hits.get(CLAUSE_BREAK)):
        return True
    between = doc.folded[doc.tokens[negation_end].end:doc.tokens[target].start]
    cut = min((i for i in (between.find(","), between.find(";")) if i >= 0), default=-1)
    return cut > 0 and any(c.isalpha() for c in between[:cut])
