"""Questions: someone asks the team for information or help, with or without a "?".

A sentence is a question when it ends in a question mark, opens like a question ("does
the clinic…", "where do I…"), or makes a request ("need to know…", "please tell me…").
Rhetorical questions and questions put to other commenters are not ("who even
believes this?", "anyone else?"). The lexicons are in ``tagger/question.toml``.
"""

from __future__ import annotations

from dataclasses import dataclass

from triage.tagger.lexicon import Hits
from triage.tagger.text import Doc

__all__ = ["QuestionFinder", "SentenceQuestion"]

# Lexicon names in question.toml.
OPENERS = "question.openers"
AUX_OPENERS = "question.aux_openers"
NOT_AFTER_AUX = "question.not_after_aux"
FILLERS = "question.fillers"
REQUESTS = "question.requests"
RHETORICAL = "question.rhetorical"
TO_OTHERS = "question.to_others"
ALTERNATIVES = "question.alternatives"
INVERTED = "question.inverted"
ANSWERS = "question.answers"
TO_MENTIONED = "question.to_mentioned"


@dataclass(frozen=True, slots=True)
class SentenceQuestion:
    """Why one sentence reads as a question."""

    sentence: int
    score: float
    reason: str
    span: tuple[int, int]


class QuestionFinder:
    """Finds the sentences of a comment that ask the team something."""

    def sentence_starts(
        self, doc: Doc, hits: Hits, mentioned: set[int] | None = None
    ) -> dict[int, int]:
        """For each sentence, the index of its first token after greetings and fillers.

        Sentences that open by naming another user (@name, u/name) are added to
        ``mentioned`` when it is given.
        """
        fillers: dict[int, int] = {}
        for first, last in hits.get(FILLERS):
            fillers.setdefault(first, last)
        starts: dict[int, int] = {}
        tokens = doc.tokens
        for sentence in range(len(doc.sentences)):
            indices = doc.token_range(sentence)
            position = indices.start
            while position < indices.stop:
                token = tokens[position]
                if position in fillers:
                    position = fillers[position] + 1
                elif _mention_at(doc, position):
                    position = _mention_end(doc, position, indices.stop)
                    if mentioned is not None:
                        mentioned.add(sentence)
                elif not token.key[0].isalnum() and token.key != "\u00bf":
                    position += 1  # an emoji or a symbol before the words
                else:
                    break
            if position < indices.stop:
                starts[sentence] = position
        return starts

    def find(self, doc: Doc, hits: Hits) -> list[SentenceQuestion]:
        """The question sentences of ``doc``, in order."""
        tokens = doc.tokens
        if not tokens:
            return []
        mentioned: set[int] = set()
        starts = self.sentence_starts(doc, hits, mentioned)
        # "@jen did you end up going?": asked of the user named, not of the team.
        to_mentioned = {first for first, _ in hits.get(TO_MENTIONED)}
        by_sentence: dict[str, set[int]] = {}
        for name in (REQUESTS, RHETORICAL, TO_OTHERS):
            by_sentence[name] = {tokens[first].sentence for first, _ in hits.get(name)}
        opener_at = {first for first, _ in hits.get(OPENERS)}
        aux_at = {first for first, _ in hits.get(AUX_OPENERS)}
        not_after_aux = {first for first, _ in hits.get(NOT_AFTER_AUX)}
        alternatives_end = {last for _, last in hits.get(ALTERNATIVES)}
        # Where an inverted verb and subject start, by sentence ("…, will that cause …").
        inverted: dict[int, int] = {}
        for first, last in hits.get(INVERTED):
            inverted.setdefault(tokens[first].sentence, last)
        # Sentences that open with an answer ("Because of the nurses!").
        answered = {
            tokens[first].sentence for first, _ in hits.get(ANSWERS)
            if starts.get(tokens[first].sentence) == first
        }
        found: list[SentenceQuestion] = []
        for sentence, start in starts.items():
            indices = doc.token_range(sentence)
            if self._rhetorical(doc, by_sentence, sentence):
                continue
            if sentence in mentioned and start in to_mentioned:
                continue
            if sentence + 1 in answered and _words(doc, sentence + 1) <= 5:
                continue  # the commenter answers it at once: rhetorical
            keys = [tokens[i].key for i in indices]
            words = [k for k in keys if k[0].isalnum() or k == "?"]
            # A question mark ends the sentence (emoji may follow); "(Hana, I think?)" is not.
            marked = (bool(words) and words[-1] == "?") or "\u00bf" in keys
            word_count = sum(1 for k in keys if k[0].isalnum())
            opens = start in opener_at or tokens[start].key == "\u00bf"
            if not opens and start in aux_at and start not in not_after_aux:
                opens = start + 1 < indices.stop and tokens[start + 1].key[0].isalnum()
            last_word = max(
                (i for i in indices if tokens[i].key[0].isalnum()), default=indices.start
            )
            alternative = any(last_word - 1 <= end <= last_word for end in alternatives_end)
            span = _trimmed(doc, sentence)
            if marked and (opens or word_count >= 2):
                score = 0.95 if opens else 0.85
                found.append(SentenceQuestion(sentence, score, "question mark", span))
            elif opens:
                found.append(SentenceQuestion(sentence, 0.8, "question wording", span))
            elif sentence in by_sentence[REQUESTS]:
                found.append(SentenceQuestion(sentence, 0.85, "request", span))
            elif sentence in inverted and inverted[sentence] < last_word and word_count >= 4:
                found.append(SentenceQuestion(sentence, 0.7, "inverted wording", span))
            elif alternative:
                found.append(SentenceQuestion(sentence, 0.75, "either-or ending", span))
            elif marked:
                found.append(SentenceQuestion(sentence, 0.7, "question mark", span))
        return found


    @staticmethod
    def _rhetorical(doc: Doc, by_sentence: dict[str, set[int]], sentence: int) -> bool:
        """A rhetorical cue in the sentence, or in a short one right after it."""
        marked = by_sentence[RHETORICAL] | by_sentence[TO_OTHERS]
        if sentence in marked:
            return True
        following = sentence + 1
        if following in marked and following < len(doc.sentences):
            words = sum(1 for i in doc.token_range(following) if doc.tokens[i].key[0].isalnum())
            return words <= 5
        return False


def _mention_at(doc: Doc, position: int) -> bool:
    """Whether the token at ``position`` begins a user name: "@name" or "u/name"."""
    token = doc.tokens[position]
    text = doc.text
    if token.start > 0 and text[token.start - 1] == "@":
        return True
    return token.key == "u" and text[token.end:token.end + 1] == "/"


def _mention_end(doc: Doc, position: int, stop: int) -> int:
    """The first token after the user name starting at ``position`` (its parts are
    joined by "_", ".", "-", "@" or "/" with no space between)."""
    tokens = doc.tokens
    position += 1
    while position < stop and tokens[position].start == tokens[position - 1].end + 1 and (
        doc.text[tokens[position - 1].end] in "_.-@/"
    ):
        position += 1
    return position


def _words(doc: Doc, sentence: int) -> int:
    return sum(1 for i in doc.token_range(sentence) if doc.tokens[i].key[0].isalnum())


def _trimmed(doc: Doc, sentence: int) -> tuple[int, int]:
    start, end = doc.sentences[sentence]
    text = doc.text
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end)
