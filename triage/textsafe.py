"""Making outside text safe to show in a terminal: no escapes, no hidden reordering."""

from __future__ import annotations

import re

__all__ = ["clean", "one_line", "valid_unicode"]

# C0/C1 control characters except tab and newline become visible control pictures.
_CONTROLS = {code: 0x2400 + code for code in range(0x20) if code not in (0x09, 0x0A)}
_CONTROLS[0x7F] = 0x2421
_CONTROLS.update({code: 0xFFFD for code in range(0x80, 0xA0)})
# Bidirectional overrides and isolates can reorder what follows them on screen; the
# zero-width and invisible characters can hide text. Both show as a middle dot, one for
# one, so that offsets into the text (tag evidence) still point at the right characters.
_INVISIBLE = dict.fromkeys(
    [0x200B, 0x200C, 0x200E, 0x200F, 0x2060, 0xFEFF, *range(0x202A, 0x202F),
     *range(0x2066, 0x206A)],
    0x00B7,
)
_TABLE: dict[int, int | None] = {**_CONTROLS, **_INVISIBLE}
_SPACES = re.compile(r"\s+")


def valid_unicode(text: str) -> str:
    """``text`` with lone surrogates (invalid in UTF-8) replaced, so it can be stored."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")
    return text


def clean(text: str) -> str:
    """The text with control characters made visible and invisible ones shown as dots.

    Every character maps to exactly one, so offsets into the original text still hold.
    """
    return text.translate(_TABLE)


def one_line(text: str, width: int) -> str:
    """The start of ``text`` on one line, at most ``width`` characters, cleaned.

    Text that does not fit is cut at the last word boundary that keeps most of the width,
    so a shortened post or comment never ends in half a word.
    """
    head = text[: width * 4 + 64]
    flat = _SPACES.sub(" ", clean(head)).strip()
    if len(flat) > width or len(head) < len(text):
        cut = flat[: max(0, width - 1)]
        if len(flat) > len(cut) and flat[len(cut)] != " ":
            space = cut.rfind(" ")
            if space >= width * 2 // 3:
                cut = cut[:space]
        return cut.rstrip() + "…"
    return flat
