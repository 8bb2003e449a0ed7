"""Approved reply templates: the record, loading and lint, rendering, ranking, the send check.

    library = load_library(config, today=today)          # the folder, linted
    for candidate in rank(library.usable(today), comment, today):
        text = render(candidate.template, comment, config)
    verdict = check_reply(comment, template_or_None, text, today, config=config)
"""

from triage.templates.check import (
    ReplyCheck,
    blocked_message,
    check_reply,
    reply_size,
    review_note,
    same_text,
)
from triage.templates.claims import ClaimRef, load_claim_refs
from triage.templates.crisis import CRISIS_LABELS, crisis_kinds, crisis_note
from triage.templates.drift import edit_share
from triage.templates.find import find_templates_dir, installed_templates_dir
from triage.templates.language import guess_language
from triage.templates.library import (
    SAMPLE_VALUES,
    TemplateLibrary,
    lint_templates,
    load_library,
    sample_values,
)
from triage.templates.limits import PLATFORM_LIMITS, limit_for, reply_length
from triage.templates.parse import Problem, parse_template
from triage.templates.rank import Candidate, answers, claim_tag, matched_claim, offerable, rank
from triage.templates.record import CRISIS_KINDS, PLACEHOLDERS, Resource, Template
from triage.templates.render import AUTHOR_MAX, author_name, fill, render, render_values

__all__ = [
    "AUTHOR_MAX",
    "CRISIS_KINDS",
    "CRISIS_LABELS",
    "PLACEHOLDERS",
    "PLATFORM_LIMITS",
    "SAMPLE_VALUES",
    "Candidate",
    "ClaimRef",
    "Problem",
    "ReplyCheck",
    "Resource",
    "Template",
    "TemplateLibrary",
    "answers",
    "author_name",
    "blocked_message",
    "check_reply",
    "claim_tag",
    "crisis_kinds",
    "crisis_note",
    "edit_share",
    "fill",
    "find_templates_dir",
    "guess_language",
    "installed_templates_dir",
    "limit_for",
    "lint_templates",
    "load_claim_refs",
    "load_library",
    "matched_claim",
    "offerable",
    "parse_template",
    "rank",
    "render",
    "render_values",
    "reply_length",
    "reply_size",
    "review_note",
    "same_text",
    "sample_values",
]
