"""The Bluesky connector reading from the project's Bluesky stand-in over HTTP on loopback."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.connectors.conftest import RequestLog, standin_account, sync
from triage.config import AccountConfig
from triage.connectors.bluesky import BlueskyConnector
from triage.connectors.bluesky_auth import forget_sessions
from triage.errors import ConfigError
from triage.standins import StandinServer
from triage.store import Store

T0 = datetime(2026, 11, 19, 9, 0, tzinfo=UTC)
X = "/bluesky/xrpc/"
NOTIFICATIONS = X + "app.bsky.notification.listNotifications"


def did_of(server: StandinServer) -> str:
    return next(s for s in server.settings() if s["platform"] == "bluesky")["did"]


def post_uri(server: StandinServer, rkey: str = "3kpost2222222") -> str:
    return f"at://{did_of(server)}/app.bsky.feed.post/{rkey}"


def person(k: int) -> dict[str, Any]:
    return {"author": {"id": f"did:plc:{'pat' + 'bcd'[k % 3]:a<24}", "name": f"Pat {k % 3}",
                       "handle": f"pat{k % 3}.bsky.social"}}


def uri(k: int, rkey: str) -> str:
    return f"at://did:plc:{'pat' + 'bcd'[k % 3]:a<24}/app.bsky.feed.post/{rkey}"


def seed(server: StandinServer, count: int, *, start: int = 0,
         extra: list[dict[str, Any]] | None = None) -> None:
    """The account's post and ``count`` replies to it, a minute apart (rkeys 3kc…{k})."""
    post = post_uri(server)
    posts = [{"platform": "bluesky", "id": post, "text": "Flu shots this weekend",
              "created_at": T0}] if server.world.get("bluesky", post) is None else []
    comments = [{"platform": "bluesky", "post": post, "id": uri(k, f"3kc{k:010d}"),
                 "text": f"Comment {k}?", "created_at": T0 + timedelta(minutes=k + 1),
                 **person(k)} for k in range(start, start + count)]
    server.seed(posts=posts, comments=comments + (extra or []))


@pytest.fixture
def bluesky(standins: StandinServer) -> tuple[AccountConfig, dict[str, str]]:
    forget_sessions()
    return standin_account(standins, "bluesky", token_env="BSKY_APP_PASSWORD")


def test_replies_arrive_under_the_post_with_author_link_and_server_time(
    standins: StandinServer, bluesky: tuple[AccountConfig, dict[str, str]], store: Store
) -> None:
    ours = uri(0, "3kours0000000").replace(f"did:plc:{'patb':a<24}", did_of(standins))
    later = T0 + timedelta(hours=1)
    seed(standins, 7, extra=[
        {"platform": "bluesky", "post": post_uri(standins), "id": ours,
         "parent": uri(0, "3kc0000000000"), "text": "Walk-ins welcome.", "created_at": later,
         "author": {"id": did_of(standins), "name": "Riverside Health",
                    "handle": "riversidehealth.bsky.social"}},
        {"platform": "bluesky", "post": post_uri(standins), "id": uri(1, "3kr1000000000"),
         "parent": ours, "text": "Thanks!", "created_at": later + timedelta(minutes=1),
         **person(1)},
    ])
    account, environ = bluesky
    log = RequestLog()

    [result] = sync([account], store, environ=environ, log=log, page_size=3)

    assert result.summary() == "bluesky: 8 new, 0 updated, 0 errors"
    assert len(log.to(X + "com.atproto.server.createSession")) == 1
    pages = log.to(NOTIFICATIONS)
    assert len(pages) == 3 and pages[0].url.params.get_list("reasons") == ["reply", "mention"]
    assert [p.url.params.get("cursor") for p in pages][0] is None
    assert all(p.headers["Authorization"].startswith("Bearer standin-access-") for p in pages)
    assert len(log.to(X + "app.bsky.feed.getPosts")) == 1  # the post, read once
    comment = store.get(f"bluesky:bluesky:{uri(4, '3kc0000000004')}")
    assert comment.text == "Comment 4?" and comment.created_at == T0 + timedelta(minutes=5)
    assert comment.post_id == f"bluesky:bluesky:{post_uri(standins)}"
    assert comment.parent_id is None
    assert (comment.author.handle, comment.author.name) == ("pat1.bsky.social", "Pat 1")
    assert comment.permalink == "https://bsky.app/profile/pat1.bsky.social/post/3kc0000000004"
    answer = store.get(f"bluesky:bluesky:{uri(1, '3kr1000000000')}")
    assert answer.parent_id == f"bluesky:bluesky:{ours}"  # it answers our reply
    assert f"bluesky:bluesky:{ours}" not in {c.id for c in store}  # the account's own
    post = store.posts[f"bluesky:bluesky:{post_uri(standins)}"]
    assert (post.text, post.created_at) == ("Flu shots this weekend", T0)
    assert post.permalink == ("https://bsky.app/profile/riversidehealth.bsky.social/post/"
                              "3kpost2222222")


def test_a_resync_stops_at_the_newest_notification_seen_and_the_session_is_kept(
    standins: StandinServer, bluesky: tuple[AccountConfig, dict[str, str]], store: Store
) -> None:
    seed(standins, 6)
    account, environ = bluesky
    sync([account], store, environ=environ, page_size=2)
    log = RequestLog()

    [again] = sync([account], store, environ=environ, log=log, page_size=2)
    seed(standins, 1, start=6)
    [third] = sync([account], store, environ=environ, log=log, page_size=2)

    assert again.summary() == "bluesky: 0 new, 0 updated, 0 errors"
    assert third.summary() == "bluesky: 1 new, 0 updated, 0 errors"
    assert len(log.to(NOTIFICATIONS)) == 2  # one page each: the floor is reached at once
    assert log.to(X + "com.atproto.server.createSession") == []  # the kept session
    assert len(store) == 7


