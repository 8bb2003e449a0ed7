"""What the Facebook and Instagram connectors share: Graph errors, usage headers, paging values."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import orjson
import pytest

from triage.config import AccountConfig
from triage.connectors.facebook import FacebookConnector
from triage.connectors.graph import GraphRefusal
from triage.connectors.graph_wire import (
    due,
    next_params,
    read_entries,
    read_follow,
    read_retry,
    snapshot,
    usage_pause,
)
from triage.errors import AuthError, BadPayload, RateLimited, Unavailable

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
TOKEN = "EAAB-page-token-secret"


def buc(**entry: Any) -> str:
    return orjson.dumps({"104": [{"type": "pages", **entry}]}).decode()


@pytest.mark.parametrize(("headers", "pause"), [
    ({}, None),
    ({"X-App-Usage": '{"call_count":28,"total_time":25,"total_cputime":25}'}, None),
    ({"X-App-Usage": '{"call_count":95,"total_time":3,"total_cputime":3}'},
     timedelta(minutes=10)),
    ({"X-Page-Usage": '{"call_count":1,"total_time":99,"total_cputime":3}'},
     timedelta(minutes=10)),
    ({"X-Business-Use-Case-Usage": buc(call_count=96, estimated_time_to_regain_access=0)},
     timedelta(minutes=10)),
    ({"X-Business-Use-Case-Usage": buc(call_count=100, estimated_time_to_regain_access=7),
      "X-App-Usage": '{"call_count":100}'}, timedelta(minutes=7)),
    ({"X-Business-Use-Case-Usage": buc(call_count=40, estimated_time_to_regain_access="3")},
     timedelta(minutes=3)),
    ({"X-Business-Use-Case-Usage": buc(estimated_time_to_regain_access=10**9)},
     timedelta(days=1)),
    ({"X-App-Usage": "not json"}, None),
    ({"X-App-Usage": '{"call_count":"NaN"}'}, None),
    ({"X-App-Usage": "[95]", "X-Business-Use-Case-Usage": '{"104": "full"}'}, None),
    ({"X-Business-Use-Case-Usage": buc(call_count=True, total_time=-100)}, None),
])
def test_usage_headers_say_when_to_pause(headers: dict[str, str],
                                         pause: timedelta | None) -> None:
    until = usage_pause(httpx.Headers(headers), NOW)

    assert until == (None if pause is None else NOW + pause)


@pytest.fixture
async def page() -> AsyncIterator[FacebookConnector]:
    account = AccountConfig(name="riverside-fb", platform="facebook", token_env="FB_TOKEN",
                            page_id="104")
    async with httpx.AsyncClient() as client:
        yield FacebookConnector(account, TOKEN, client)


def answer(status: int, error: dict[str, Any], **headers: str) -> httpx.Response:
    request = httpx.Request("GET", "https://graph.facebook.com/v19.0/104/feed",
                            headers={"Authorization": f"Bearer {TOKEN}"})
    return httpx.Response(status, json={"error": error}, headers=headers, request=request)


@pytest.mark.parametrize(("status", "error", "kind", "message"), [
    (400, {"message": "(#4) Application request limit reached", "code": 4}, RateLimited,
     "riverside-fb: facebook rate limit (code 4)"),
    (403, {"message": "(#80001) Too many calls", "code": 80001}, RateLimited,
     "riverside-fb: facebook rate limit (code 80001)"),
    (400, {"message": f"Error validating access token {TOKEN}: Session has expired",
           "type": "OAuthException", "code": 190, "error_subcode": 463}, AuthError,
     "riverside-fb: facebook refused the token in FB_TOKEN: it has expired (Error validating "
     "access token [token]: Session has expired (code 190, subcode 463))"),
    (400, {"message": "Invalid OAuth access token", "code": "190"}, AuthError,
     "riverside-fb: facebook refused the token in FB_TOKEN: it is invalid or was revoked "
     "(Invalid OAuth access token (code 190))"),
    (403, {"message": "(#200) Permissions error", "code": 200}, AuthError,
     "riverside-fb: facebook does not allow this with the token in FB_TOKEN (a permission is "
     "missing: (#200) Permissions error (code 200))"),
    (400, {"message": "An unknown error occurred", "code": 1}, Unavailable,
     "riverside-fb: facebook is unavailable (400: An unknown error occurred (code 1)) for "
     "GET /v19.0/104/feed"),
    (400, {"message": "Please retry", "code": 100, "is_transient": True}, Unavailable,
     "riverside-fb: facebook is unavailable (400: Please retry (code 100)) for "
     "GET /v19.0/104/feed"),
    (400, {"message": "(#100) Tried accessing nonexisting field (x)", "code": 100},
     GraphRefusal, "riverside-fb: facebook refused GET /v19.0/104/feed (400: (#100) Tried "
     "accessing nonexisting field (x) (code 100))"),
])
async def test_graph_errors_are_read_by_their_code(
    page: FacebookConnector, status: int, error: dict[str, Any], kind: type[Exception],
    message: str
) -> None:
    found = page.classify(answer(status, error), NOW)

    assert type(found) is kind and str(found) == message


@pytest.mark.parametrize(("status", "error"), [
    (429, {"message": "slow down", "code": 100}),  # Retry-After and the pause rules decide
    (500, {"message": "An unknown error has occurred.", "code": 1}),
    (401, {"message": "who are you", "code": 100}),
    (200, {"message": "fine", "code": 100}),
])
async def test_what_the_generic_rules_read_right_is_left_to_them(
    page: FacebookConnector, status: int, error: dict[str, Any]
) -> None:
    assert page.classify(answer(status, error), NOW) is None


async def test_a_throttle_without_usage_headers_pauses_five_minutes_and_with_them_longer(
    page: FacebookConnector
) -> None:
    bare = page.classify(answer(400, {"code": 613}), NOW)
    told = page.classify(answer(400, {"code": 32}, **{
        "X-Business-Use-Case-Usage": buc(call_count=100, estimated_time_to_regain_access=42)}),
        NOW)

    assert isinstance(bare, RateLimited) and bare.until == NOW + timedelta(minutes=5)
    assert isinstance(told, RateLimited) and told.until == NOW + timedelta(minutes=42)


@pytest.mark.parametrize(("error", "gone"), [
    ({"message": "Object with ID '1_2' does not exist", "code": 100, "error_subcode": 33}, True),
    ({"message": "(#803) Some of the aliases you requested do not exist", "code": 803}, True),
    ({"message": "(#100) This comment cannot be hidden", "code": 100}, False),
])
async def test_a_missing_object_is_told_from_other_refusals(
    page: FacebookConnector, error: dict[str, Any], gone: bool
) -> None:
    found = page.classify(answer(400, error), NOW)

    assert isinstance(found, GraphRefusal) and found.gone is gone


NEXT = "https://graph.facebook.com/v19.0/104/feed"


@pytest.mark.parametrize(("paging", "follow"), [
    (None, None),
    ({"cursors": {"before": "QVFI", "after": "QVFJ"}}, None),  # no next: the last page
    ({"next": f"{NEXT}?access_token=T&fields=id&limit=25&after=QVFJ"}, {"after": "QVFJ"}),
    ({"cursors": {"after": "QVFK"}, "next": f"{NEXT}?limit=25"}, {"after": "QVFK"}),
    ({"next": f"{NEXT}?limit=25&until=1700000000&__paging_token=enc_Ab"},
     {"until": "1700000000", "__paging_token": "enc_Ab"}),
    ({"next": f"{NEXT}?offset=50&fields=message"}, {"offset": "50"}),
    ({"next": ""}, None),
])
def test_only_the_paging_values_are_taken_from_next(
    paging: Any, follow: dict[str, str] | None
) -> None:
    assert next_params(paging) == follow


def test_a_next_link_without_any_cursor_is_a_broken_answer() -> None:
    with pytest.raises(BadPayload, match="with a next page but no cursor to reach it"):
        next_params({"next": f"{NEXT}?limit=25&fields=id"}, "fb: facebook answered GET /feed")


@pytest.mark.parametrize(("cursor", "entries"), [
    (None, {}),
    ({"since_id": "5"}, {}),
    ({"v": 2, "posts": {"1": {}}}, {}),
    ({"v": 1, "posts": ["1_2"]}, {}),
    ({"v": 1, "posts": {"1_2": {"t": 5}, "1_3": "x", "bad\n": {}}}, {"1_2": {"t": 5}}),
])
def test_stored_cursors_are_read_defensively(cursor: Any, entries: dict[str, Any]) -> None:
    assert read_entries(cursor, "posts") == entries


@pytest.mark.parametrize(("value", "follow"), [
    ({"after": "QVFJ"}, {"after": "QVFJ"}),
    ({"after": "QVFJ", "access_token": "stolen"}, None),  # only paging values are sent again
    ({"fields": "id"}, None),
    ({"after": 5}, None),
    ("QVFJ", None),
])
def test_paging_values_read_back_from_a_cursor(value: Any, follow: Any) -> None:
    assert read_follow(value) == follow


def test_comments_waiting_to_be_read_again_travel_with_their_post() -> None:
    cursor = snapshot({"1": {"n": 3, "at": 10}}, {"1": {"1_5": 1}, "2": {"2_7": 2}})

    assert cursor == {"v": 1, "posts": {"1": {"n": 3, "at": 10, "retry": {"1_5": 1}},
                                        "2": {"retry": {"2_7": 2}}}}
    assert read_retry({"1_5": 1, "1_6": 0, "1_7": "2", 8: 1}) == {"1_5": 1}


@pytest.mark.parametrize(("entry", "count", "now", "read"), [
    (None, 3, 1000, True),  # never read
    ({"n": 3, "at": 900}, 3, 1000, False),  # nothing moved
    ({"n": 3, "at": 900}, 4, 1000, True),  # a comment came (or went)
    ({"n": 3, "at": 900}, None, 1000, True),  # no count given
    ({"n": 3, "at": 900}, 3, 900 + 3600, True),  # not read for an hour
    ({"n": 3, "at": 900, "walk": {"n": 3}}, 3, 1000, True),  # a read was interrupted
    ({"t": 5}, 3, 1000, True),
])
def test_which_posts_are_read_again(entry: Any, count: int | None, now: int,
                                    read: bool) -> None:
    assert due(entry, count, now) is read
