"""Adverse-event intake in the domain: pre-filled criteria, the clock, the refusals, the view."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from tests.factories import NOW, make_comment
from triage.ae import (
    complete_intake,
    intake_of,
    mark_not_ae,
    open_intake_ids,
    prefill,
    save_intake,
)
from triage.config import Config, parse_config
from triage.desk import Desk
from triage.errors import ActionRefused, ConfigError
from triage.journal import verify
from triage.legal.retention import retention_candidates
from triage.store import Store
from triage.tagger import Tagger
from triage.views import queue_states, views_from_config

CONFIG = """
[org]
name = "Riverside Health"

[pharmacovigilance]
deadline_days = 15
products = [
  { name = "Ozempic", generic = "semaglutide" },
  { name = "Glucophage", generic = "metformin" },
  { name = "Shingrix", generic = "zoster vaccine recombinant", aliases = ["shingles shot"] },
]

[[team]]
name = "ben"
roles = ["agent"]

[[team]]
name = "pat"
roles = ["pharmacovigilance"]
"""

_TAGGER = Tagger()


def tagged(cid: str, text: str, **kwargs: object) -> object:
    return make_comment(cid, text, tags=_TAGGER.tag(text), **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def config() -> Config:
    return parse_config(CONFIG)


@pytest.fixture
def moment() -> list:
    return [NOW]


@pytest.fixture
def ae_store(tmp_path: Path, moment: list) -> Iterator[Store]:
    with Store(tmp_path / "data", clock=lambda: moment[0]) as store:
        store.ingest([
            tagged("c-ae", "My son (7) had a seizure the night after his Shingrix shot"),
            tagged("c-ae2", "Since I started metformin I have had terrible diarrhea"),
            tagged("c-q", "What time does the flu clinic open on Saturday?"),
        ], user="test")
        yield store


@pytest.mark.parametrize(("text", "patient", "product", "event"), [
    ("My son (7) had a seizure the night after his Shingrix shot",
     "the commenter's son, 7 years old", "Shingrix (zoster vaccine recombinant)", "seizure"),
    ("Since I started metformin 500mg I have had terrible diarrhea and dizziness",
     "the commenter (self-report)", "Glucophage (metformin)", "diarrhea"),
    ("Three days into Ozempic and I cannot stop throwing up",
     "the commenter (self-report)", "Ozempic (semaglutide)", "throwing up"),
    ("My mom took Lipitor and now has muscle pain",  # not in the product list
     "the commenter's mom", "Lipitor", "muscle pain"),
    ("my son had a seizure the night after his flu shot",
     "the commenter's son", "flu shot", "seizure"),
    ("A mi hijo le salió un sarpullido dos días después de la vacuna",
     "the commenter's son", "vacuna", "sarpullido"),
])
def test_the_four_criteria_are_prefilled_from_the_evidence(
        config: Config, text: str, patient: str, product: str, event: str) -> None:
    comment = make_comment("c", text, author="Dana Whitfield", tags=_TAGGER.tag(text))
    assert comment.tag("adverse_event") is not None
    values = prefill(comment, config.pharmacovigilance.products)
    assert values == {"patient": patient, "product": product, "event": event,
                      "reporter": "Dana Whitfield on facebook, account riverside-fb"}


def test_deadline_days_out_of_range_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"\[pharmacovigilance\] deadline_days: must be "
                                          r"between 1 and 365"):
        parse_config("[pharmacovigilance]\ndeadline_days = 0\n")
    with pytest.raises(ConfigError, match="pharmacovigilance.*unknown key|brand"):
        parse_config('[pharmacovigilance]\nproducts = [{ name = "X", brand = "Y" }]\n')


def test_the_clock_runs_from_first_sight_and_late_is_past_the_due_day(
        ae_store: Store, config: Config) -> None:
    intake = intake_of(ae_store, config, ae_store.get("c-ae"))
    assert intake is not None and intake.open and not intake.saved
    assert intake.opened_at == NOW and intake.due == (NOW + timedelta(days=15)).date()
    assert intake.clock_label(NOW) == "AE 15d left"
    assert intake.clock_label(NOW + timedelta(days=12)) == "AE 3d left"
    assert intake.clock_label(NOW + timedelta(days=15)) == "AE due today"
    assert not intake.late(NOW + timedelta(days=15))
    assert intake.clock_label(NOW + timedelta(days=17)) == "AE 2d late"
    assert intake.late(NOW + timedelta(days=17)) and intake.day(NOW + timedelta(days=17)) == 17
    states = queue_states(ae_store, config, NOW + timedelta(days=16))
    assert set(states(ae_store.get("c-ae"))) == {"ae:open", "ae:late"}
    assert set(states(ae_store.get("c-q"))) == set()


def test_the_ae_intake_view_counts_open_and_late_ones(ae_store: Store, config: Config,
                                                      moment: list) -> None:
    view = next(v for v in views_from_config(config) if v.name == "AE intake")
    assert view.query.source == "ae:open"

    def count(query_view: object, now: object) -> int:
        return ae_store.index.count(query_view.query, ae_store.comments, now=now,  # type: ignore[attr-defined]
                                    user="ben", legal=queue_states(ae_store, config, now))  # type: ignore[arg-type]

    assert count(view, NOW) == 2
    later = NOW + timedelta(days=20)
    from triage.query import parse_query
    from triage.views import View

    late = View("late", parse_query("ae:late"), "oldest")
    assert count(late, NOW) == 0 and count(late, later) == 2
    for name in ("patient", "reporter", "product", "event"):
        save_intake(ae_store, config, "ben", "c-ae", {}, {name: True})
    complete_intake(ae_store, config, "pat", "c-ae")
    mark_not_ae(ae_store, config, "pat", "c-ae2", "the diarrhoea was from a stomach bug")
    assert count(view, NOW) == 0 and count(late, later) == 0
    done = View("done", parse_query("ae:done"), "oldest")
    assert count(done, NOW) == 2


def test_dismiss_hide_and_delete_are_refused_until_the_intake_is_settled(
        ae_store: Store, config: Config) -> None:
    desk = Desk(ae_store, "ben")
    with pytest.raises(ActionRefused) as refused:
        desk.dismiss(["c-ae"])
    assert str(refused.value).startswith(
        "cannot dismiss: c-ae is an adverse event whose intake is open — pharmacovigilance "
        "must complete it, or mark it not an AE with a reason, first")
    with pytest.raises(ActionRefused, match="cannot change the status of: c-ae is an adverse"):
        desk.set_status(["c-ae"], "hidden")
    done = desk.dismiss(["c-ae", "c-ae2", "c-q"])  # a batch leaves the open intakes out
    assert [a.comment_id for a in done] == ["c-q"]
    assert desk.intake_open_among(["c-ae", "c-ae2", "c-q"]) == 2
    assert ae_store.get("c-ae").status == "new"
    # an agent may fill and confirm, but not settle the intake
    save_intake(ae_store, config, "ben", "c-ae", {"product": "Shingrix"}, {"product": True})
    with pytest.raises(ActionRefused, match="only the pharmacovigilance role can mark"):
        mark_not_ae(ae_store, config, "ben", "c-ae", "not one")
    with pytest.raises(ActionRefused, match="a reason is required"):
        mark_not_ae(ae_store, config, "pat", "c-ae", "   ")
    with pytest.raises(ActionRefused, match="Identifiable patient, Identifiable reporter, "
                                            "Adverse event still to fill in and confirm"):
        complete_intake(ae_store, config, "pat", "c-ae")
    mark_not_ae(ae_store, config, "pat", "c-ae", "a question about the vaccine, no harm")
    assert desk.dismiss(["c-ae"])[0].after == {"status": "dismissed"}
    with pytest.raises(ActionRefused, match="marked not an AE already"):
        save_intake(ae_store, config, "ben", "c-ae", {"event": "x"}, {})


def test_an_intake_survives_a_restart_in_the_hash_chain(tmp_path: Path, config: Config) -> None:
    data = tmp_path / "data"
    with Store(data, clock=lambda: NOW) as store:
        store.ingest([tagged("c-ae", "Since I started metformin I have had terrible diarrhea")],
                     user="test")
        save_intake(store, config, "ben", "c-ae", {"patient": "Ana R., 54"},
                    {"patient": True, "product": True})
    with Store(data, clock=lambda: NOW) as store:
        intake = intake_of(store, config, store.get("c-ae"))
        assert intake is not None and intake.saved and intake.updated_by == "ben"
        assert intake.criteria["patient"].value == "Ana R., 54"
        assert intake.criteria["product"].value == "Glucophage (metformin)"
        assert [c.confirmed for c in intake.criteria.values()] == [True, False, True, False]
        assert "c-ae" in open_intake_ids(store)
    result = verify(data / "journal.jsonl")
    assert result.ok
    kinds = [line for line in (data / "journal.jsonl").read_text().splitlines()
             if '"kind":"ae_intake"' in line]
    assert len(kinds) == 1


def test_retention_keeps_the_text_of_an_open_intake(ae_store: Store, config: Config) -> None:

    Desk(ae_store, "ben").set_status(["c-ae", "c-q"], "replied")
    due, kept = retention_candidates(ae_store, 1, NOW + timedelta(days=3))
    assert due == ["c-q"] and kept == ["c-ae"]


def test_the_tag_stays_on_while_the_intake_is_open(ae_store: Store, config: Config) -> None:
    desk = Desk(ae_store, "ben")
    with pytest.raises(ActionRefused, match="cannot take the adverse-event tag off c-ae: its "
                                            "intake is open — pharmacovigilance marks it"):
        desk.correct_tag(["c-ae"], "adverse_event", add=False)
    assert desk.correct_tag(["c-ae", "c-ae2"], "adverse_event", add=False) == []
    mark_not_ae(ae_store, config, "pat", "c-ae", "a story about a friend, years ago")
    (action,) = desk.correct_tag(["c-ae"], "adverse_event", add=False)
    assert action.data["op"] == "remove" and ae_store.get("c-ae").tag("adverse_event") is None
