"""Corrections in the journal feed the tagger's precision and recall."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from tests.factories import FLU_POST, NOW, sample_comments
from triage.desk import Desk
from triage.feedback import feedback_from_journal
from triage.store import Store


def test_corrections_become_precision_and_recall_by_week(tmp_path: Path) -> None:
    moment = [NOW]
    with Store(tmp_path / "data", clock=lambda: moment[0]) as store:
        store.ingest(sample_comments(), [FLU_POST], user="t")
        desk = Desk(store, "ana")
        desk.dismiss(["c-question", "c-crisis"], "on-call")  # reviewed, tags right
        desk.correct_tag(["c-myth"], "misinformation", add=False)  # a false alarm
        moment[0] = NOW + timedelta(days=7)
        desk.correct_tag(["c-plain"], "question", add=True)  # a miss, next week
        desk.correct_tag(["c-reply"], "question", add=True)  # re-added by hand later:
        desk.correct_tag(["c-reply"], "question", add=False)  # ends untagged
        result = feedback_from_journal(store)
    assert result.reviewed == 5 and result.corrections == 4
    question = result.tags["question"]
    assert (question.tp, question.fp, question.fn) == (1, 0, 1)
    assert question.precision == 1.0 and question.recall == 0.5
    myth = result.tags["misinformation"]
    assert (myth.tp, myth.fp, myth.fn) == (0, 1, 0) and myth.precision == 0.0
    assert result.tags["crisis"].recall == 1.0
    weeks = sorted(result.weeks)
    assert len(weeks) == 2
    assert result.weeks[weeks[0]]["misinformation"].fp == 1
    assert result.weeks[weeks[1]]["question"].fn == 1
