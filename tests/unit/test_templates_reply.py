"""Rendering, ranking and the send check, on the shipped templates and on hand-made ones."""

from __future__ import annotations

import tomllib
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from tests.factories import NOW, make_comment
from triage.config import Config, OrgConfig
from triage.errors import TemplateError
from triage.model import Author, Comment, Tag
from triage.templates import (
    ClaimRef,
    Resource,
    Template,
    TemplateLibrary,
    check_reply,
    guess_language,
    limit_for,
    lint_templates,
    rank,
    render,
    reply_length,
    reply_size,
)

TODAY = NOW.date()
ROOT = Path(__file__).resolve().parents[2]
CONFIG = Config(org=OrgConfig(name="Riverside Health", contact_phone="1-800-555-0199",
                              contact_url="https://www.example.org/contact",
                              contact_email="social@example.org"))


def _claims_named_by_templates() -> dict[str, ClaimRef]:
    """The claim ids the shipped templates name, each with a page, as the library has them."""
    ids: set[str] = set()
    for path in (ROOT / "templates").glob("*.toml"):
        ids.update(tomllib.loads(path.read_text(encoding="utf-8")).get("claims", []))
    ids.add("essential-oils-cure")
    return {i: ClaimRef(i, "other", f"Facts about {i} (CDC)", f"https://www.cdc.gov/{i}/index.html")
            for i in ids}


@pytest.fixture(scope="module")
def library() -> TemplateLibrary:
    shipped = lint_templates(ROOT / "templates", config=CONFIG, today=TODAY,
                             claims=_claims_named_by_templates())
    assert shipped.problems == ()
    return shipped


def myth(claim: str, text: str = "The flu shot gives you the flu.", **kw: object) -> Comment:
    tag = Tag("misinformation", 0.9, source=f"claim:{claim}", claim_id=claim,
              resource_title="Flu vaccine facts (CDC)",
              resource_url="https://www.cdc.gov/flu/vaccines/keyfacts.html")
    return make_comment("c1", text, tags=(tag,), **kw)  # type: ignore[arg-type]


def tagged(text: str, *names: str, platform: str = "facebook", author: str = "Dana") -> Comment:
    return make_comment("c1", text, tags=tuple(Tag(n, 0.9) for n in names), platform=platform,
                        author=author)


def ids(library: TemplateLibrary, comment: Comment, today: date = TODAY) -> list[str]:
    return [c.template.id for c in rank(library, comment, today) if c.relevant]


EVERYTHING = Template(
    id="everything", title="t", tags=("misinformation",), platforms=("facebook",),
    body="Hi {author} from {org_name}: {resource_title} {resource_url} "
         "call {contact_phone}, {contact_url} or {contact_email}",
    approved_by="c", approved_on=date(2026, 10, 1), review_by=date(2027, 10, 1),
    phi_safe=True, language="en",
    resources=(Resource("Fallback page", "https://medlineplus.gov/fallback.html"),),
)


def test_render_fills_every_placeholder() -> None:
    text = render(EVERYTHING, myth("flu-shot-gives-flu", author="Rob Keller"), CONFIG)
    assert text == ("Hi Rob Keller from Riverside Health: Flu vaccine facts (CDC) "
                    "https://www.cdc.gov/flu/vaccines/keyfacts.html call 1-800-555-0199, "
                    "https://www.example.org/contact or social@example.org")


def test_render_falls_back_on_the_templates_own_resource() -> None:
    text = render(EVERYTHING, tagged("chemo is poison", "misinformation"), CONFIG)
    assert "Fallback page https://medlineplus.gov/fallback.html" in text


