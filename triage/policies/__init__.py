"""Reply policies: what must never be said in a reply, checked on every reply before it goes.

    policies = load_policies(config)                     # policies/ or [policies] files
    hits = check_reply(text, comment, policies)          # [Hit(policy, severity, reason, …)]
    blocked = [h for h in hits if h.blocks]              # these stop the reply
"""

from triage.policies.check import PolicySet, check_reply, identifier_finder, phrase_words
from triage.policies.load import lint_policies, load_policies, org_contacts, policy_files
from triage.policies.parse import KEYS, PolicyProblem, parse_policy
from triage.policies.record import (
    BLOCK,
    IDENTIFIER_KINDS,
    REVIEW,
    SEVERITIES,
    Hit,
    Policy,
)

__all__ = [
    "BLOCK",
    "IDENTIFIER_KINDS",
    "KEYS",
    "REVIEW",
    "SEVERITIES",
    "Hit",
    "Policy",
    "PolicyProblem",
    "PolicySet",
    "check_reply",
    "identifier_finder",
    "lint_policies",
    "load_policies",
    "org_contacts",
    "parse_policy",
    "phrase_words",
    "policy_files",
]
