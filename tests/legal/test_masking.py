"""PHI masking: identifiers hidden one character for one, revealing journaled; roles named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.factories import make_comment
from tests.legal.conftest import PHI_TEXT, CliRun, make_config
from triage.config import Config
from triage.errors import ActionRefused, NotFound
from triage.legal import (
    has_identifiers,
    identifiers,
    mask_text,
    masked,
    require_role,
    reveal,
    reveal_many,
)
from triage.model import Tag
from triage.store import Store
from triage.tagger import Tagger


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
        # the words tying someone to care here stay readable; numbers in them do not
        ("My dad John Reyes was in room 412 for his chemo", ["My dad John", "room 412", "chemo"],
         "rule:privacy/room-or-bed", "My dad John Reyes was in •••• ••• for his chemo"),
        ("after the shingles vaccine I got a rash", ["vaccine", "I"],
         "rule:privacy/care-at-organisation", "after the shingles vaccine I got a rash"),
        ("my number is five five five two oh one call me", ["five five five two oh one"],
         "pattern:privacy/phone", "my number is •••• •••• •••• ••• •• ••• call me"),
        ("write to pat dot lee at gmail dot com", ["pat dot lee at gmail dot com"],
         "pattern:privacy/email", "write to ••• ••• ••• •• ••••• ••• •••"),
        ("I live at 42 Elm Street, ok", ["42 Elm Street"], "pattern:privacy/address",
         "I live at •• ••• ••••••, ok"),
        # a span that cuts an identifier short still masks all of it
        ("ring +1 (555) 201-8834 pls", ["(555) 201-88"], "pattern:phone",
         "ring +1 (•••) •••-8834 pls"),
        ("no identifiers here", [], "pattern:phone", "no identifiers here"),
        # the tagger's own source names; a date inside a span hides the whole of it
        ("mail pat.lee@gmail.com, DOB 03/14/1962, MRN 88812345",
         ["pat.lee@gmail.com", "DOB 03/14/1962", "MRN 88812345"], "pattern:privacy/email",
         "mail •••••••@gmail.com, ••• ••/••/••••, ••• ••••2345"),
        ("my dad was in room 412 for chemo", ["room 412"], "rule:privacy/room-or-bed",
         "my dad was in •••• ••• for chemo"),
    ],
)
def test_mask_text(text: str, found: list[str], source: str, expected: str) -> None:
    comment = make_comment("c", text, tags=(privacy(text, *found, source=source),))
    assert mask_text(comment) == expected
    assert len(mask_text(comment)) == len(text)  # other tags' offsets still hold
    assert has_identifiers(comment) is (expected != text)


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
    action = reveal(legal_store, make_config(), "lee", "c-phi", where="detail")
    assert (action.kind, action.user, action.comment_id) == ("reveal", "lee", "c-phi")
    assert action.data == {"identifiers": 2, "kinds": ["email", "number"], "where": "detail"}
    last = next(legal_store.journal.read_backwards())
    assert last["kind"] == "reveal" and last["user"] == "lee"
    assert legal_store.get("c-phi").text == PHI_TEXT  # revealing changes nothing stored
    with pytest.raises(NotFound):
        reveal(legal_store, make_config(), "lee", "c-none")


def test_only_legal_may_reveal_wherever_it_is_asked(legal_store: Store) -> None:
    before = legal_store.journal.last_seq
    with pytest.raises(ActionRefused, match="only the legal role can reveal"):
        reveal(legal_store, make_config(), "ana", "c-phi", where="queue")
    with pytest.raises(ActionRefused, match="ask lee"):
        reveal_many(legal_store, make_config(), "ana", [legal_store.get("c-phi")])
    assert legal_store.journal.last_seq == before  # nothing journaled


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


def test_ls_masks_identifiers_and_only_legal_reveals_them(
    prepared: Path, run_cli: CliRun
) -> None:
    masked_text = "Call me at •••-•••-8834 or •••••••@example.org about my MRI results"
    code, out, _ = run_cli("ls")
    assert code == 0 and f"\tPat Lee\t{masked_text}\n" in out
    code, out, _ = run_cli("ls", "--json")
    rows = {row["id"]: row for row in map(json.loads, out.splitlines())}
    assert rows["c-phi"]["text"] == masked_text
    assert rows["c-myth"]["text"] == "The flu shot gives you the flu, everyone knows it."
    assert "555-201" not in out and "pat.lee@" not in out
    seq = _last_seq(prepared)

    code, out, err = run_cli("ls", "--reveal")
    assert code == 1 and out == ""
    assert "only the legal role can reveal the identifiers of comments" in err
    assert _last_seq(prepared) == seq  # refused: nothing shown, nothing journaled

    code, out, _ = run_cli("ls", "--json", "--reveal", user="lee")
    rows = {row["id"]: row for row in map(json.loads, out.splitlines())}
    assert rows["c-phi"]["text"] == PHI_TEXT
    code, out, _ = run_cli("audit", "log", "--json", user="lee")
    reveals = [e for e in map(json.loads, out.splitlines()) if e["kind"] == "reveal"]
    assert [(e["user"], e["comment_id"], e["data"]["where"]) for e in reveals] == [
        ("lee", "c-phi", "ls"), ("lee", "c-privacy", "ls")]  # only those with something masked


def _last_seq(data_dir: Path) -> int:
    lines = (data_dir / "journal.jsonl").read_text().splitlines()
    return int(json.loads(lines[-1])["seq"])


def test_reveal_many_journals_one_batch(legal_store: Store) -> None:
    comments = [legal_store.get(i) for i in ("c-phi", "c-myth")]
    actions = reveal_many(legal_store, make_config(), "lee", comments, where="export")
    assert [(a.kind, a.comment_id, a.user) for a in actions] == [("reveal", "c-phi", "lee")]
    assert reveal_many(legal_store, make_config(), "lee", [legal_store.get("c-myth")]) == []



@pytest.mark.parametrize(("text", "expected"), [
    ("Casey Okafor, January 23, 1959, please check my claim",
     "Casey Okafor, ••••••• ••, 1959, please check my claim"),
    ("Casey Okafor, 23 de enero de 1959, revisen mi reclamo",
     "Casey Okafor, •• •• ••••• •• 1959, revisen mi reclamo"),
    ("My father Casey Okafor (23 January 1959) is in your ICU",
     "My father Casey Okafor (•• ••••••• 1959) is in your ICU"),
])
def test_a_date_of_birth_written_out_after_a_name_is_masked(text: str, expected: str) -> None:
    comment = make_comment("c1", text, tags=Tagger().tag(text))
    assert mask_text(comment) == expected


@pytest.mark.parametrize("text", [
    "We opened on January 23, 1959 as a small clinic",
    "Happy birthday Mom, March 3, 2020 was great",
])
def test_a_date_with_no_name_before_it_or_too_recent_is_not_a_birth_date(text: str) -> None:
    assert Tagger().tag(text) == ()
