"""The queue's legal duties: masked identifiers, retention at start, deliveries retried."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

from rich.console import Console
from textual.app import App
from textual.widgets import Static

from tests.factories import FLU_POST, NOW, make_comment, sample_comments
from tests.legal.conftest import Webhook, free_port
from tests.tui.conftest import make_app, row_text, selected_id
from triage.config import Config, parse_config
from triage.desk import Desk
from triage.legal import all_escalations, deliveries_of, escalate
from triage.store import Store
from tui.app import TriageApp
from tui.legal_duties import _unless_cancelled
from tui.legal_screen import LegalScreen
from tui.queue_list import QueueList

TEAM = """
[org]
name = "Riverside Health"

[[team]]
name = "ana"
roles = ["agent", "legal"]
"""


def shown(widget: Static) -> str:
    console = Console(width=118, record=True, color_system=None)
    console.print(widget.content)
    return console.export_text()


def messages(app: App[None]) -> list[str]:
    return [n.message for n in app._notifications]


def detail(app: TriageApp) -> str:
    return shown(app.query_one("#detail-body", Static))


def row_of(app: TriageApp, comment_id: str) -> str:
    index = app.query_one(QueueList).index_of(comment_id)
    assert index is not None
    return row_text(app, index + 1)


async def test_identifiers_are_masked_in_the_list_and_detail_until_revealed(
    queue_store: Store,
) -> None:
    team = parse_config('[[team]]\nname = "ana"\nroles = ["agent"]\n'
                        '[[team]]\nname = "lee"\nroles = ["legal"]\n')
    app = make_app(queue_store, team, user="ana")
    async with app.run_test(size=(160, 40)) as pilot:
        app.query_one(QueueList).move_to_id("c-privacy")
        await pilot.pause()
        await pilot.press("v")  # ana is an agent: only legal reveals, as on the command line
        assert any("only the legal role can reveal the identifiers of a comment (ana has the "
                   "role agent; ask lee)" in message for message in messages(app))
        assert "555-201" not in detail(app)
        assert "Identifiers are masked; only the legal role reveals them." in detail(app)
        assert next(queue_store.journal.read_backwards())["kind"] == "capture"

    app = make_app(queue_store, team, user="lee")
    async with app.run_test(size=(160, 40)) as pilot:
        assert "•••-•••-8834" in row_of(app, "c-privacy")
        assert "555-201" not in row_of(app, "c-privacy")
        await pilot.press("v")  # the crisis comment: nothing to reveal, nothing journaled
        assert next(queue_store.journal.read_backwards())["kind"] == "capture"
        await pilot.press("j", "j", "j", "j")
        assert selected_id(app) == "c-privacy"
        text = detail(app)
        assert "•••-•••-8834" in text and "555-201" not in text  # body and tag evidence
        assert "Identifiers are masked — v reveals them (journaled)." in text

        await pilot.press("v")
        assert "555-201-8834" in detail(app) and "555-201-8834" in row_of(app, "c-privacy")
        assert "Identifiers are masked" not in detail(app)
        entry = next(queue_store.journal.read_backwards())
        assert (entry["kind"], entry["user"], entry["comment_id"], entry["data"]["where"]) == (
            "reveal", "lee", "c-privacy", "queue")
        seq = entry["seq"]

        await pilot.press("v")  # masks it again; hiding is not an event
        assert "555-201" not in detail(app) and "555-201" not in row_of(app, "c-privacy")
        assert next(queue_store.journal.read_backwards())["seq"] == seq


async def test_a_held_comment_says_so_in_the_detail(queue_store: Store) -> None:
    escalate(queue_store, parse_config(TEAM), "ana", "c-privacy", "privacy_breach")
    app = make_app(queue_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()  # the queue screen is composed
        app.query_one(QueueList).move_to_id("c-privacy")
        await pilot.pause()
        assert ("On legal hold (esc-0001: privacy_breach): reply, hide and delete are "
                "refused until legal releases it.") in detail(app)
        assert "escalated" in row_of(app, "c-privacy")


def _aged_store(path: Path) -> None:
    """Two 45-day-old closed comments, one of them held; the store is closed again."""
    old = 60 * 24 * 45
    with Store(path, clock=lambda: NOW - timedelta(days=40)) as store:  # closed 40 days ago
        store.ingest([*sample_comments(),
                      make_comment("old-spam", "buy pills call 555-000-1111", minutes_ago=old),
                      make_comment("old-threat", "I will sue Dr Reyes", minutes_ago=old)],
                     [FLU_POST], user="sync")
        Desk(store, "ben").dismiss(["old-spam"])
        escalate(store, parse_config(TEAM), "ben", "old-threat", "legal_threat")
        store.record([{"user": "ben", "kind": "status", "comment_id": "old-threat",
                       "before": {"status": "escalated"}, "after": {"status": "dismissed"}}])


async def test_retention_runs_once_the_whole_queue_is_loaded(tmp_path: Path) -> None:
    _aged_store(tmp_path / "data")
    config = parse_config(TEAM + "\n[retention]\ndays = 30\n")
    with Store(tmp_path / "data", clock=lambda: NOW, defer_load=True) as store:
        app = make_app(store, config=config)
        async with app.run_test(size=(120, 40)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert store.loaded
            assert store.get("old-spam").text == ""
            assert store.get("old-threat").text == "I will sue Dr Reyes"  # held: never
            assert any("Retention: purged the text of 1 closed comment older than 30 days; "
                       "kept 1 on legal hold" in m for m in messages(app))
            purge = next(store.journal.read_backwards())
            assert (purge["kind"], purge["user"], purge["comment_id"]) == (
                "purge", "ana", "old-spam")


async def test_no_retention_without_days(tmp_path: Path) -> None:
    _aged_store(tmp_path / "data")
    with Store(tmp_path / "data", clock=lambda: NOW) as store:
        async with make_app(store, config=parse_config(TEAM)).run_test() as pilot:
            await pilot.pause()
            assert store.get("old-spam").text.startswith("buy pills")


def _hook_config(hook: Webhook) -> Config:
    return parse_config(TEAM + f'\n[escalation]\nwebhook_url = "{hook.url}"\n')


async def test_deliveries_are_retried_in_the_background_and_land_once(
    queue_store: Store,
) -> None:
    hook = Webhook(free_port())  # nothing listens yet
    app = TriageApp(store=queue_store, config=_hook_config(hook), user="ana",
                    clock=lambda: NOW, show_clock=False, view="All")
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()  # the queue screen is composed
            app.query_one(QueueList).move_to_id("c-privacy")
            await pilot.press("e", *"phone posted", "enter")
            await app.workers.wait_for_complete()
            await pilot.pause()
            (esc,) = all_escalations(queue_store)
            (delivery,) = deliveries_of(queue_store, esc.id)
            assert (delivery.status, delivery.attempts) == ("pending", 1)
            assert any("esc-0001 not delivered yet — webhook: cannot reach 127.0.0.1" in m
                       for m in messages(app))
            assert app.legal.deliver_due() is False  # the backoff holds the retry back

            hook.start()
            await pilot.press("L")
            legal = app.screen
            assert isinstance(legal, LegalScreen)
            assert "pending delivery" in shown(legal.query_one("#legal-detail-body", Static))
            await pilot.press("d")  # now, whatever the backoff says
            await app.workers.wait_for_complete()
            await pilot.pause()
            (delivery,) = deliveries_of(queue_store, esc.id)
            assert (delivery.status, delivery.attempts) == ("delivered", 2)
            assert len(hook.accepted) == 1 and hook.accepted[0]["json"]["escalation"]["id"] == (
                "esc-0001")
            assert "esc-0001 delivered to legal by webhook" in messages(app)
            body = shown(legal.query_one("#legal-detail-body", Static))
            assert "webhook: delivered, 2 attempt(s)" in body and "pending" not in body

            await pilot.press("d")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert messages(app)[-1] == "Nothing is pending delivery."
            assert len(hook.received) == 1
    finally:
        hook.stop()


async def test_deliver_now_without_channels_says_so(queue_store: Store) -> None:
    escalate(queue_store, parse_config(TEAM), "ana", "c-crisis", "other")
    async with make_app(queue_store, config=parse_config(TEAM)).run_test() as pilot:
        await pilot.press("L", "d")
        assert messages(pilot.app)[-1] == (
            "No [escalation] channel in config.toml: nothing to deliver to.")


async def test_a_pending_delivery_is_sent_when_the_app_starts(queue_store: Store) -> None:
    hook = Webhook(free_port())
    hook.start()
    try:
        escalate(queue_store, _hook_config(hook), "ana", "c-crisis", "legal_threat",
                 now=queue_store.clock() - timedelta(minutes=5))
        app = TriageApp(store=queue_store, config=_hook_config(hook), user="ana",
                        clock=lambda: NOW, show_clock=False)
        async with app.run_test() as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert [d.status for d in deliveries_of(queue_store)] == ["delivered"]
            assert len(hook.accepted) == 1
    finally:
        hook.stop()


async def test_legal_keys_can_be_remapped(queue_store: Store) -> None:
    config = parse_config(TEAM + '\n[keymap]\n"legal.release" = "R"\n"queue.reveal" = "V"\n')
    async with make_app(queue_store, config=config).run_test() as pilot:
        await pilot.pause()
        assert not any("no binding" in m for m in messages(pilot.app))


async def test_a_held_comment_cannot_be_dismissed_from_the_queue(queue_store: Store) -> None:
    escalate(queue_store, parse_config(TEAM), "ben", "c-privacy", "privacy_breach")
    app = make_app(queue_store)
    async with app.run_test(size=(120, 40)) as pilot:
        queue = app.query_one(QueueList)
        queue.move_to_id("c-privacy")
        await pilot.press("x")
        assert queue_store.get("c-privacy").status == "escalated"
        assert messages(app)[-1].startswith(
            "cannot dismiss: the comment is on legal hold (privacy_breach, escalated by ben)")
        queue.move_to_id("c-myth")
        await pilot.press("space")
        queue.move_to_id("c-privacy")
        await pilot.press("space", "x")
        assert queue_store.get("c-privacy").status == "escalated"
        assert queue_store.get("c-myth").status == "dismissed"
        assert "1 marked comment is on legal hold and stays as it is" in messages(app)


class _Worker:
    def __init__(self, cancelled: bool) -> None:
        self.is_cancelled = cancelled


def test_a_quitting_app_stops_waiting_for_a_slow_endpoint() -> None:
    endpoint = threading.Event()  # an endpoint that has not answered (yet)

    def send() -> str:
        endpoint.wait()
        return "sent"

    quitting: Any = _Worker(cancelled=True)
    assert _unless_cancelled(quitting, send) is None  # gives up waiting
    endpoint.set()
    staying: Any = _Worker(cancelled=False)
    assert _unless_cancelled(staying, send) == "sent"
