"""What people do to an adverse-event intake, each a journaled action carrying its record.

- :func:`save_intake` (anyone on the team, agents included): fill in or correct the four
  criteria and tick the ones checked against the comment (kind ``ae_intake``);
- :func:`complete_intake` (role ``pharmacovigilance``): the four criteria are there and
  confirmed, the report can go to the safety database (kind ``ae_complete``);
- :func:`mark_not_ae` (role ``pharmacovigilance``): it is not an adverse event, with the
  reason why (kind ``ae_not_ae``).

Both of the last two settle the intake: the comment may then be dismissed, hidden or
deleted like any other. A settled intake is not changed again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from triage.ae.intake import AE_TABLE, Criterion, Intake, intake_of
from triage.ae.prefill import CRITERIA, CRITERION_LABELS
from triage.config import Config
from triage.errors import ActionRefused, NotFound
from triage.legal.people import require_role
from triage.model import Action
from triage.store import Store

__all__ = ["REASON_LIMIT", "VALUE_LIMIT", "complete_intake", "mark_not_ae", "save_intake"]

#: The longest value of a criterion, and of a "not an AE" reason.
VALUE_LIMIT = 500
REASON_LIMIT = 1000


def _intake(store: Store, config: Config, comment_id: str) -> Intake:
    comment = store.comments.get(comment_id)
    if comment is None:
        raise NotFound(f"no comment with id {comment_id!r}")
    intake = intake_of(store, config, comment)
    if intake is None:
        raise ActionRefused(f"{comment_id} is not tagged adverse_event and has no intake "
                            "(tag it adverse_event first: t in the queue, or triage bulk tag)")
    return intake


def _require_open(intake: Intake) -> None:
    if not intake.open:
        done = "complete" if intake.state == "complete" else "marked not an AE"
        raise ActionRefused(f"the intake of {intake.comment_id} is {done} already "
                            f"({intake.closed_by}); it is not changed again")


def _entry(user: str, kind: str, intake: Intake, extra: dict[str, Any]) -> dict[str, Any]:
    record = {"table": AE_TABLE, "key": intake.comment_id, "doc": intake.to_doc()}
    return {"user": user, "kind": kind, "comment_id": intake.comment_id,
            "data": {"record": record, **extra}}


def save_intake(store: Store, config: Config, user: str, comment_id: str,
                values: Mapping[str, str], confirmed: Mapping[str, bool]) -> Action:
    """Save the criteria's ``values`` and which are ``confirmed`` (names from CRITERIA;
    the ones not given keep what they had). Refused once the intake is settled."""
    intake = _intake(store, config, comment_id)
    _require_open(intake)
    unknown = sorted((set(values) | set(confirmed)) - set(CRITERIA))
    if unknown:
        raise ActionRefused(f"unknown criterion {unknown[0]!r} (one of {', '.join(CRITERIA)})")
    criteria = dict(intake.criteria)
    changed = []
    for name in CRITERIA:
        old = criteria.get(name, Criterion())
        value = " ".join(str(values.get(name, old.value)).split())
        if len(value) > VALUE_LIMIT:
            raise ActionRefused(f"{CRITERION_LABELS[name]}: {len(value):,} characters; "
                                f"at most {VALUE_LIMIT}")
        ticked = bool(confirmed.get(name, old.confirmed))
        if ticked and not value:
            raise ActionRefused(f"{CRITERION_LABELS[name]}: empty, so it cannot be confirmed")
        new = Criterion(value, ticked)
        if new != old:
            changed.append(name)
        criteria[name] = new
    now = store.clock()
    saved = replace(intake, criteria=criteria, updated_by=user, updated_at=now)
    (action,) = store.record([_entry(user, "ae_intake", saved, {"changed": changed})])
    return action


def complete_intake(store: Store, config: Config, user: str, comment_id: str) -> Action:
    """Mark the intake complete (pharmacovigilance only; every criterion confirmed)."""
    intake = _intake(store, config, comment_id)
    require_role(config, user, "pharmacovigilance", "complete an adverse-event intake")
    _require_open(intake)
    missing = [CRITERION_LABELS[n] for n in CRITERIA
               if not (intake.criteria.get(n, Criterion()).confirmed
                       and intake.criteria.get(n, Criterion()).value.strip())]
    if missing:
        raise ActionRefused(f"the intake of {comment_id} is not complete: "
                            f"{', '.join(missing)} still to fill in and confirm")
    now = store.clock()
    done = replace(intake, state="complete", closed_by=user, closed_at=now, updated_by=user,
                   updated_at=now)
    late = intake.late(now)
    (action,) = store.record([_entry(user, "ae_complete", done,
                                     {"day": intake.day(now), "late": late})])
    return action


def mark_not_ae(store: Store, config: Config, user: str, comment_id: str,
                reason: str) -> Action:
    """Settle the intake as not an adverse event (pharmacovigilance only; a reason needed)."""
    intake = _intake(store, config, comment_id)
    require_role(config, user, "pharmacovigilance", "mark a comment not an adverse event")
    _require_open(intake)
    reason = " ".join(reason.split())
    if not reason:
        raise ActionRefused("say why it is not an adverse event: a reason is required")
    if len(reason) > REASON_LIMIT:
        raise ActionRefused(f"the reason is {len(reason):,} characters; at most {REASON_LIMIT}")
    now = store.clock()
    done = replace(intake, state="not_ae", reason=reason, closed_by=user, closed_at=now,
                   updated_by=user, updated_at=now)
    (action,) = store.record([_entry(user, "ae_not_ae", done,
                                     {"reason": reason, "day": intake.day(now)})])
    return action
