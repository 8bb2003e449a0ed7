"""The index answers queries exactly as a full scan would, and stays in step with actions."""

from __future__ import annotations

import pytest

from tests.factories import NOW
from tests.unit.test_query import COMMENTS, select
from triage.desk import Desk
from triage.query import parse_query
from triage.store import Store

QUERIES = [
    "", "tag:crisis", "tag:crisis,privacy", "-tag:crisis tag:privacy,crisis",
    "platform:instagram,x", "status:new -tag:abuse", "assignee:none tag:question",
    "assignee:me", '"flu shot"', "-flu status:new", "age:<6m", "author:priya",
    "-status:new", "tag:question -platform:facebook",
]


@pytest.mark.parametrize("text", QUERIES)
def test_index_selects_what_a_scan_selects(store: Store, text: str) -> None:
    query = parse_query(text)
    by_index = sorted(c.id for c in store.index.select(query, store.comments, now=NOW,
                                                       user="ana"))
    assert by_index == select(text)
    assert store.index.count(query, store.comments, now=NOW, user="ana") == len(by_index)
    assert len(COMMENTS) == len(store)


def test_index_follows_actions_and_undo(store: Store) -> None:
    desk = Desk(store, "ana")
    dismissed = parse_query("status:dismissed")
    desk.dismiss(["c-myth", "c-plain"])
    assert store.index.count(dismissed, store.comments, now=NOW, user="ana") == 2
    desk.assign(["c-myth"], "ana")
    assert [c.id for c in store.index.select(parse_query("assignee:me"), store.comments,
                                              now=NOW, user="ana")] == ["c-myth"]
    desk.undo()
    desk.undo()
    assert store.index.count(dismissed, store.comments, now=NOW, user="ana") == 0
