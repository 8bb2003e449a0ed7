"""Which kinds of crisis a comment's crisis tag names, and in what order they are answered."""

from __future__ import annotations

import re

from triage.model import Comment
from triage.templates.record import CRISIS_KINDS

__all__ = ["CRISIS_LABELS", "crisis_kinds", "crisis_note"]

#: How each kind is named to the person replying, and the line its templates give.
CRISIS_LABELS: dict[str, tuple[str, str]] = {
    "emergency": ("a medical emergency", "911"),
    "harm": ("self-harm", "988"),
}

# One part of a crisis tag's source: "signals:crisis/<kind>:…" or "rule:crisis/<id> (<kind>)".
_SIGNAL = re.compile(r"signals:crisis/([a-z_-]+):")
_RULE = re.compile(r"rule:crisis/\S+ \(([a-z_-]+)\)")


def crisis_kinds(comment: Comment) -> tuple[str, ...]:
    """The kinds of crisis the tagger found in ``comment``, in the order to answer them.

    A medical emergency comes first (911 covers danger to life now, and the self-harm
    templates send the reader to 911 for danger too), then self-harm. Empty when the
    comment has no crisis tag or its source does not say which kind it is (a tag set
    by hand).
    """
    tag = comment.tag("crisis")
    if tag is None:
        return ()
    found = set()
    for part in tag.source.split(";"):
        match = _SIGNAL.search(part) or _RULE.search(part)
        if match is not None and match.group(1) in CRISIS_KINDS:
            found.add(match.group(1))
    return tuple(kind for kind in CRISIS_KINDS if kind in found)


def crisis_note(comment: Comment) -> str:
    """A line for the composer when the comment is more than one kind of crisis, else ""."""
    kinds = crisis_kinds(comment)
    if len(kinds) < 2:
        return ""
    first, *rest = (CRISIS_LABELS[kind] for kind in kinds)
    others = " and ".join(f"{label} ({line})" for label, line in rest)
    return (f"Both {first[0]} and {others} were found: the {first[1]} template is put "
            f"first; the {', '.join(line for _, line in rest)} ones follow.")
