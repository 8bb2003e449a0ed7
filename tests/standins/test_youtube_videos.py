"""The YouTube stand-in's ``GET /videos``: videos by id, their snippet, errors, faults, quota."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from tests.standins.helpers import POSTS, T0, auth
from triage.standins import StandinServer

VIDEO = POSTS["youtube"]


def videos(server: StandinServer, client: httpx.Client, **params: Any) -> httpx.Response:
    return client.get(server.base_url("youtube") + "/videos", params=params,
                      headers=auth(server, "youtube"))


def reason(response: httpx.Response) -> tuple[int, str]:
    error = response.json()["error"]
    return error["code"], error["errors"][0]["reason"]


def test_videos_by_id_come_in_the_order_asked_and_missing_ones_are_left_out(
    server: StandinServer, client: httpx.Client
) -> None:
    server.seed(posts=[{"platform": "youtube", "id": "vidTitled01", "title": "Flu shots",
                        "text": "Saturday 9 to 3.\nAll ages.",
                        "created_at": T0 + timedelta(days=1)}])

    response = videos(server, client, part="snippet", id=f"vidTitled01,nope, {VIDEO}")

    assert response.status_code == 200
    body = response.json()
    assert body["kind"] == "youtube#videoListResponse" and "nextPageToken" not in body
    assert body["pageInfo"] == {"totalResults": 2, "resultsPerPage": 2}
    titled, seeded = body["items"]
    assert (titled["kind"], titled["id"], seeded["id"]) == ("youtube#video", "vidTitled01",
                                                            VIDEO)
    snippet = titled["snippet"]
    channel = server.world.account("youtube").id
    assert (snippet["title"], snippet["description"], snippet["publishedAt"],
            snippet["channelId"]) == ("Flu shots", "Saturday 9 to 3.\nAll ages.",
                                      "2026-11-20T09:00:00Z", channel)
    assert snippet["localized"] == {"title": "Flu shots",
                                    "description": "Saturday 9 to 3.\nAll ages."}
    # Seeded without a title: the first line of its text is the title.
    assert (seeded["snippet"]["title"], seeded["snippet"]["description"]) == (
        "Free flu shots on Saturday.", "")


def test_part_id_leaves_the_snippet_out(server: StandinServer, client: httpx.Client) -> None:
    [item] = videos(server, client, part="id", id=VIDEO).json()["items"]
    assert item.keys() == {"kind", "etag", "id"}


def test_a_video_of_another_account_is_missing(server: StandinServer,
                                               client: httpx.Client) -> None:
    server.seed(posts=[{"platform": "youtube", "id": "vidOther001", "account": "eastside",
                        "text": "Elsewhere", "created_at": T0}])

    assert videos(server, client, part="snippet", id="vidOther001").json()["items"] == []


@pytest.mark.parametrize(("params", "expected"), [
    ({"id": VIDEO}, (400, "required")),
    ({"part": "snippet,player", "id": VIDEO}, (400, "unknownPart")),
    ({"part": "snippet"}, (400, "missingRequiredParameter")),
    ({"part": "snippet", "id": VIDEO, "chart": "mostPopular"}, (400, "incompatibleParameters")),
    ({"part": "snippet", "chart": "mostPopular"}, (400, "invalidFilters")),
    ({"part": "snippet", "id": ",".join(f"v{n}" for n in range(51))},
     (400, "invalidParameter")),
])
def test_bad_requests_are_refused_with_youtube_reasons(
    server: StandinServer, client: httpx.Client, params: dict[str, str],
    expected: tuple[int, str],
) -> None:
    assert reason(videos(server, client, **params)) == expected


def test_fifty_ids_are_allowed(server: StandinServer, client: httpx.Client) -> None:
    ids = [VIDEO] + [f"v{n}" for n in range(49)]
    assert [i["id"] for i in videos(server, client, part="id", id=",".join(ids)).json()[
        "items"]] == [VIDEO]


def test_a_call_costs_one_quota_unit_and_faults_apply(server: StandinServer,
                                                      client: httpx.Client) -> None:
    server.rate_limit("youtube", 2, window=60)
    assert videos(server, client, part="snippet", id=VIDEO).status_code == 200
    assert videos(server, client, part="snippet", id=VIDEO).status_code == 200
    assert reason(videos(server, client, part="snippet", id=VIDEO)) == (403, "quotaExceeded")
    server.rate_limit("youtube", None)

    server.fault("youtube", "status", path="/videos", status=503)
    assert reason(videos(server, client, part="snippet", id=VIDEO)) == (503, "backendError")
    server.fault("youtube", "malformed_item", path="/videos", variant="missing_fields")
    [broken] = videos(server, client, part="snippet", id=VIDEO).json()["items"]
    assert broken["id"] == VIDEO and "publishedAt" not in broken["snippet"]
    assert server.fault_log()[-1]["item_id"] == VIDEO
