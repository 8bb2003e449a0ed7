"""YouTube videos as the posts comments sit under: ``GET /videos?part=snippet&id=…``.

One call names up to ``MAX_IDS`` videos and costs one quota unit. A video becomes a
:class:`~triage.model.Post`: its text is the title, a blank line and the description
(cut to ``POST_TEXT`` characters at a word), its time ``snippet.publishedAt``, its
permalink the watch page. A video YouTube does not return (deleted, private) simply has
no post. A call that fails is reported as a problem and the comments go on without their
video: the details are wanted for the reader, never at the price of the comments. The
videos not read are named in ``Videos.unread`` (the connector asks again next sync), and a
rate limit or refused token in ``Videos.halt`` (every later call would fail the same way).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from triage.connectors.payload import ItemError, id_field, obj_field, text_field, time_field
from triage.errors import AuthError, ConnectorError, RateLimited
from triage.model import Post

__all__ = ["MAX_IDS", "POST_TEXT", "VIDEOS", "Videos", "post_text", "read_videos", "watch_url"]

VIDEOS = "/videos"
#: Video ids one call may name (YouTube's limit).
MAX_IDS = 50
#: The longest post text kept (a description may run to 5,000 characters).
POST_TEXT = 1000

#: ``get(path, params)`` → ``(body, response)``: the connector's counted GET.
Get = Callable[[str, dict[str, str]], Awaitable[tuple[Any, Any]]]


@dataclass(slots=True)
class Videos:
    """What asking for videos gave: posts, problems, the ids not read, what stopped it."""

    posts: list[Post] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    unread: list[str] = field(default_factory=list)
    halt: RateLimited | AuthError | None = None


def watch_url(video: str) -> str:
    """The watch page of a video."""
    return f"https://www.youtube.com/watch?v={quote(video, safe='')}"


def post_text(title: str, description: str) -> str:
    """Title, blank line, description; cut at a word to at most ``POST_TEXT`` characters."""
    title, description = title.strip(), description.strip()
    text = f"{title}\n\n{description}" if title and description else title or description
    if len(text) <= POST_TEXT:
        return text
    cut = text[:POST_TEXT - 1]
    space = max(cut.rfind(" "), cut.rfind("\n"))
    if space > POST_TEXT // 2:
        cut = cut[:space]
    return cut.rstrip() + "…"


async def read_videos(get: Get, videos: Sequence[str], *, account: str,
                      post_id: Callable[[str], str]) -> Videos:
    """The posts of ``videos`` (platform ids), fetched ``MAX_IDS`` a call."""
    found = Videos()
    chunks = [list(videos[i:i + MAX_IDS]) for i in range(0, len(videos), MAX_IDS)]
    for index, chunk in enumerate(chunks):
        try:
            body, _ = await get(VIDEOS, {"part": "snippet", "id": ",".join(chunk)})
        except (RateLimited, AuthError) as exc:
            rest = [v for c in chunks[index:] for v in c]
            found.problems.append(_unread(account, rest, exc))
            found.unread.extend(rest)
            found.halt = exc
            break
        except ConnectorError as exc:
            found.problems.append(_unread(account, chunk, exc))
            found.unread.extend(chunk)
            continue
        items = body.get("items") if isinstance(body, dict) else None
        if not isinstance(items, list):
            found.problems.append(f"{account}: youtube answered GET {VIDEOS} with items that "
                                  f"are not a list; {_some(chunk)} stay without their details")
            found.unread.extend(chunk)
            continue
        for number, item in enumerate(items):
            label = f"{number + 1} of {len(items)}"
            try:
                doc = item if isinstance(item, dict) else {}
                label = id_field(doc, "id")
                found.posts.append(_post(doc, account, post_id))
            except ItemError as exc:  # asked for again, it would be as broken
                found.problems.append(f"{account}: skipped youtube video {label}: {exc}")
    return found


def _post(doc: dict[str, Any], account: str, post_id: Callable[[str], str]) -> Post:
    native = id_field(doc, "id")
    snippet = obj_field(doc, "snippet")
    return Post(id=post_id(native), platform="youtube", account=account,
                text=post_text(text_field(snippet, "title", required=True),
                               text_field(snippet, "description")),
                created_at=time_field(snippet, "publishedAt"), permalink=watch_url(native))


def _unread(account: str, videos: list[str], exc: ConnectorError) -> str:
    detail = exc.message.removeprefix(f"{account}: ")
    return (f"{account}: the details of {_some(videos)} could not be read, so their "
            f"comments are kept without them ({detail})")


def _some(videos: list[str]) -> str:
    if len(videos) == 1:
        return f"youtube video {videos[0]}"
    named = ", ".join(videos[:3]) + (f" and {len(videos) - 3} more" if len(videos) > 3 else "")
    return f"{len(videos)} youtube videos ({named})"
