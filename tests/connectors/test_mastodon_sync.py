"""Syncing Mastodon accounts from mastodon-mock over HTTP: paging, cursors, faults."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.connectors.conftest import RELAXED, Masto, RequestLog, account, sync
from triage.model import utcnow
from triage.store import Store
from triage.sync_sink import cursor_key

NOTIFICATIONS = "/api/v1/notifications"


def test_paging_walks_every_page_and_sends_the_filters_again(masto: Masto, store: Store) -> None:
    post = masto.post("alice", "Free flu shots this Saturday, 9 to 3.")
    masto.mentions(post, 12)
    masto.post("bob", "no mention here")
    log = RequestLog()

    [result] = sync([account("riverside", masto.base_url)], store, log=log, page_size=5,
                    policy=RELAXED)

    assert result.summary() == "riverside: 12 new, 0 updated, 0 errors"
    pages = log.to(NOTIFICATIONS)
    assert len(pages) >= 3
    for request in pages:  # the mock's Link drops types[]: we add it back on every page
        assert request.url.params.get_list("types[]") == ["mention"]
        assert request.url.params["limit"] == "5"
    assert [r.url.params.get("max_id") is None for r in pages] == [True] + [False] * (
        len(pages) - 1)
    texts = sorted(c.text for c in store)
    assert texts == sorted(f"@alice comment {i}?" for i in range(12))


def test_comments_are_placed_under_the_post_and_their_parent(masto: Masto, store: Store) -> None:
    post = masto.post("alice", "Free flu shots this Saturday.")
    first = masto.post("carol", "@alice is it free for kids?", reply_to=post["id"])
    deeper = masto.post("bob", "@carol @alice yes, I took mine", reply_to=first["id"])
    aside = masto.post("carol", "@alice hello from nowhere")

    sync([account("riverside", masto.base_url)], store)

    post_id = f"mastodon:riverside:{post['id']}"
    top = store.get(f"mastodon:riverside:{first['id']}")
    reply = store.get(f"mastodon:riverside:{deeper['id']}")
    lone = store.get(f"mastodon:riverside:{aside['id']}")
    assert (top.post_id, top.parent_id, top.native_id) == (post_id, None, first["id"])
    assert (reply.post_id, reply.parent_id) == (post_id, top.id)
    assert (lone.post_id, lone.parent_id) == (None, None)
    assert store.posts[post_id].text == "Free flu shots this Saturday."
    assert top.author.name == "Carol" and top.author.handle == "@carol"
    assert top.permalink.startswith("https://") and top.created_at.tzinfo is not None
    assert top.tag_names == ("question",)  # tagged as it arrived
    assert reply.tag_names == ()


def test_a_reply_to_a_stored_comment_finds_its_post_without_asking(
    masto: Masto, store: Store
) -> None:
    post = masto.post("alice", "Clinic hours change on Monday.")
    first = masto.post("carol", "@alice which clinic?", reply_to=post["id"])
    sync([account("riverside", masto.base_url)], store)
    later = masto.post("bob", "@carol @alice the one on River Road", reply_to=first["id"])
    log = RequestLog()

    sync([account("riverside", masto.base_url)], store, log=log)

    stored = store.get(f"mastodon:riverside:{later['id']}")
    assert stored.post_id == f"mastodon:riverside:{post['id']}"
    assert not [r for r in log.requests if r.url.path.endswith("/context")]


def test_incremental_sync_fetches_only_what_is_new_and_never_duplicates(
    masto: Masto, store: Store
) -> None:
    post = masto.post("alice", "Vaccines for the new school year.")
    masto.mentions(post, 4)
    riverside = account("riverside", masto.base_url)
    assert sync([riverside], store)[0].new == 4
    masto.mentions(post, 3, start=4)
    log = RequestLog()

    [again] = sync([riverside], store, log=log)

    assert (again.new, again.updated) == (3, 0)
    assert all(r.url.params.get("since_id") for r in log.to(NOTIFICATIONS))
    assert sync([riverside], store)[0].summary() == "riverside: 0 new, 0 updated, 0 errors"
    store.set_state(cursor_key("riverside"), {})  # a lost cursor: everything comes again
    [full] = sync([riverside], store)
    assert (full.new, full.updated, len(store)) == (0, 0, 7)


def test_a_rate_limit_pauses_one_account_and_it_resumes_later(
    masto: Masto, other_masto: Masto, store: Store
) -> None:
    masto.mentions(masto.post("alice", "Flu clinic today."), 3)
    other_masto.mentions(other_masto.post("alice", "Blood drive Friday."), 2)
    masto.fault(match={"path": NOTIFICATIONS}, effect={"type": "ratelimit"}, count=1)
    limited, fine = account("riverside", masto.base_url), account("eastside", other_masto.base_url)
    now = utcnow()

    first = sync([limited, fine], store, clock=lambda: now)

    assert first[0].status is not None and first[0].status.state == "rate_limited"
    until = first[0].status.until
    assert until is not None and timedelta(seconds=290) < until - now <= timedelta(seconds=310)
    assert first[0].summary(now) == (
        f"riverside: 0 new, 0 updated, 0 errors; rate-limited until "
        f"{until.astimezone().strftime('%H:%M')}")
    assert first[1].summary() == "eastside: 2 new, 0 updated, 0 errors"
    assert not first[0].failed

    log = RequestLog()
    paused = sync([limited], store, clock=lambda: now + timedelta(seconds=60), log=log)
    assert paused[0].status is not None and paused[0].status.state == "rate_limited"
    assert log.requests == []  # nothing is sent while the platform asked us to wait

    resumed = sync([limited], store, clock=lambda: until + timedelta(seconds=1))
    assert resumed[0].summary() == "riverside: 3 new, 0 updated, 0 errors"


def test_remaining_zero_pauses_before_the_next_request(masto: Masto, store: Store) -> None:
    post = masto.post("alice", "Flu clinic today.")
    masto.mentions(post, 1)
    riverside = account("riverside", masto.base_url)
    sync([riverside], store)  # the post is known now: placing needs no request
    masto.mentions(post, 6, start=1)
    first_page = masto.http.get(NOTIFICATIONS, params={"types[]": "mention", "limit": 3},
                                headers={"Authorization": "Bearer alice_token"})
    reset = (utcnow() + timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    # Page 1 as the server sent it, saying that no request is left until the reset.
    masto.fault(match={"path": NOTIFICATIONS}, count=1, effect={
        "type": "status", "status": 200, "body": first_page.json(),
        "headers": {"Link": first_page.headers["Link"], "X-RateLimit-Remaining": "0",
                    "X-RateLimit-Reset": reset}})
    log = RequestLog()

    [result] = sync([riverside], store, page_size=3, log=log)

    assert result.status is not None and result.status.state == "rate_limited"
    assert result.new == 3  # the page that said "0 remaining" is kept, and its cursor
    assert len(log.requests) == 1  # page 2 was not asked for
    assert sync([riverside], store, clock=lambda: utcnow() + timedelta(minutes=11))[0].new == 3


@pytest.mark.parametrize(
    ("effect", "count", "state", "words"),
    [
        ({"type": "status", "status": 503}, 2, "ok", ""),
        ({"type": "status", "status": 503}, None, "error", "is unavailable (503"),
        ({"type": "malformed"}, 1, "ok", ""),
        ({"type": "malformed"}, None, "error", "a body that is not JSON"),
        ({"type": "latency", "delay_ms": 1500}, 1, "ok", ""),
        ({"type": "latency", "delay_ms": 1500}, None, "error", "did not answer"),
        ({"type": "status", "status": 422}, None, "error", "refused GET /api/v1/notifications"),
    ],
)
def test_faults_are_retried_when_safe_and_reported_when_they_last(
    masto: Masto, store: Store, effect: dict[str, object], count: int | None, state: str,
    words: str,
) -> None:
    masto.mentions(masto.post("alice", "Flu clinic today."), 2)
    masto.fault(match={"path": NOTIFICATIONS}, effect=effect, count=count)

    [result] = sync([account("riverside", masto.base_url)], store)

    assert result.status is not None and result.status.state == state
    assert words in result.status.message
    assert result.new == (2 if state == "ok" else 0)
    if state != "ok":
        assert result.failed and result.errors == 1
        assert store.state(cursor_key("riverside")) is None  # the cursor did not move


def test_a_page_that_cannot_be_read_keeps_the_pages_before_it(masto: Masto, store: Store) -> None:
    post = masto.post("alice", "Flu clinic today.")
    masto.mentions(post, 9)
    riverside = account("riverside", masto.base_url)
    # Page 1 answers (a pass-through rule used once); every later page is unreadable.
    masto.fault(match={"path": NOTIFICATIONS}, effect={"type": "latency"}, count=1)
    masto.fault(match={"path": NOTIFICATIONS}, effect={"type": "malformed"}, count=None)

    [broken] = sync([riverside], store, page_size=3)

    assert broken.status is not None and broken.status.state == "error"
    assert broken.new == 3  # page 1 is stored …
    kept = store.state(cursor_key("riverside"))
    assert kept is not None and kept["cursor"].get("max_id")  # … and the walk resumes there
    for rule in masto.http.get("/api/v1/_mock/faults").json():
        masto.http.delete(f"/api/v1/_mock/faults/{rule['id']}")
    log = RequestLog()

    [resumed] = sync([riverside], store, page_size=3, log=log)

    assert resumed.summary() == "riverside: 6 new, 0 updated, 0 errors"
    assert log.to(NOTIFICATIONS)[0].url.params["max_id"] == kept["cursor"]["max_id"]
    assert sorted(c.text for c in store) == sorted(f"@alice comment {i}?" for i in range(9))
    assert store.state(cursor_key("riverside"))["cursor"].keys() == {"since_id"}


def test_a_malformed_item_is_skipped_and_the_good_ones_are_stored(
    masto: Masto, store: Store
) -> None:
    post = masto.post("alice", "Flu clinic today.")
    masto.mentions(post, 3)
    items = masto.get("alice", NOTIFICATIONS, **{"types[]": "mention"})
    broken = [dict(items[0], status={**items[0]["status"], "created_at": "last tuesday"}),
              items[1], "not a notification", dict(items[2], status=None)]
    masto.fault(match={"path": NOTIFICATIONS}, count=1,
                effect={"type": "status", "status": 200, "body": broken})

    [result] = sync([account("riverside", masto.base_url)], store)

    assert (result.new, result.errors) == (1, 3)
    assert result.status is not None and result.status.state == "ok"
    assert [c.native_id for c in store] == [items[1]["status"]["id"]]
    assert any(f"notification {items[0]['id']}: created_at 'last tuesday'" in p
               for p in result.problems)
    assert any("item 3" in p for p in result.problems)
    assert "riverside: 1 new, 0 updated, 3 errors" == result.summary()


def test_an_invalid_token_and_a_missing_variable_name_account_and_variable(
    masto: Masto, store: Store
) -> None:
    masto.mentions(masto.post("alice", "Flu clinic today."), 2)
    refused = account("riverside", masto.base_url, token_env="RIVERSIDE_TOKEN")
    unset = account("eastside", masto.base_url, token_env="EASTSIDE_TOKEN")
    good = account("westside", masto.base_url)
    environ = {"RIVERSIDE_TOKEN": "s3cret-expired", "ALICE_TOKEN": "alice_token"}

    results = sync([refused, unset, good], store, environ=environ)

    messages = {r.account: r.status.message for r in results if r.status}
    assert [r.status.state for r in results if r.status] == ["auth_error", "auth_error", "ok"]
    assert "riverside" in messages["riverside"] and "RIVERSIDE_TOKEN" in messages["riverside"]
    assert "s3cret" not in messages["riverside"]
    assert messages["eastside"] == (
        "eastside: the environment variable EASTSIDE_TOKEN is not set "
        "(it must hold the account's mastodon token)")
    assert results[2].new == 2


def test_a_cursor_is_dropped_when_the_account_points_elsewhere(
    masto: Masto, other_masto: Masto, store: Store
) -> None:
    masto.mentions(masto.post("alice", "One."), 2)
    other_masto.mentions(other_masto.post("alice", "Two."), 2)
    assert sync([account("riverside", masto.base_url)], store)[0].new == 2
    assert sync([account("riverside", other_masto.base_url)], store)[0].new == 2