@pytest.mark.parametrize(("name", "handle", "shown"), [
    ("{org_name}", "", "{org_name}"),
    ("{author}{contact_phone}", "", "{author}{contact_phone}"),
    ("{0.__class__.__mro__}", "", "{0.__class__.__mro__}"),
    ("%(contact_phone)s %s", "", "%(contact_phone)s %s"),
    ("[b]Mallory[/b] [@click=app.quit]", "", "[b]Mallory[/b] [@click=app.quit]"),
    ("Ann\nBelow\x1b[31m", "", "Ann Below[31m"),
    ("\u202eevil\u200b name", "", "evil name"),
    ("A" * 100, "", "A" * 39 + "…"),
    ("", "@dana.bsky.social", "@dana.bsky.social"),
    ("  ", "", "there"),
])
def test_hostile_author_names_are_rendered_literally(name: str, handle: str, shown: str) -> None:
    comment = Comment(id="c1", platform="facebook", account="a", text="hi", created_at=NOW,
                      author=Author(id="u1", name=name, handle=handle))
    text = render(EVERYTHING, comment, CONFIG)
    assert text.startswith(f"Hi {shown} from Riverside Health: ")
    assert text.count("1-800-555-0199") == 1


def test_render_refuses_when_the_config_lacks_a_value() -> None:
    config = Config(org=OrgConfig(contact_url="https://www.example.org/contact"))
    with pytest.raises(TemplateError, match=r"\[org\] contact_phone is empty"):
        render(EVERYTHING, tagged("x", "misinformation"), config)


@pytest.mark.parametrize(("comment", "first"), [
    (myth("flu-shot-gives-flu"), ["myth-vaccines", "myth-general", "es-myth-vaccines"]),
    (myth("flu-shot-gives-flu", platform="x"), ["myth-vaccines-short", "myth-general-short"]),
    (myth("fluoride-lowers-iq", "fluoride lowers IQ"), ["myth-fluoride", "myth-general"]),
    (myth("chemo-is-poison", "chemo is poison"), ["myth-cancer-treatment", "myth-general"]),
    (myth("essential-oils-cure", "oils cure it all"), ["myth-general"]),
    (tagged("When is the clinic open?", "question"),
     ["question-appointments", "question-billing-insurance", "question-second-opinion",
      "question-hours-locations", "es-question-general"]),
    (tagged("how do I book", "question", platform="x"),
     ["question-contact-short", "es-question-general"]),
    (tagged("My dad is in room 412, call me at 555-201-8834", "privacy"),
     ["privacy-move-private", "es-privacy-move-private"]),
    (tagged("call me 555-201-8834", "privacy", platform="tiktok"), ["privacy-move-private-short"]),
    (tagged("rash after my shot, I'm Ann Lee DOB 3/4/71", "adverse_event", "privacy"),
     ["adverse-event-report", "privacy-move-private", "es-adverse-event-report",
      "es-privacy-move-private"]),
    (tagged("rash all over after the new pill", "adverse_event"),
     ["adverse-event-followup", "adverse-event-report", "es-adverse-event-report"]),
    (tagged("I can't do this anymore", "crisis", platform="instagram"),
     ["crisis-988", "crisis-988-short", "crisis-medical-emergency", "es-crisis-988"]),
    (tagged("I can't do this anymore", "crisis", "question", platform="tiktok"),
     ["crisis-988-short", "crisis-medical-emergency", "es-crisis-988"]),
    (tagged("No puedo más, quiero terminar con todo esta noche", "crisis"),
     ["es-crisis-988", "crisis-988", "crisis-988-short", "crisis-medical-emergency"]),
    (myth("flu-shot-gives-flu", "La vacuna de la gripe te da la gripe, no se la pongan"),
     ["es-myth-vaccines", "myth-vaccines", "myth-general"]),
    (tagged("¿A qué hora abre la clínica el sábado?", "question"),
     ["es-question-general", "question-appointments"]),
    (tagged("Mi papá está en el cuarto 412, llámenme al 555-201-8834", "privacy"),
     ["es-privacy-move-private", "privacy-move-private"]),
    (tagged("You were all wonderful", platform="x"), ["thanks-kind-words"]),
], ids=["myth", "myth-on-x", "fluoride", "cancer", "other-myth", "question", "question-on-x",
        "privacy", "privacy-on-tiktok", "adverse-event-and-privacy", "adverse-event", "crisis",
        "crisis-on-tiktok", "crisis-es", "myth-es", "question-es", "privacy-es", "untagged"])
def test_rank_order(library: TemplateLibrary, comment: Comment, first: list[str]) -> None:
    assert ids(library, comment)[: len(first)] == first


