"""Text shown in a terminal: outside text made safe (no escapes, no reordering), counts worded."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

import orjson

__all__ = [
    "clean",
    "counted",
    "inline",
    "json_line",
    "one_line",
    "unsafe_char",
    "unsafe_field",
    "valid_unicode",
]

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
# On one line (ids, account names, links), tab, newline and the Unicode line breaks show too.
_INLINE_TABLE: dict[int, int | None] = {**_TABLE, 0x09: 0x2409, 0x0A: 0x240A, 0x2028: 0x00B7,
                                        0x2029: 0x00B7, 0x85: 0xFFFD}
# JSON leaves these raw (it escapes only C0); a terminal may still act on them.
_JSON_RAW = re.compile("[\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060\u2066-\u2069\ufeff]")
_UNSAFE_CATEGORIES = frozenset({"Cc", "Zl", "Zp", "Cs"})
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
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


def inline(text: str) -> str:
    """``text`` (an id, an account, a link: anything from outside) safe on one terminal line.

    Like :func:`clean`, and tab and line breaks become visible too; nothing is cut.
    """
    return text.translate(_INLINE_TABLE)


def unsafe_char(text: str) -> str | None:
    """The first character that has no place in an id or a name, as ``U+001B``; or None.

    Control characters (C0 with tab and newline, C1, DEL), line and paragraph separators,
    lone surrogates and the bidirectional marks, embeddings, overrides and isolates.
    Zero-width joiners stay allowed: names use them in emoji.
    """
    for char in text:
        if char in _BIDI or unicodedata.category(char) in _UNSAFE_CATEGORIES:
            return f"U+{ord(char):04X}"
    return None


def unsafe_field(fields: Mapping[str, str | None]) -> str | None:
    """Why the first of ``fields`` (name: value) holding an :func:`unsafe_char` is refused."""
    for name, value in fields.items():
        bad = unsafe_char(value or "")
        if bad is not None:
            return (f"{name!r} holds a control or invisible character ({bad}); "
                    "ids and names must be plain text")
    return None


def json_line(value: Any) -> str:
    """``value`` as one line of JSON, with DEL, C1 and invisible characters escaped.

    The same JSON value as ``orjson.dumps`` gives, safe to print on a terminal.
    """
    encoded = orjson.dumps(value).decode()
    return _JSON_RAW.sub(lambda found: f"\\u{ord(found.group()):04x}", encoded)


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


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """``1 comment``, ``2 comments``: a count with its noun in the right number."""
    return f"{count:,} {noun if count == 1 else plural or noun + 's'}"
