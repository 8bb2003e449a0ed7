"""Comments that need no reply: a reaction (emoji, "Agreed.", "+1") with no tag and no question.

The rule, in order:

1. A comment with any tag needs the team (a question, a myth, a crisis, abuse…).
2. A question mark (``?`` or ``¿``) is a question, tagged or not.
3. What is left once emoji, punctuation and a leading mention are set aside must be
   nothing, or at most :data:`MOST_WORDS` words all of which are reactions
   (:data:`REACTIONS`: agreement, applause, laughter). Anything else — a name, a
   place, a thank-you, a story — may deserve an answer and stays.

A comment may start with the ``@handle`` (``u/name`` on Reddit) of the person it
answers; a reply may also start with their full name ("Robin Quintero Agreed", as
Facebook and LinkedIn write mentions): two or three capitalised words before the
reaction are taken as that name.
"""

from __future__ import annotations

import re
from functools import lru_cache

from triage.model import Comment

__all__ = ["MOST_WORDS", "REACTIONS", "needs_no_reply"]

#: The longest reaction, in words, that is still only a reaction.
MOST_WORDS = 5
#: Words that make up a reaction: agreement, applause, laughter (English and Spanish).
REACTIONS = frozenset("""
    agree agreed agreeing couldn't couldnt more seconding seconded second this same here
    me too exactly so true truth totally absolutely yes yep yeah yup indeed facts fr
    100 1 lol lmao lmfao haha hahaha jaja jajaja wow omg ok okay nice cool
    honestly definitely +1 ditto preach period amen 👆
    sí si exacto igual totalmente cierto verdad
""".split())
#: The most characters a reaction can have (cheap early exit for long comments).
LONGEST = 80
_MENTION = re.compile(r"^(?:@|u/)[\w.\-]+\s*")
_WORD = re.compile(r"[\w'’+]+")


def _words(text: str) -> list[str]:
    """The words of ``text``, case-folded; emoji, symbols and punctuation dropped."""
    return [w for w in (m.replace("’", "'").strip("'") for m in _WORD.findall(text.casefold()))
            if w]


def _reaction(words: list[str]) -> bool:
    return len(words) <= MOST_WORDS and all(word in REACTIONS for word in words)


def needs_no_reply(comment: Comment) -> bool:
    """Whether ``comment`` is only a reaction: no tag, no question, no words of its own."""
    text = comment.text
    if comment.tags or len(text) > LONGEST or text.count(" ") > MOST_WORDS + 4:
        return False  # a name and a mention take at most four more spaces
    return _only_reaction(text.strip(), bool(comment.parent_id))


@lru_cache(maxsize=65536)
def _only_reaction(text: str, reply: bool) -> bool:
    if "?" in text or "¿" in text:
        return False
    while _MENTION.match(text):
        text = _MENTION.sub("", text, count=1)
    if _reaction(_words(text)):
        return True
    if not reply:
        return False
    raw = text.split()
    for cut in range(2, min(3, len(raw)) + 1):  # a leading name: "Robin Quintero Agreed"
        if not all(word[:1].isupper() and word.isalpha() for word in raw[:cut]):
            return False
        if _reaction(_words(" ".join(raw[cut:]))):
            return True
    return False