def test_a_privacy_risk_is_offered_phi_safe_templates_only(library: TemplateLibrary) -> None:
    comment = tagged("My dad John Reyes was in room 412", "privacy", "question")
    offered = rank(library, comment, TODAY)
    assert offered and all(c.template.phi_safe for c in offered)
    unsafe = {t.id for t in library if not t.phi_safe}
    assert unsafe and not unsafe & {c.template.id for c in offered}


def test_lapsed_templates_are_never_offered(library: TemplateLibrary) -> None:
    later = date(2027, 4, 5)  # the crisis templates' approvals lapse on this day
    comment = tagged("I can't do this anymore", "crisis")
    assert ids(library, comment, date(2027, 4, 4))[:1] == ["crisis-988"]
    offered = rank(library, comment, later)
    assert all(not c.template.lapsed(later) for c in offered)
    assert not [c for c in offered if "crisis" in c.template.tags]
    with pytest.raises(TemplateError, match="its approval lapsed on 2027-04-05"):
        check_reply(comment, library.get("crisis-988"), "text", later, config=CONFIG)


def test_a_privacy_risk_refuses_a_template_that_is_not_phi_safe(library: TemplateLibrary) -> None:
    comment = tagged("Thanks to the nurses who looked after my dad in room 412", "privacy")
    template = library.get("thanks-kind-words")
    with pytest.raises(TemplateError) as refused:
        check_reply(comment, template, render(template, comment, CONFIG), TODAY, config=CONFIG)
    assert str(refused.value) == (
        "template 'thanks-kind-words' cannot answer comment c1: the comment is a privacy "
        "risk and the template is not PHI-safe (its wording could confirm a patient "
        "relationship); pick a PHI-safe template"
    )
    safe = library.get("privacy-move-private")
    verdict = check_reply(comment, safe, render(safe, comment, CONFIG), TODAY, config=CONFIG)
    assert verdict.approved and verdict.privacy_risk


