"""Near-copies in the queue list: a group shown as one row with its count, opened with z.

:class:`GroupedRows` turns a view's comments into the rows the list shows: the members of
a group of near-copies (``triage.groups``) that the view holds become one row, the group's
first in the view's order, with a "×23" badge; ``z`` opens the group (its members follow
that row, the badge says "×23 ▾") and closes it again; ``Z`` shows every comment on its
own row. On a closed group's row the queue's keys act on every member in the view.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

from rich.console import Group as Lines
from rich.console import RenderableType
from rich.text import Text

from triage.groups import Grouper
from triage.model import Comment
from triage.textsafe import counted, one_line
from triage.timefmt import ago
from tui.queue_list import PLATFORM_LABELS

__all__ = ["MEMBERS_SHOWN", "GroupedRows"]

#: The detail pane lists at most this many members of a group (then "… and 12 more").
MEMBERS_SHOWN = 40


def _by_count(counts: Counter[str]) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


class GroupedRows:
    """Which rows of the queue stand for a group, and which groups are open."""

    def __init__(self) -> None:
        #: False: every comment on its own row (``Z``).
        self.enabled = True
        #: Keys of the groups opened with ``z``.
        self.expanded: set[str] = set()
        self._key: dict[str, str] = {}
        self._members: dict[str, list[str]] = {}

    def rows(self, comments: Sequence[Comment], grouper: Grouper) -> list[Comment]:
        """The rows for ``comments`` (in the view's order): each group once, at its first
        member, followed by the others when it is open."""
        self._key = {}
        self._members = {}
        if not self.enabled:
            return list(comments)
        keys = [grouper.key_of(comment.id) for comment in comments]
        members: dict[str, list[Comment]] = {}
        for comment, key in zip(comments, keys, strict=True):
            if key is not None:
                members.setdefault(key, []).append(comment)
        out: list[Comment] = []
        for comment, key in zip(comments, keys, strict=True):
            found = members.get(key) if key is not None else None
            if key is None or found is None or len(found) < 2:
                out.append(comment)
                continue
            if found[0].id != comment.id:
                continue
            ids = [c.id for c in found]
            self._members[key] = ids
            for member in ids:
                self._key[member] = key
            out.extend(found if key in self.expanded else found[:1])
        self.expanded &= set(self._members)
        return out

    def key_of(self, comment_id: str) -> str | None:
        """The group the row of ``comment_id`` belongs to in the list (None: alone)."""
        return self._key.get(comment_id)

    def members(self, comment_id: str) -> list[str]:
        """The ids of the group of ``comment_id`` shown in the view (empty: alone)."""
        key = self._key.get(comment_id)
        return list(self._members[key]) if key is not None else []

    def closed_group(self, comment_id: str) -> list[str]:
        """The members a key acts on when ``comment_id``'s row is a closed group's row."""
        key = self._key.get(comment_id)
        if key is None or key in self.expanded or self._members[key][0] != comment_id:
            return []
        return list(self._members[key])

    def badge(self, comment: Comment) -> str:
        """What the row shows before the text: "×23" for a group, "×23 ▾" when open."""
        key = self._key.get(comment.id)
        if key is None or self._members[key][0] != comment.id:
            return "  ↳" if key is not None else ""
        return f"×{len(self._members[key])}{' ▾' if key in self.expanded else ''}"

    def toggle(self, comment_id: str) -> bool:
        """Open or close the group of ``comment_id``; False when it is in none."""
        key = self._key.get(comment_id)
        if key is None:
            return False
        self.expanded ^= {key}
        return True

    def row_for(self, comment_id: str) -> str:
        """The id of the row showing ``comment_id``: its group's row while the group is
        closed, else its own."""
        key = self._key.get(comment_id)
        if key is None or key in self.expanded:
            return comment_id
        return self._members[key][0]

    def detail(self, comment_id: str, comments: Mapping[str, Comment],
               shown: Callable[[Comment], Comment], now: datetime) -> RenderableType | None:
        """The group's part of the detail pane: how many, where, since when, and each
        member (platform, account, author, age, status and the start of its text)."""
        ids = self.members(comment_id)
        if not ids:
            return None
        found = [comments[i] for i in ids if i in comments]
        platforms = Counter(PLATFORM_LABELS.get(c.platform, c.platform) for c in found)
        first = min(c.created_at for c in found)
        last = max(c.created_at for c in found)
        posts = len({c.post_id or c.id for c in found})
        key = self._key[comment_id]
        opened = key in self.expanded
        head = Text(f"Near-copies: {counted(len(found), 'comment')} on "
                    f"{counted(len(platforms), 'platform')} "
                    f"({', '.join(f'{name} {n}' for name, n in _by_count(platforms))}), "
                    f"under {counted(posts, 'post')}; first {ago(first, now)}, "
                    f"last {ago(last, now)}", style="bold")
        hint = ("z closes the group; each row acts on its own comment" if opened else
                "r answers, x h a t act on all of them (one u undoes); z lists them")
        lines: list[RenderableType] = [head, Text(hint, style="dim")]
        for comment in found[:MEMBERS_SHOWN]:
            seen = shown(comment)
            row = Text("  ")
            row.append(f"{PLATFORM_LABELS.get(comment.platform, comment.platform):<9} ")
            row.append(f"{one_line(comment.account, 16):<16} ", style="dim")
            row.append(f"{one_line(comment.author.name, 18):<18} ")
            row.append(f"{ago(comment.created_at, now):<10} ", style="dim")
            row.append(f"{comment.status:<9} ")
            row.append(one_line(seen.text, 60))
            lines.append(row)
        if len(found) > MEMBERS_SHOWN:
            lines.append(Text(f"  … and {len(found) - MEMBERS_SHOWN} more", style="dim"))
        lines.append(Text(""))
        return Lines(*lines)
