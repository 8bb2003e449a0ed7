"""Reply policies: the shipped set, the check, the send path that obeys it, the edit share."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from tests.factories import NOW, make_comment
from triage.config import AccountConfig, Config, OrgConfig, PoliciesConfig, parse_config
from triage.errors import ActionRefused, ConfigError, PolicyBlocked, PolicyFileError
from triage.model import Tag
from triage.outbox import QUEUED, WAITING, submit_reply
from triage.policies import check_reply, lint_policies, load_policies, policy_files
from triage.store import Store
from triage.templates import check_reply as send_check
from triage.templates import edit_share, load_library, render

ROOT = Path(__file__).resolve().parents[2]
TODAY = NOW.date()
CONFIG = Config(org=OrgConfig(name="Riverside Health", contact_phone="1-800-555-0199",
                              contact_url="https://www.example.org/contact",
                              contact_email="social@example.org"))
PHONE = "555-201-8890"
COMMENT = make_comment("c1", f"My mom is in pain, call me at {PHONE} or jo.smith@gmail.com "
                       "(MRN 44821973). Or ring your line 1-800-555-0199.")


@pytest.fixture(scope="module")
def policies():  # type: ignore[no-untyped-def]
    return load_policies(CONFIG)


@pytest.mark.parametrize(("text", "policy"), [
    ("We see you were here last week and hope you feel better.", "patient-confirmation"),
    ("Your results are ready in the portal.", "patient-confirmation"),
    ("About your appointment on Friday: please arrive early.", "patient-confirmation"),
    ("You should take two tablets at night.", "medical-advice"),
    ("Please increase your dose until it helps.", "medical-advice"),
    ("From what you describe, you have diabetes.", "medical-advice"),
    ("Our clinic is guaranteed to help.", "cure-promise"),
    ("This will cure your arthritis.", "cure-promise"),
    ("The vaccine is 100% effective.", "cure-promise"),
    ("Many doctors use it off-label for migraines.", "off-label-claim"),
    ("It can also treat hair loss.", "off-label-claim"),
    ("Dr. Patel is in on Tuesday if you want to catch her.", "clinician-schedule"),
    ("Nurse Kim will be at the Main Street clinic tomorrow.", "clinician-schedule"),
])
def test_the_shipped_policies_catch_what_a_healthcare_team_would_stop(
        policies, text: str, policy: str) -> None:  # type: ignore[no-untyped-def]
    hits = check_reply(text, None, policies)
    assert [h.policy for h in hits] == [policy]
    (hit,) = hits
    assert text[hit.start:hit.end] == hit.text and hit.reason


@pytest.mark.parametrize("text", [
    "Thanks for asking. Please call 1-800-555-0199 to book a visit.",
    "Vaccines are tested for safety; talk to your doctor about any side effects.",
    "If you have a question about your care, please message us privately.",
    "Our clinics are open Monday to Friday, 8am to 6pm.",
])
def test_ordinary_replies_give_no_hit(policies, text: str) -> None:  # type: ignore[no-untyped-def]
    assert check_reply(text, COMMENT, policies) == []


def test_identifiers_copied_from_the_comment_block_but_the_orgs_own_do_not(policies) -> None:  # type: ignore[no-untyped-def]
    reply = ("Hi, we'll call you at (555) 201 8890, write to Jo.Smith@gmail.com and look up "
             "44821973. Or call 1-800-555-0199.")
    hits = check_reply(reply, COMMENT, policies)
    assert [(h.policy, h.severity, h.detail) for h in hits] == [
        ("phi-copied-back", "block", "phone number from the comment"),
        ("phi-copied-back", "block", "e-mail address from the comment"),
        ("phi-copied-back", "block", "record or member number from the comment"),
    ]
    assert "201 8890" in hits[0].text and hits[1].text == "Jo.Smith@gmail.com"
    assert check_reply(reply, None, policies) == []  # no comment: nothing to copy


def test_the_projects_own_templates_give_no_block(policies) -> None:  # type: ignore[no-untyped-def]
    library = load_library(CONFIG, today=TODAY)
    assert len(library.templates) >= 30
    hits = {}
    for template in library.templates:
        comment = replace(COMMENT, tags=tuple(Tag(t, 0.9, (), "test") for t in template.tags),
                          platform=template.platforms[0])
        text = render(template, comment, CONFIG)
        blocking = [h.describe() for h in check_reply(text, comment, policies) if h.blocks]
        if blocking:
            hits[template.id] = blocking
    assert hits == {}


def test_lint_names_the_file_and_the_entry(tmp_path: Path) -> None:
    (tmp_path / "bad.toml").write_text(
        'id = "bad"\ntitle = "t"\nreason = "r"\nseverity = "stop"\npatterns = ["(["]\n'
        'approved_by = "a"\napproved_on = 2026-01-01\nreview_by = 2027-01-01\n')
    (tmp_path / "other.toml").write_text('id = "other"\ntitle = 3\n')
    policies, problems = lint_policies(sorted(tmp_path.glob("*.toml")), today=TODAY)
    assert policies == []
    said = [str(p) for p in problems]
    assert f"{tmp_path / 'bad.toml'}: severity: must be one of block, review, not 'stop'" in said
    assert any(s.startswith(f"{tmp_path / 'bad.toml'}: patterns #1: not a valid regular")
               for s in said)
    assert f"{tmp_path / 'other.toml'}: reason: missing" in said
    config = replace(CONFIG, policies=PoliciesConfig(files=[str(tmp_path)]))
    with pytest.raises(PolicyFileError, match="bad.toml: severity"):
        load_policies(config)


def test_the_shipped_policies_are_clean_and_found() -> None:
    paths = policy_files(Config())
    assert paths and all(p.parent == ROOT / "policies" for p in paths)
    policies, problems = lint_policies(paths, today=TODAY)
    assert problems == [] and len(policies) == 6
    assert {p.severity for p in policies} == {"block", "review"}


@pytest.mark.parametrize(("old", "new", "share"), [
    ("a b c d e f g h i j", "a b c d e f g h i j", 0.0),
    ("a b c d e f g h i j", "a  b c d e f g h\ni j", 0.0),
    ("a b c d e f g h i j", "a b X d e f Y h i j", 0.2),
    ("a b c d e f g h i j", "a b c d e f g", 0.3),
])
def test_edit_share_counts_the_words_changed(old: str, new: str, share: float) -> None:
    assert edit_share(old, new) == pytest.approx(share)


def test_max_edit_share_is_read_and_checked() -> None:
    assert parse_config("[replies]\nmax_edit_share = 0.5\n").replies.max_edit_share == 0.5
    with pytest.raises(ConfigError, match=r"\[replies\] max_edit_share: must be between 0"):
        parse_config("[replies]\nmax_edit_share = 2\n")
    with pytest.raises(ConfigError, match=r"\[policies\] files"):
        parse_config('[policies]\nfiles = "policies"\n')


def test_an_edit_within_the_share_goes_as_approved_and_a_bigger_one_is_free_text() -> None:
    library = load_library(CONFIG, today=TODAY)
    template = library.get("question-appointments")
    comment = replace(COMMENT, tags=(Tag("question", 0.9, (), "test"),))
    text = render(template, comment, CONFIG)
    light = send_check(comment, template, text.replace("thanks for asking", "thank you"),
                       TODAY, config=CONFIG, policies=load_policies(CONFIG))
    assert light.approved and 0 < (light.edit_share or 0) <= 0.2
    words = text.split()
    heavy = " ".join(words[:len(words) // 2]) + " and we can sort it out over the phone."
    verdict = send_check(comment, template, heavy, TODAY, config=CONFIG,
                         policies=load_policies(CONFIG))
    assert verdict.needs_approval and "treated as free text" in verdict.reason
    tight = replace(CONFIG, replies=replace(CONFIG.replies, max_edit_share=0.0))
    assert send_check(comment, template, text.replace("thanks for asking", "thank you"),
                      TODAY, config=tight).needs_approval


# -- the send path ---------------------------------------------------------------------


@pytest.fixture
def store(tmp_path: Path):  # type: ignore[no-untyped-def]
    with Store(tmp_path / "data", clock=lambda: NOW) as opened:
        question = (Tag("question", 0.9, (), "test"),)
        opened.ingest([COMMENT, replace(make_comment("c2", "When is the clinic open?"),
                                        tags=question),
                       replace(make_comment("c3", "Who can I see on Tuesday?"), tags=question)],
                      user="test")
        yield opened


SENDING_CONFIG = replace(CONFIG, accounts=[AccountConfig(
    name="riverside-fb", platform="facebook", token_env="FB_TOKEN", page_id="100")])


def _submit(store: Store, comment_id: str, text: str, template_id: str | None = None):  # type: ignore[no-untyped-def]
    return submit_reply(store, SENDING_CONFIG, "ben", comment_id,
                        library=load_library(CONFIG, today=TODAY), template_id=template_id,
                        text=text, now=NOW + timedelta(minutes=1))


def test_a_block_is_refused_naming_each_reason_and_nothing_is_written(store: Store) -> None:
    before = store.version
    with pytest.raises(ActionRefused) as refused:
        _submit(store, "c1", f"Call us back at {PHONE}: our treatment is guaranteed to work.")
    message = str(refused.value)
    assert isinstance(refused.value, PolicyBlocked)
    assert "phi-copied-back: '555-201-8890' (phone number from the comment): repeats an " \
           "identifier the commenter posted" in message
    assert "cure-promise: 'guaranteed': promises a cure" in message
    assert store.version == before


def test_a_review_hit_waits_for_an_approver_and_the_check_is_journaled(store: Store) -> None:
    item = _submit(store, "c2", "Dr. Patel is in on Tuesday, come by.")
    assert item.state == WAITING
    assert [(h.policy, h.severity, h.text) for h in item.hits] == [
        ("clinician-schedule", "review", "Dr. Patel is in on Tuesday")]
    assert "it matches a policy an approver must review: clinician-schedule" in item.reason
    entry = list(store.journal.read_backwards())[0]
    assert entry["kind"] == "reply_submitted"
    policy = entry["data"]["policy"]
    assert "clinician-schedule" in policy["checked"] and len(policy["checked"]) == 6
    assert policy["hits"][0]["policy"] == "clinician-schedule"
    assert policy["hits"][0]["span"] == [0, 26]


def test_a_template_with_a_review_hit_is_not_sent_as_approved(store: Store) -> None:
    library = load_library(CONFIG, today=TODAY)
    text = render(library.get("question-appointments"), store.get("c2"), CONFIG)
    clean = _submit(store, "c2", text, "question-appointments")
    assert clean.state == QUEUED and clean.hits == ()
    entry = list(store.journal.read_backwards())[0]
    assert entry["kind"] == "reply_queued" and entry["data"]["policy"]["hits"] == []
    edited = text + " Dr. Patel is in on Tuesday."
    item = _submit(store, "c3", edited, "question-appointments")
    assert item.state == WAITING and item.hits[0].policy == "clinician-schedule"


def test_an_install_finds_its_policies_through_its_file_list(tmp_path: Path) -> None:
    """pyproject's data-files put policies/ under the prefix's share/, listed in RECORD."""
    from importlib import metadata

    from triage.shipped import installed_dir

    site = tmp_path / "prefix" / "lib" / "python3.11" / "site-packages"
    info = site / "triage_desk-0.1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: triage-desk\nVersion: 0.1.0\n")
    shared = tmp_path / "prefix" / "share" / "triage-desk" / "policies"
    shared.mkdir(parents=True)
    (shared / "cure-promise.toml").write_text("id = 'cure-promise'\n")
    (info / "RECORD").write_text("../../../share/triage-desk/policies/cure-promise.toml,,\n")
    assert installed_dir("policies", metadata.PathDistribution(info)) == shared.resolve()
    assert installed_dir("templates", metadata.PathDistribution(info)) is None
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert '"share/triage-desk/policies" = ["policies/*.toml"]' in pyproject
