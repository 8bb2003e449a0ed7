"""Legal's decisions as the team meets them: on the comment, and waiting to be carried out.

When legal releases a hold, the comment goes back to the team with a decision. The
decision stays with the comment (its latest decided escalation) so that the queue can say
"Legal: hide — lee, 14:02", and it is *pending* until the team has done what it says:

    hide           pending until the comment is hidden
    delete         pending until it is deleted
    reply_allowed  pending until it is replied to
    no_action      never pending (the release dismissed it)

A comment escalated again is judged by its newest escalation: while that one holds the
comment, no earlier decision is pending. The query term ``legal:pending`` (and
``legal:decided``, ``legal:hide``…) reads these.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass

from triage.legal.escalation import Escalation, all_escalations
from triage.model import Comment
from triage.service import RecordSource
from triage.timefmt import local

__all__ = ["CARRIED_OUT_BY", "LegalDecision", "decision_lookup", "legal_states", "states_from"]

#: The status a comment reaches when the team carries a decision out.
CARRIED_OUT_BY = {"hide": "hidden", "delete": "deleted", "reply_allowed": "replied"}
_NAMES = {"reply_allowed": "reply allowed", "hide": "hide", "delete": "delete",
          "no_action": "no action"}


@dataclass(frozen=True, slots=True)
class LegalDecision:
    """A comment's latest decided escalation, as the team reads it."""

    escalation: Escalation

    @property
    def decision(self) -> str:
        return self.escalation.decision or ""

    def pending(self, comment: Comment) -> bool:
        """Whether the team has still to do what legal decided."""
        wanted = CARRIED_OUT_BY.get(self.decision)
        return wanted is not None and comment.status != wanted

    def label(self) -> str:
        """``Legal: hide — lee, 2026-11-20 14:02 UTC``."""
        esc = self.escalation
        when = f", {local(esc.decided_at)}" if esc.decided_at is not None else ""
        return f"Legal: {_NAMES.get(self.decision, self.decision)} — {esc.decided_by or '?'}{when}"

    def marker(self) -> str:
        """The list's short word for a decision still to carry out (``⚖ hide``)."""
        return f"⚖ {_NAMES.get(self.decision, self.decision)}"


def decision_lookup(store: RecordSource) -> dict[str, LegalDecision]:
    """Each comment's decision: its newest escalation, when legal has decided it."""
    found: dict[str, LegalDecision] = {}
    seen: set[str] = set()
    for esc in all_escalations(store):  # newest first: the first one of a comment counts
        if esc.comment_id in seen:
            continue
        seen.add(esc.comment_id)
        if esc.decision:
            found[esc.comment_id] = LegalDecision(esc)
    return found


def legal_states(store: RecordSource) -> Callable[[Comment], Collection[str]]:
    """What ``legal:`` matches of a comment: ``decided``, the decision, ``pending``."""
    return states_from(decision_lookup(store))


def states_from(decisions: Mapping[str, LegalDecision]) -> Callable[[Comment], Collection[str]]:
    """:func:`legal_states` from decisions already looked up."""

    def states(comment: Comment) -> Collection[str]:
        found = decisions.get(comment.id)
        if found is None:
            return ()
        words = {"decided", found.decision}
        if found.pending(comment):
            words.add("pending")
        return words

    return states
