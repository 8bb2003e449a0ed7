"""The check before a reply is sent: approved as it stands, needs approval, or refused."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from triage.config import Config
from triage.connectors.registry import reply_prefix
from triage.errors import PolicyBlocked, TemplateError
from triage.model import Comment
from triage.policies import Hit, PolicySet
from triage.policies import check_reply as policy_hits
from triage.templates.drift import edit_share
from triage.templates.limits import limit_for, reply_length
from triage.templates.rank import offerable
from triage.templates.record import Template
from triage.templates.render import render

__all__ = ["ReplyCheck", "blocked_message", "check_reply", "reply_size", "review_note",
           "same_text"]


@dataclass(frozen=True, slots=True)
class ReplyCheck:
    """The verdict on a reply that may be sent.

    ``approved`` is true only for a template's own rendering for this comment, with
    nothing but its placeholders filled: it may go out as it is. Anything else (free
    text, or a template edited beyond its placeholders) ``needs_approval`` by an
    approver first; ``reason`` says which, for the composer and the journal.
    ``expected`` is the template's rendering when a template was used (to show an
    edit as a difference); ``length`` is counted as the platform counts it, on what
    will be posted (a mention the connector puts in front included).
    """

    approved: bool
    reason: str
    template_id: str | None
    length: int
    limit: int
    privacy_risk: bool
    expected: str | None = None
    #: The policy hits (review-level only: a blocking hit refuses the reply).
    hits: tuple[Hit, ...] = ()
    #: The ids of the policies the text was checked against.
    policies: tuple[str, ...] = ()
    #: For an edited template: the share of its words the edit changed.
    edit_share: float | None = None

    @property
    def needs_approval(self) -> bool:
        return not self.approved


def _normal(text: str) -> str:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip()


def same_text(a: str, b: str) -> bool:
    """Whether two replies are the same text, ignoring line endings and trailing spaces."""
    return _normal(a) == _normal(b)


def reply_size(comment: Comment, text: str) -> tuple[int, int, str]:
    """``(length, limit, prefix)`` of ``text`` as a reply to ``comment``: the length the
    platform counts of what will really be posted (with the ``prefix`` the platform's
    connector puts in front, e.g. Mastodon's "@dana "), and the platform's limit."""
    normal = _normal(text)
    prefix = reply_prefix(comment, normal)
    return (reply_length(prefix + normal, comment.platform), limit_for(comment.platform),
            prefix)


def _unique(hits: list[Hit]) -> list[Hit]:
    seen: set[tuple[str, str]] = set()
    kept = []
    for hit in hits:
        key = (hit.policy, hit.text.casefold())
        if key not in seen:
            seen.add(key)
            kept.append(hit)
    return kept


def blocked_message(hits: list[Hit]) -> str:
    """Why a reply with blocking hits cannot be sent: each policy, its words, its reason."""
    return ("the reply breaks a reply policy and cannot be sent: "
            + "; ".join(hit.describe() for hit in _unique(hits)))


def review_note(hits: list[Hit] | tuple[Hit, ...]) -> str:
    """The review-level hits, as the reason an approver must see the reply."""
    if not hits:
        return ""
    return ("; it matches a policy an approver must review: "
            + "; ".join(hit.describe() for hit in _unique(list(hits))))


def check_reply(
    comment: Comment,
    template: Template | None,
    text: str,
    today: date,
    *,
    config: Config,
    policies: PolicySet | None = None,
) -> ReplyCheck:
    """Whether ``text`` may answer ``comment`` as it is, needs approval, or is refused.

    Refused with :class:`TemplateError` (the message says why): an empty reply; a reply
    longer than the platform allows; a template whose approval has lapsed, that is not
    approved for the comment's platform, or that is not PHI-safe while the comment is a
    privacy risk. Refused with :class:`PolicyBlocked`: a reply that breaks a blocking
    policy of ``policies`` (each one named, with its reason). Approved as is: the
    template's rendering for this comment, or an edit of it within ``[replies]
    max_edit_share`` of its words, with no policy hit. Needs approval: free text, a
    template edited beyond that share (treated as free text), or a review-level hit.
    """
    if not text.strip():
        raise TemplateError("the reply is empty: write a reply or pick a template")
    privacy = comment.tag("privacy") is not None
    if template is not None:
        if privacy and not template.phi_safe:
            raise TemplateError(
                f"template {template.id!r} cannot answer comment {comment.id}: the comment "
                "is a privacy risk and the template is not PHI-safe (its wording could "
                "confirm a patient relationship); pick a PHI-safe template"
            )
        refusal = offerable(template, comment, today)
        if refusal is not None:
            raise TemplateError(
                f"template {template.id!r} cannot answer comment {comment.id}: {refusal}"
            )
    length, limit, prefix = reply_size(comment, text)
    if length > limit:
        counted = f" with the {prefix.strip()} put in front of it" if prefix else ""
        raise TemplateError(
            f"the reply is {length} characters{counted} and {comment.platform} allows "
            f"{limit}: shorten it"
        )
    hits: tuple[Hit, ...] = ()
    if policies is not None:
        hits = tuple(policy_hits(text, comment, policies))
        blocking = [hit for hit in hits if hit.blocks]
        if blocking:
            raise PolicyBlocked(blocked_message(blocking), hits)
    checked = tuple(policies.ids) if policies is not None else ()
    note = review_note(hits)
    privacy_note = " (the comment is a privacy risk)" if privacy else ""
    if template is None:
        return ReplyCheck(
            approved=False,
            reason="free text: an approver must approve it before it is sent" + privacy_note
            + note,
            template_id=None, length=length, limit=limit, privacy_risk=privacy, hits=hits,
            policies=checked,
        )
    expected = render(template, comment, config)
    if same_text(text, expected):
        return ReplyCheck(
            approved=not hits,
            reason=f"template {template.id!r} as approved, placeholders filled" + note,
            template_id=template.id, length=length, limit=limit, privacy_risk=privacy,
            expected=expected, hits=hits, policies=checked,
        )
    share = edit_share(expected, text)
    allowed = config.replies.max_edit_share
    if share <= allowed:
        reason = (f"template {template.id!r} lightly edited ({share:.0%} of its words "
                  f"changed, within {allowed:.0%}): it may go as approved")
    else:
        reason = (f"template {template.id!r} edited beyond {allowed:.0%} of its words "
                  f"({share:.0%} changed): treated as free text, an approver must approve "
                  "it before it is sent" + privacy_note)
    return ReplyCheck(
        approved=share <= allowed and not hits,
        reason=reason + note,
        template_id=template.id, length=length, limit=limit, privacy_risk=privacy,
        expected=expected, hits=hits, policies=checked, edit_share=share,
    )