def test_check_reply_tells_template_from_edited_from_free_text(library: TemplateLibrary) -> None:
    comment = myth("flu-shot-gives-flu", author="Rob Keller")
    template = library.get("myth-vaccines")
    text = render(template, comment, CONFIG)
    as_is = check_reply(comment, template, text + "\n", TODAY, config=CONFIG)
    assert (as_is.approved, as_is.needs_approval, as_is.template_id) == (True, False,
                                                                        "myth-vaccines")
    assert as_is.reason == "template 'myth-vaccines' as approved, placeholders filled"
    light = check_reply(comment, template, text.replace("always welcome", "welcome"), TODAY,
                        config=CONFIG)
    assert light.approved and light.expected == text
    assert light.reason.startswith("template 'myth-vaccines' lightly edited (2% of its words")
    words = text.split()
    rewritten = " ".join(words[: len(words) * 3 // 4]) + " Honestly, ask us anything at all."
    edited = check_reply(comment, template, rewritten, TODAY, config=CONFIG)
    assert edited.needs_approval and edited.expected == text
    assert edited.reason.startswith("template 'myth-vaccines' edited beyond 20% of its words")
    assert "treated as free text" in edited.reason
    strict = replace(CONFIG, replies=replace(CONFIG.replies, max_edit_share=0.0))
    renamed = check_reply(comment, template, text.replace("Rob Keller", "{org_name}"), TODAY,
                          config=strict)
    assert renamed.needs_approval
    free = check_reply(comment, None, "Thanks, we hear you.", TODAY, config=CONFIG)
    assert free.needs_approval and free.template_id is None
    assert free.reason == "free text: an approver must approve it before it is sent"


@pytest.mark.parametrize(("template_id", "platform", "text", "message"), [
    (None, "facebook", "  \n", "the reply is empty"),
    (None, "x", "word " * 60, "the reply is 299 characters and x allows 280: shorten it"),
    ("myth-vaccines", "x", "short", "it is not approved for x"),
])
def test_check_reply_refusals(library: TemplateLibrary, template_id: str | None, platform: str,
                              text: str, message: str) -> None:
    comment = myth("flu-shot-gives-flu", platform=platform)
    template = library.get(template_id) if template_id else None
    with pytest.raises(TemplateError, match=message):
        check_reply(comment, template, text, TODAY, config=CONFIG)


@pytest.mark.parametrize(("text", "language"), [
    ("¿A qué hora abre la clínica?", "es"),
    ("La vacuna te da la gripe", "es"),
    ("Necesito una cita para mi hijo", "es"),
    ("When does the clinic open?", "en"),
    ("Me too", None),
    ("No", None),
    ("Gracias", None),
    ("The flu shot gives you the flu, es verdad", "en"),
])
def test_language_guess(text: str, language: str | None) -> None:
    assert guess_language(text) == language


@pytest.mark.parametrize(("text", "platform", "length"), [
    ("see https://www.fda.gov/safety/medwatch-fda-safety-information-and-adverse-event", "x",
     4 + 23),
    ("see https://www.cdc.gov/flu.", "mastodon", 4 + 23 + 1),
    ("see https://www.cdc.gov/flu", "bluesky", 27),
    ("héllo 日本", "x", 6 + 4),
    ("héllo 日本", "facebook", 8),
    ("@dana@health.social we open at 9", "mastodon", 5 + 13),  # a remote mention: @dana
    ("@dana we open at 9", "mastodon", 5 + 13),
    ("mail dana@health.social", "mastodon", 23),  # an e-mail address is no mention
    ("@dana@health.social we open at 9", "x", 32),
])
def test_reply_length_counts_as_the_platform_does(text: str, platform: str, length: int) -> None:
    assert reply_length(text, platform) == length


def _answering(platform: str, handle: str, *, parent: str | None = None) -> Comment:
    comment = make_comment("c1", "When do you open?", platform=platform, parent_id=parent)
    return replace(comment, author=Author(id="9", name="Dana", handle=handle))


@pytest.mark.parametrize(("platform", "handle", "parent", "text", "prefix"), [
    ("mastodon", "@dana@health.social", None, "We open at 9.", "@dana@health.social "),
    ("mastodon", "dana", None, "We open at 9.", "@dana "),
    ("mastodon", "@dana", None, "@dana we open at 9.", ""),  # named already: nothing added
    ("youtube", "@dana", "c0", "We open at 9.", "@dana "),  # a reply to a reply
    ("youtube", "@dana", None, "We open at 9.", ""),  # a top-level comment
    ("youtube", "@dana", "c0", "@dana we open at 9.", ""),
    ("facebook", "dana", "c0", "We open at 9.", ""),
    ("x", "@dana", "c0", "We open at 9.", ""),
    ("tiktok", "@dana", None, "We open at 9.", ""),  # no connector: as it is
])
def test_the_length_counts_what_the_platform_will_post(
        platform: str, handle: str, parent: str | None, text: str, prefix: str) -> None:
    comment = _answering(platform, handle, parent=parent)
    length, limit, added = reply_size(comment, text)
    assert added == prefix
    assert (length, limit) == (reply_length(prefix + text, platform), limit_for(platform))
    assert check_reply(comment, None, text, TODAY, config=CONFIG).length == length


@pytest.mark.parametrize(("platform", "handle", "parent", "fits", "message"), [
    ("mastodon", "@dana", None, 494, "the reply is 501 characters with the @dana put in front "
                                     "of it and mastodon allows 500: shorten it"),
    # Mastodon counts a remote mention as its local part: "@dana " is 6 characters.
    ("mastodon", "@dana@health.social", None, 494,
     "the reply is 501 characters with the @dana@health.social put in front of it"),
    ("youtube", "@dana", "c0", 9994, "the reply is 10001 characters with the @dana put in front"),
])
def test_a_reply_that_fits_only_without_the_mention_is_refused(
        platform: str, handle: str, parent: str | None, fits: int, message: str) -> None:
    comment = _answering(platform, handle, parent=parent)
    assert check_reply(comment, None, "a" * fits, TODAY, config=CONFIG).length == (
        limit_for(platform))
    with pytest.raises(TemplateError, match=message):
        check_reply(comment, None, "a" * (fits + 1), TODAY, config=CONFIG)
