"""How tags look: a short label and a colour each, shared by the list and the detail."""

from __future__ import annotations

from rich.style import Style

from triage.model import TAG_CHIPS, Tag

__all__ = ["CHIP_LABELS", "LATE_CHIP", "chip_label", "chip_style", "evidence_style"]

#: The chip of each tag: the short capital form of its one display name (``TAG_LABELS``).
CHIP_LABELS: dict[str, str] = TAG_CHIPS

_COLOURS: dict[str, tuple[str, str]] = {
    "crisis": ("#ffffff", "#c0262d"),
    "adverse_event": ("#ffffff", "#8e44ad"),
    "privacy": ("#1b1b1b", "#f1c40f"),
    "misinformation": ("#1b1b1b", "#f39c12"),
    "abuse": ("#ffffff", "#6d4c41"),
    "question": ("#ffffff", "#2e86de"),
}


#: An adverse event's chip once its intake is past the reporting deadline ("AE 2d late").
LATE_CHIP = Style(color="#ffffff", bgcolor="#e00000", bold=True, underline=True)


def chip_label(tag: Tag) -> str:
    """The chip's text; a possible crisis (for a person to decide) reads "CRISIS?"."""
    label = CHIP_LABELS.get(tag.name, tag.name)
    return f"{label}?" if tag.possible else label


def chip_style(tag: str, *, possible: bool = False) -> Style:
    """The chip's colours; a possible one is the tag's colour on no background, so it
    reads as a question and not as the tag."""
    fg, bg = _COLOURS.get(tag, ("#ffffff", "#555555"))
    if possible:
        return Style(color=bg, bold=True, italic=True, reverse=False)
    return Style(color=fg, bgcolor=bg, bold=True)


def evidence_style(tag: str) -> Style:
    """The highlight of the words that gave a tag: the tag's colour behind them."""
    fg, bg = _COLOURS.get(tag, ("#ffffff", "#555555"))
    return Style(color=fg, bgcolor=bg, underline=True)
