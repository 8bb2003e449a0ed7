"""What an edit changed in a template's text, word by word, for the approver to read."""

from __future__ import annotations

import difflib
import re

__all__ = ["Change", "marked_change", "word_diff", "wdiff"]

_TOKENS = re.compile(r"\s+|[^\s]+")

#: One piece of a diff: ``"="`` kept, ``"-"`` taken out of the template, ``"+"`` added.
Change = tuple[str, str]


def word_diff(expected: str, text: str) -> list[Change]:
    """The pieces that turn ``expected`` into ``text`` (spaces kept, so joining the
    ``=`` and ``+`` pieces gives ``text`` back)."""
    old, new = _TOKENS.findall(expected), _TOKENS.findall(text)
    changes: list[Change] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            changes.append(("=", "".join(old[a1:a2])))
            continue
        if a2 > a1:
            changes.append(("-", "".join(old[a1:a2])))
        if b2 > b1:
            changes.append(("+", "".join(new[b1:b2])))
    return [change for change in changes if change[1]]


def marked_change(expected: str | None, text: str) -> list[Change]:
    """The reply as an approver reads it, on the desk and on the command line alike: the
    text once, with what was taken out of the template as ``[-…-]`` and what was added as
    ``{+…+}`` (as GNU wdiff marks them); with no template to compare, the text as written."""
    if expected is None:
        return [("=", text)]
    return [(op, piece if op == "=" else f"[-{piece}-]" if op == "-" else f"{{+{piece}+}}")
            for op, piece in word_diff(expected, text)]


def wdiff(expected: str, text: str) -> str:
    """The diff as plain text: ``[-taken out-]`` and ``{+added+}`` (as GNU wdiff does)."""
    return "".join(piece for _, piece in marked_change(expected, text))
