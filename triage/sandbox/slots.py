"""Texts with slots: ``{name}`` templates compiled once and filled from the banks."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from random import Random

__all__ = [
    "CONTEXT_SLOTS",
    "OPTIONAL_TOPIC_SLOTS",
    "PRIMITIVE_SLOTS",
    "TOPIC_SLOTS",
    "Context",
    "Filler",
    "Ref",
    "Template",
    "compile_template",
    "references",
]

#: Slots the filler makes up itself: a digit, a digit 1–9, a capital letter.
PRIMITIVE_SLOTS = ("d", "D", "L")
#: Slots that come from the comment being written (who it answers, who posted).
CONTEXT_SLOTS = ("to", "unit", "unit_short", "org_phone", "org_email", "org_address", "org_url")
#: Slots every topic defines (posts.toml).
TOPIC_SLOTS = ("thing", "event", "place")
#: Slots only some topics define: a text naming one is written only under those topics
#: ({service}: care one books or pays for; {treatment}: what a myth is about).
OPTIONAL_TOPIC_SLOTS = ("service", "treatment")

_PIECE = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")
_NAME = re.compile(r"([A-Za-z_]+?)(\d*)(?::(lower|upper|cap))?")
_DIGITS = "0123456789"
_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"


@dataclass(frozen=True, slots=True)
class Ref:
    """A slot in a text: its bank, a number that makes it a second draw, a change of case."""

    base: str
    suffix: str = ""
    case: str = ""


Template = tuple[str | Ref, ...]


def compile_template(text: str) -> Template:
    """Split a text into literal pieces and slots; ``{{`` and ``}}`` are literal braces."""
    parts: list[str | Ref] = []
    literal: list[str] = []
    pos = 0
    for match in _PIECE.finditer(text):
        literal.append(text[pos:match.start()])
        pos = match.end()
        token = match.group(0)
        if token in ("{{", "}}"):
            literal.append(token[0])
            continue
        name = _NAME.fullmatch(match.group(1))
        if name is None:
            raise ValueError(
                f"bad slot {token!r}: write {{name}} or {{name:lower}}, {{name:upper}}, "
                "{name:cap}; {{ and }} for literal braces"
            )
        if "".join(literal):
            parts.append("".join(literal))
        literal = []
        parts.append(Ref(name.group(1), name.group(2), name.group(3) or ""))
    literal.append(text[pos:])
    if "".join(literal):
        parts.append("".join(literal))
    return tuple(parts)


def references(template: Template) -> Iterator[str]:
    """The banks a template draws from."""
    for part in template:
        if isinstance(part, Ref):
            yield part.base


Context = Mapping[str, "str | tuple[Template, ...]"]


class Filler:
    """Fills templates with the banks' values, drawing with the generator's random source.

    Within one text a slot keeps its first value, so ``{first} … {first}`` is one person;
    a numbered slot (``{name2}``) draws again, and so do the slots inside it. A text
    made of several fills (a post's headline and body, a comment's sentences) passes
    one ``scope`` to each, so a slot names the same clinic or day all through it.
    """

    def __init__(self, banks: Mapping[str, tuple[Template, ...]], rng: Random) -> None:
        self.banks = banks
        self.rng = rng

    def fill(self, template: Template, context: Context,
             scope: dict[str, str] | None = None) -> str:
        """``template`` filled; ``scope`` (slot -> value) is read and added to, if given."""
        return self._render(template, context, {} if scope is None else scope, "")

    def _render(self, template: Template, context: Context, seen: dict[str, str],
                suffix: str) -> str:
        out: list[str] = []
        for part in template:
            if isinstance(part, str):
                out.append(part)
                continue
            value = self._value(part, context, seen, suffix)
            if part.case == "lower":
                value = value.lower()
            elif part.case == "upper":
                value = value.upper()
            elif part.case == "cap":
                value = value[:1].upper() + value[1:]
            out.append(value)
        return "".join(out)

    def _value(self, ref: Ref, context: Context, seen: dict[str, str], suffix: str) -> str:
        rng = self.rng
        base = ref.base
        if base == "d":
            return _DIGITS[int(rng.random() * 10)]
        if base == "D":
            return _DIGITS[1 + int(rng.random() * 9)]
        if base == "L":
            return _LETTERS[int(rng.random() * len(_LETTERS))]
        own = ref.suffix or suffix
        key = base + own
        if key in seen:
            return seen[key]
        source = context.get(base)
        if source is None:
            source = self.banks[base]
        if isinstance(source, str):
            value = source
        else:
            value = self._render(source[int(rng.random() * len(source))], context, seen, own)
        seen[key] = value
        return value
