"""The one rendering of an edited reply that the Approvals screen and `triage approvals` share."""

from __future__ import annotations

from triage.outbox import marked_change, wdiff


def test_an_edit_is_marked_once_against_its_template() -> None:
    pieces = marked_change("Hi Carol, see our page.", "Hi carol, see our page today.")
    assert "".join(p for _, p in pieces) == (
        "Hi [-Carol,-]{+carol,+} see our [-page.-]{+page today.+}")
    assert [op for op, _ in pieces] == ["=", "-", "+", "=", "-", "+"]
    assert wdiff("Hi Carol, see our page.", "Hi carol, see our page today.") == "".join(
        p for _, p in pieces)


def test_free_text_has_no_template_and_reads_as_written() -> None:
    assert marked_change(None, "We hear you.") == [("=", "We hear you.")]
