"""Policy hits as the composer shows them: each one's words highlighted in the reply, and why."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from triage.policies import Hit
from triage.textsafe import clean, inline

__all__ = ["hits_text"]

#: Characters of the reply shown on each side of a hit.
CONTEXT = 30


def _flat(piece: str) -> str:
    """A piece of the reply on one line, spaces kept (line breaks shown as spaces)."""
    return clean(" ".join(piece.splitlines()) if "\n" in piece else piece)


def hits_text(hits: Sequence[Hit], text: str) -> Text:
    """Each hit: its severity, its policy, its words highlighted in their place in the
    reply ``text``, and the policy's reason on the line below."""
    shown = Text()
    for number, hit in enumerate(hits):
        if number:
            shown.append("\n")
        label, style = ((" BLOCK ", "bold white on red") if hit.blocks
                        else (" REVIEW ", "bold black on yellow"))
        shown.append(label, style=style)
        shown.append(f" {inline(hit.policy)}: ", style="bold")
        before = text[max(0, hit.start - CONTEXT):hit.start]
        after = text[hit.end:hit.end + CONTEXT]
        shown.append(("…" if hit.start > CONTEXT else "") + _flat(before), style="dim")
        shown.append(_flat(text[hit.start:hit.end]),
                     style="bold reverse red" if hit.blocks else "bold reverse yellow")
        shown.append(_flat(after) + ("…" if hit.end + CONTEXT < len(text) else ""),
                     style="dim")
        what = f"{hit.detail}: " if hit.detail else ""
        shown.append("\n    ")
        shown.append(inline(what + hit.reason), style="italic")
    return shown
