"""PHI masking: identifiers hidden one character for one, revealing journaled; roles named."""

from __future__ import annotations

import pytest

from tests.factories import make_comment
from tests.legal.conftest import PHI_TEXT, make_config
from triage.config import Config
from triage.errors import ActionRefused, NotFound
from triage.legal import has_identifiers, identifiers, mask_text, masked, require_role, reveal
from triage.model import Tag
from triage.store import Store


def privacy(text: str, *found: str, source: str = "pattern:phone") -> Tag:
    spans = tuple((text.index(f), text.index(f) + len(f)) for f in found)
    return Tag("privacy", 0.9, spans, source)


@pytest.mark.parametrize(
    ("text", "found", "source", "expected"),
    [
        ("call me at 555-201-8834 today", ["555-201-8834"], "pattern:phone",
         "call me at •••-•••-8834 today"),
        ("mail pat.lee@example.org now", ["pat.lee@example.org"], "pattern:email",
         "mail •••••••@example.org now"),
        ("SSN 123-45-6789.", ["123-45-6789"], "pattern:ssn", "SSN •••-••-6789."),
        ("born 03/14/1962, ok", ["03/14/1962"], "pattern:dob", "born ••/••/••••, ok"),
        ("dob 1962-03-14", ["1962-03-14"], "pattern:phone,dob", "dob ••••-••-••"),
        ("MRN AB1234567", ["AB1234567"], "pattern:mrn", "MRN •••••4567"),
        ("my dad John Reyes in room 412", ["John Reyes"], "lexicon:name",
         "my dad •••• ••••• in room 412"),
        # a span that cuts an identifier short still masks all of it
        ("ring +1 (555) 201-8834 pls", ["(555) 201-88"], "pattern:phone",
         "ring +1 (•••) •••-8834 pls"),
        ("no identifiers here", [], "pattern:phone", "no identifiers here"),
    ],
)
def test_mask_text(text: str, found: list[str], source: str, expected: str) -> None:
    comment = make_comment("c", text, tags=(privacy(text, *found, source=source),))
    assert mask_text(comment) == expected
    assert len(mask_text(comment)) == len(text)  # other tags' offsets still hold
    assert has_identifiers(comment) is bool(found)


def test_comments_without_a_privacy_tag_are_untouched() -> None:
    text = "call 555-201-8834"
    comment = make_comment("c", text, tags=(Tag("question", 0.9, ((0, 4),), "rule:q"),))
    assert mask_text(comment) == text and masked(comment) is comment
    assert identifiers(comment) == []


def test_masked_keeps_everything_but_the_text() -> None:
    text = "call 555-201-8834"
    comment = make_comment("c", text, tags=(privacy(text, "555-201-8834"),))
    shown = masked(comment)
    assert shown.text == "call •••-•••-8834"
    assert (shown.id, shown.tags, shown.author) == (comment.id, comment.tags, comment.author)


def test_revealing_is_journaled(legal_store: Store) -> None:
    action = reveal(legal_store, "ana", "c-phi", where="detail")
    assert (action.kind, action.user, action.comment_id) == ("reveal", "ana", "c-phi")
    assert action.data == {"identifiers": 2, "kinds": ["email", "number"], "where": "detail"}
    last = next(legal_store.journal.read_backwards())
    assert last["kind"] == "reveal" and last["user"] == "ana"
    assert legal_store.get("c-phi").text == PHI_TEXT  # revealing changes nothing stored
    with pytest.raises(NotFound):
        reveal(legal_store, "ana", "c-none")


def test_require_role_names_the_role_and_who_has_it() -> None:
    config = make_config()
    require_role(config, "lee", "legal", "release a legal hold")
    with pytest.raises(ActionRefused) as refused:
        require_role(config, "ana", "legal", "release a legal hold")
    assert str(refused.value) == (
        "only the legal role can release a legal hold (ana has the role agent; ask lee)")
    with pytest.raises(ActionRefused, match="zed is not on the team"):
        require_role(config, "zed", "legal", "close an escalation")
    with pytest.raises(ActionRefused, match="no one on the team has it yet"):
        require_role(Config(), "ana", "legal", "close an escalation")