def test_an_expired_access_token_is_refreshed_and_the_call_made_again(
    standins: StandinServer, bluesky: tuple[AccountConfig, dict[str, str]], store: Store
) -> None:
    seed(standins, 2)
    account, environ = bluesky
    standins.fault("bluesky", "expired_token", path="/xrpc/app.bsky.notification.*")
    log = RequestLog()

    [result] = sync([account], store, environ=environ, log=log)

    assert result.summary() == "bluesky: 2 new, 0 updated, 0 errors"
    assert [r.url.path.rsplit("/", 1)[-1] for r in log.requests][:4] == [
        "com.atproto.server.createSession", "app.bsky.notification.listNotifications",
        "com.atproto.server.refreshSession", "app.bsky.notification.listNotifications"]
    refresh = log.to(X + "com.atproto.server.refreshSession")[0]
    assert refresh.headers["Authorization"].startswith("Bearer standin-refresh-")


def test_a_wrong_app_password_names_the_handle_and_the_variable(
    standins: StandinServer, bluesky: tuple[AccountConfig, dict[str, str]], store: Store
) -> None:
    account, _ = bluesky

    [result] = sync([account], store, environ={"BSKY_APP_PASSWORD": "wrong-password"})

    assert result.status is not None and result.status.state == "auth_error"
    assert result.status.message == (
        "bluesky: bluesky refused handle riversidehealth.bsky.social with the app password in "
        "BSKY_APP_PASSWORD (401 AuthenticationRequired: Invalid identifier or password)")
    assert "wrong-password" not in result.status.message


def test_a_429_pauses_until_the_ratelimit_reset_it_gives(
    standins: StandinServer, bluesky: tuple[AccountConfig, dict[str, str]], store: Store
) -> None:
    seed(standins, 2)
    account, environ = bluesky
    standins.fault("bluesky", "throttle", path="/xrpc/app.bsky.notification.*",
                   reset_after=600)

    [result] = sync([account], store, environ=environ)

    assert result.status is not None and result.status.state == "rate_limited"
    assert result.status.until is not None
    assert timedelta(seconds=590) < result.status.until - datetime.now(UTC) < timedelta(
        seconds=610)
    assert "bluesky: bluesky rate limit reached; paused until" in result.status.message


def test_xrpc_errors_are_said_with_their_name_and_message(
    standins: StandinServer, bluesky: tuple[AccountConfig, dict[str, str]], store: Store
) -> None:
    account, environ = bluesky
    standins.fault("bluesky", "status", path="/xrpc/app.bsky.notification.*", status=400,
                   message="Error: limit must be 1 to 100")

    [result] = sync([account], store, environ=environ)

    assert result.status is not None and result.status.message == (
        "bluesky: bluesky refused GET /bluesky/xrpc/app.bsky.notification.listNotifications "
        "(400: InvalidRequest: Error: limit must be 1 to 100)")
    standins.fault("bluesky", "status", path="/xrpc/app.bsky.notification.*", status=502,
                   times=5)
    [result] = sync([account], store, environ=environ)
    assert result.status is not None and result.status.state == "error"
    assert "bluesky is unavailable (502: UpstreamFailure: Bad Gateway)" in result.status.message


@pytest.mark.parametrize(("variant", "reason"), [
    ("wrong_type", "text is an object, not text"),
    ("missing_fields", "reason is missing"),
    ("not_object", "the item is not an object"),
])
def test_a_malformed_notification_is_skipped_and_named_the_rest_stored(
    standins: StandinServer, bluesky: tuple[AccountConfig, dict[str, str]], store: Store,
    variant: str, reason: str
) -> None:
    seed(standins, 3)
    account, environ = bluesky
    standins.fault("bluesky", "malformed_item", path="/xrpc/app.bsky.notification.*",
                   variant=variant, index=1)

    [result] = sync([account], store, environ=environ)

    assert result.new == 2 and len(result.problems) == 1
    assert result.problems[0].startswith("bluesky: skipped bluesky notification ")
    assert result.problems[0].endswith(reason)


def test_a_page_that_is_not_json_fails_the_sync_saying_so(
    standins: StandinServer, bluesky: tuple[AccountConfig, dict[str, str]], store: Store
) -> None:
    account, environ = bluesky
    standins.fault("bluesky", "malformed", path="/xrpc/app.bsky.notification.*",
                   variant="wrong_shape")

    [result] = sync([account], store, environ=environ)

    assert result.status is not None and result.status.message == (
        "bluesky: bluesky answered listNotifications with something else (no notifications "
        "list)")


@pytest.mark.parametrize("handle", ["", "@riverside.bsky.social", "not a handle"])
def test_an_account_without_a_handle_is_refused_naming_the_key(handle: str) -> None:
    account = AccountConfig(name="bsky", platform="bluesky", token_env="BSKY", handle=handle)
    with pytest.raises(ConfigError, match="account bsky: handle is needed for bluesky: the "
                       "account's handle, such as name.bsky.social"):
        BlueskyConnector.check_account(account)
