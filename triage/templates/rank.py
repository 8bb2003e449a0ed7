"""Which templates a comment may get, best first: matched myth, tags, language, platform."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from triage.model import TAG_NAMES, Comment, Tag
from triage.templates.crisis import CRISIS_LABELS, crisis_kinds
from triage.templates.language import guess_language
from triage.templates.record import Template

__all__ = ["Candidate", "answers", "claim_tag", "matched_claim", "offerable", "rank"]


@dataclass(frozen=True, slots=True)
class Candidate:
    """A template offered for a comment, and why it stands where it does.

    ``relevant`` is true when the template answers one of the comment's tags (for a
    myth: the matched claim, or any myth); the others follow, for the agent who
    judges the comment differently from the tagger.
    """

    template: Template
    relevant: bool
    reasons: tuple[str, ...]


def claim_tag(comment: Comment) -> Tag | None:
    """The tag that carries the comment's matched claim: its myth, or the question that
    asks about it ("Can the flu shot make you sick?")."""
    for name in ("misinformation", "question"):
        tag = comment.tag(name)
        if tag is not None and tag.claim_id:
            return tag
    return None


def matched_claim(comment: Comment) -> str | None:
    """The claim the comment asserts or asks about, or None."""
    tag = claim_tag(comment)
    return tag.claim_id if tag is not None else None


def answers(template: Template, comment: Comment) -> tuple[str, ...]:
    """The comment's tags that ``template`` answers.

    A misinformation template that names claims answers only those myths, and answers
    a question about one of them too; one with no claims answers any myth. A template
    with no tags answers untagged comments.
    """
    if not template.tags:
        return () if comment.tags else ("untagged",)
    myth = comment.tag("misinformation")
    found = []
    for name in comment.tag_names:
        if name not in template.tags:
            continue
        if name == "misinformation" and template.claims:
            if myth is None or myth.claim_id not in template.claims:
                continue
        found.append(name)
    claim = matched_claim(comment)
    if claim is not None and claim in template.claims and "misinformation" not in found:
        found.append("misinformation")
    return tuple(found)


def offerable(template: Template, comment: Comment, today: date) -> str | None:
    """Why ``template`` may not answer ``comment`` at all, or ``None`` when it may."""
    if template.lapsed(today):
        return f"its approval lapsed on {template.review_by}"
    if not template.serves(comment.platform):
        return f"it is not approved for {comment.platform}"
    if comment.tag("privacy") is not None and not template.phi_safe:
        return "the comment is a privacy risk and the template is not PHI-safe"
    return None


def rank(
    templates: Iterable[Template],
    comment: Comment,
    today: date,
    *,
    priority: Sequence[str] = TAG_NAMES,
    default_language: str = "en",
) -> list[Candidate]:
    """The templates ``comment`` may get, best first.

    Never offered: lapsed templates, templates not approved for the comment's
    platform, and (for a privacy-risk comment) templates that are not PHI-safe. The
    rest are ordered by: answering the comment at all; the comment's language (a reply
    in another language is rarely wanted); the matched claim (whether the comment
    asserts the myth or asks about it); the most urgent tag answered, in ``priority``
    order; for a crisis, the template written for the kind found (911 for a medical
    emergency, 988 for self-harm; see ``crisis_kinds``); the template made for fewer
    platforms (a short variant for this one) before the more general; then id.
    """
    claim = matched_claim(comment)
    kinds = crisis_kinds(comment)
    language = guess_language(comment.text) or default_language
    order = {name: i for i, name in enumerate(priority)}
    ranked: list[tuple[tuple[object, ...], Candidate]] = []
    for template in templates:
        if offerable(template, comment, today) is not None:
            continue
        hits = answers(template, comment)
        claim_hit = claim is not None and claim in template.claims
        reasons = []
        if claim_hit:
            reasons.append(f"answers the myth {claim}")
        reasons.extend(f"answers {name}" for name in hits if name != "untagged")
        if hits == ("untagged",):
            reasons.append("for comments with no tag")
        same_language = template.language == language
        if same_language and language != default_language:
            reasons.append(f"in {language}")
        if len(template.platforms) <= 3:
            reasons.append(f"a variant for {', '.join(template.platforms)}")
        best = min((order.get(name, len(order)) for name in hits), default=len(order))
        kind = kinds.index(template.crisis_kind) if template.crisis_kind in kinds else len(kinds)
        if "crisis" in hits and template.crisis_kind in kinds:
            reasons.append(f"for {CRISIS_LABELS[template.crisis_kind][0]}")
        key = (
            not hits, not same_language, not claim_hit, best, kind, len(template.platforms),
            template.id,
        )
        ranked.append((key, Candidate(template, bool(hits), tuple(reasons))))
    ranked.sort(key=lambda pair: pair[0])
    return [candidate for _, candidate in ranked]
