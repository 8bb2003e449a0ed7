"""The adverse-event intake from the keyboard: the form, the clock chip, the refusals, the view."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from textual.widgets import Button, Checkbox, Input, Static

from tests.factories import NOW, make_comment
from tests.tui.conftest import make_app, row_text, selected_id
from tests.tui.test_legal import shown
from tests.unit.test_ae import CONFIG
from triage.ae import find_products, intake_of, stored_intake
from triage.config import Config, parse_config
from triage.sandbox import SandboxPlatforms, connected_platforms, generate
from triage.store import Store
from triage.tagger import Tagger
from tui.ae_form import IntakeForm
from tui.view_bar import ViewBar

AE_TEXT = "My son (7) had a seizure the night after his Shingrix shot"
CRITERIA = ("patient", "reporter", "product", "event")


@pytest.fixture
def ae_queue(tmp_path: Path) -> Iterator[Store]:
    tagger = Tagger()
    with Store(tmp_path / "data", clock=lambda: NOW) as store:
        store.ingest([
            make_comment("c-ae", AE_TEXT, minutes_ago=3, tags=tagger.tag(AE_TEXT)),
            make_comment("c-q", "What time does the flu clinic open?", minutes_ago=9,
                         tags=tagger.tag("What time does the flu clinic open?")),
        ], user="test")
        yield store


def notes(app: object) -> list[str]:
    return [n.message for n in app._notifications]  # type: ignore[attr-defined]


def app_on(store: Store, user: str, now: datetime = NOW) -> object:
    return make_app(store, config=parse_config(CONFIG), user=user, now=now)


async def test_an_agent_confirms_the_prefilled_criteria_but_cannot_complete(
        ae_queue: Store) -> None:
    app = app_on(ae_queue, "ben")
    async with app.run_test(size=(130, 40)) as pilot:  # type: ignore[attr-defined]
        assert selected_id(app) == "c-ae"  # type: ignore[arg-type]
        await pilot.press("i")
        form = app.screen  # type: ignore[attr-defined]
        assert isinstance(form, IntakeForm)
        values = {n: form.query_one(f"#intake-{n}", Input).value for n in CRITERIA}
        assert values == {"patient": "the commenter's son, 7 years old",
                          "reporter": "Dana Whitfield on facebook, account riverside-fb",
                          "product": "Shingrix (zoster vaccine recombinant)",
                          "event": "seizure"}
        assert form.query_one("#intake-complete", Button).disabled
        assert form.query_one("#intake-not-ae", Button).disabled
        for name in CRITERIA:
            form.query_one(f"#intake-{name}-ok", Checkbox).value = True
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, IntakeForm)  # type: ignore[attr-defined]
    intake = stored_intake(ae_queue, "c-ae")
    assert intake is not None and intake.open and intake.confirmed() == 4
    assert "Intake saved" in notes(app)


async def test_pharmacovigilance_completes_the_intake_inside_its_clock(
        ae_queue: Store) -> None:
    app = app_on(ae_queue, "pat", NOW + timedelta(days=3))
    async with app.run_test(size=(130, 40)) as pilot:  # type: ignore[attr-defined]
        detail = shown(app.query_one("#detail").query_one(Static))  # type: ignore[attr-defined]
        assert "AE intake open: day 3 of 15, due 2026-12-05 (12 days left) · 0/4 criteria " \
            "confirmed · i to fill it in" in " ".join(detail.split())
        await pilot.press("i")
        form = app.screen  # type: ignore[attr-defined]
        form.query_one("#intake-product-ok", Checkbox).value = True
        await pilot.click("#intake-complete")
        assert "Not complete: confirm Identifiable patient, Identifiable reporter, Adverse " \
            "event first." in str(form.query_one("#intake-error", Static).content)
        for name in CRITERIA:
            form.query_one(f"#intake-{name}-ok", Checkbox).value = True
        await pilot.pause(0.6)  # a second click at once would count as a double click
        await pilot.click("#intake-complete")
        await pilot.pause()
        assert not isinstance(app.screen, IntakeForm)  # type: ignore[attr-defined]
        await pilot.press("x")  # settled: it may be dismissed now
        await pilot.pause()
    intake = intake_of(ae_queue, parse_config(CONFIG), ae_queue.get("c-ae"))
    assert intake is not None and intake.state == "complete" and intake.closed_by == "pat"
    assert ae_queue.get("c-ae").status == "dismissed"


async def test_not_an_ae_needs_a_reason(ae_queue: Store) -> None:
    app = app_on(ae_queue, "pat")
    async with app.run_test(size=(130, 40)) as pilot:  # type: ignore[attr-defined]
        await pilot.press("i")
        form = app.screen  # type: ignore[attr-defined]
        await pilot.click("#intake-not-ae")
        assert "Not an AE needs a reason" in str(form.query_one("#intake-error", Static).content)
        assert isinstance(app.screen, IntakeForm)  # type: ignore[attr-defined]
        form.query_one("#intake-reason", Input).value = "the seizure was years before the shot"
        await pilot.pause(0.6)  # a second click at once would count as a double click
        await pilot.click("#intake-not-ae")
        await pilot.pause()
    intake = stored_intake(ae_queue, "c-ae")
    assert intake is not None and intake.state == "not_ae"
    assert intake.reason == "the seizure was years before the shot"


async def test_dismiss_hide_and_delete_are_refused_in_the_queue(ae_queue: Store) -> None:
    account = ('[[accounts]]\nname = "riverside-fb"\nplatform = "facebook"\n'
               'token_env = "TRIAGE_TEST_FB_TOKEN"\npage_id = "104"\n')
    app = make_app(ae_queue, config=parse_config(CONFIG + account), user="ben")
    refusal = "c-ae is an adverse event whose intake is open — pharmacovigilance must " \
        "complete it, or mark it not an AE with a reason, first"
    async with app.run_test(size=(130, 40)) as pilot:
        assert selected_id(app) == "c-ae"
        await pilot.press("x")
        await pilot.pause()
        assert any(m.startswith(f"cannot dismiss: {refusal}") for m in notes(app))
        assert app.check_action("delete_comment", ()) is None
        await pilot.press("D")
        await pilot.pause()
        assert any(m.startswith(f"cannot delete: {refusal}") for m in notes(app))
        await pilot.press("h")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert any(m.startswith(f"cannot hide: {refusal}") for m in notes(app))
    assert ae_queue.get("c-ae").status == "new"


async def test_the_chip_counts_down_and_turns_red_when_late(ae_queue: Store) -> None:
    app = app_on(ae_queue, "ben", NOW + timedelta(days=12))
    async with app.run_test(size=(160, 40)):  # type: ignore[attr-defined]
        assert " AE 3d left " in row_text(app, 1)  # type: ignore[arg-type]
    late = app_on(ae_queue, "ben", NOW + timedelta(days=17))
    async with late.run_test(size=(160, 40)):  # type: ignore[attr-defined]
        assert " AE 2d late " in row_text(late, 1)  # type: ignore[arg-type]
        bar = late.query_one(ViewBar)  # type: ignore[attr-defined]
        names = bar._names
        index = names.index("AE intake")
        assert bar._counts[index] == 1 and bar._breaches[index] == 1


async def test_a_newcomer_completes_a_sandbox_intake_in_time_and_exports_it(
        tmp_path: Path) -> None:
    data = generate(300, 7, now=NOW)
    config = SandboxPlatforms(data, connected_platforms()).config(Config(), "pat",
                                                                  practice=True)
    assert [p.name for p in config.pharmacovigilance.products][:2] == ["Shingrix", "Ozempic"]
    pat = config.member("pat")
    assert pat is not None and pat.roles == ["pharmacovigilance"]
    tagger = Tagger(org_phones=list(data.org.phones), org_emails=list(data.org.emails))
    tagged = [replace(c, tags=tagger.tag(c.text), captured_at=NOW) for c in data.comments]
    with Store(tmp_path / "sbx", clock=lambda: NOW + timedelta(days=2)) as store:
        store.ingest(tagged, data.posts, user="sandbox")
        named = [c for c in store.comments.values() if c.tag("adverse_event")
                 and find_products(c.text, config.pharmacovigilance.products)]
        assert named, "the sandbox has adverse events naming a product of its list"
        app = make_app(store, config=config, user="pat", now=NOW + timedelta(days=2),
                       view="AE intake")
        async with app.run_test(size=(160, 44)) as pilot:
            first = selected_id(app)
            assert first is not None and " AE 13d left " in row_text(app, 1)
            await pilot.press("i")
            form = app.screen
            assert isinstance(form, IntakeForm)
            for name in CRITERIA:
                box = form.query_one(f"#intake-{name}", Input)
                if not box.value:
                    box.value = "completed by hand"
                form.query_one(f"#intake-{name}-ok", Checkbox).value = True
            await pilot.click("#intake-complete")
            await pilot.pause()
            await pilot.press("E")
            await pilot.press("enter")  # CSV, the first choice
            await pilot.pause()
        intake = stored_intake(store, first)
        assert intake is not None and intake.state == "complete" and not intake.late(
            NOW + timedelta(days=2))
        (path,) = (tmp_path / "sbx" / "exports").iterdir()
        assert path.suffix == ".csv" and oct(path.stat().st_mode & 0o777) == "0o600"
        rows = path.read_text(encoding="utf-8").splitlines()
        assert rows[0].startswith("comment_id,platform,account") and len(rows) > 1
        assert any(line.startswith(f"{first},") and ",complete," in line for line in rows)
        assert any(f"Exported {len(rows) - 1} intakes (masked) to {path}" in m
                   for m in notes(app))
        kinds = [a.get("kind") for a in store.journal.read_backwards()]
        assert kinds[:2] == ["ae_export", "ae_complete"]
