"""How far an edit drifted from a template's approved wording: the share of words changed."""

from __future__ import annotations

import difflib

__all__ = ["edit_share"]


def edit_share(expected: str, text: str) -> float:
    """The share of words (0 to 1) an edit changed: 1 minus the words kept in order over
    the longer of the two texts. Two words replaced in ten is 0.2; three added to ten,
    0.23; the same words with other spacing, 0."""
    old, new = expected.split(), text.split()
    longest = max(len(old), len(new))
    if longest == 0:
        return 0.0
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    kept = sum(block.size for block in matcher.get_matching_blocks())
    return 1.0 - kept / longest
