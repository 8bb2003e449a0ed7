"""Adverse-event intake: the four minimum criteria, the reporting clock, the export."""

from triage.ae.actions import complete_intake, mark_not_ae, save_intake
from triage.ae.export import (
    EXPORT_FIELDS,
    EXPORTS,
    FORMATS,
    export_intakes,
    intake_row,
    intakes,
    save_intakes,
)
from triage.ae.intake import (
    AE_TABLE,
    GUARDED,
    STATES,
    Criterion,
    Intake,
    ae_states,
    intake_of,
    open_intake_ids,
    require_intake_settled,
    stored_intake,
)
from triage.ae.prefill import CRITERIA, CRITERION_LABELS, find_products, prefill

__all__ = [
    "AE_TABLE",
    "CRITERIA",
    "CRITERION_LABELS",
    "EXPORTS",
    "EXPORT_FIELDS",
    "FORMATS",
    "GUARDED",
    "STATES",
    "Criterion",
    "Intake",
    "ae_states",
    "complete_intake",
    "export_intakes",
    "find_products",
    "intake_of",
    "intake_row",
    "intakes",
    "mark_not_ae",
    "open_intake_ids",
    "prefill",
    "require_intake_settled",
    "save_intake",
    "save_intakes",
    "stored_intake",
]
