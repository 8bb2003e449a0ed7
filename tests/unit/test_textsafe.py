"""Outside text made safe to show: shortened at a word boundary, escapes made visible."""

from __future__ import annotations

import pytest

from triage.textsafe import clean, one_line

POST = "Flu shots are here: walk in at any Riverside clinic this weekend, no appointment needed"


@pytest.mark.parametrize("width", [20, 33, 47, 60, 80])
def test_a_shortened_line_ends_on_a_whole_word(width: int) -> None:
    shown = one_line(POST, width)
    assert len(shown) <= width and shown.endswith("…")
    assert POST.startswith(shown[:-1])
    assert POST[len(shown) - 1] == " "  # the cut falls where a word ended


def test_one_long_word_is_still_cut_to_the_width() -> None:
    shown = one_line("x" * 200, 30)
    assert shown == "x" * 29 + "…"


def test_text_that_fits_is_whole_and_on_one_line() -> None:
    assert one_line("two\nlines\there", 40) == "two lines here"


def test_escape_sequences_show_as_visible_pictures() -> None:
    shown = clean("\x1b]52;c;Y3VybA==\x07done")
    assert "\x1b" not in shown and "\x07" not in shown and shown.endswith("done")
