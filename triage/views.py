"""Saved views, priority order and SLA clocks: how the queue is cut and sorted."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from triage.config import Config, ViewConfig
from triage.legal.decisions import legal_states
from triage.model import Comment
from triage.query import LegalStates, Query, parse_duration, parse_query
from triage.service import RecordSource
from triage.store import Store

__all__ = [
    "DEFAULT_VIEWS",
    "Sla",
    "View",
    "opening_view",
    "priority_key",
    "queue_states",
    "sort_comments",
    "views_from_config",
]

DEFAULT_VIEWS: tuple[ViewConfig, ...] = (
    ViewConfig("Crisis", "tag:crisis status:new", "priority"),
    ViewConfig("Needs reply", "status:new -tag:abuse -is:noise", "priority"),
    ViewConfig("Privacy", "tag:privacy -status:dismissed", "priority"),
    ViewConfig("Myths", "tag:misinformation -status:dismissed", "priority"),
    # Adverse events whose intake is still to complete, the nearest deadline first.
    ViewConfig("AE intake", "ae:open", "oldest"),
    ViewConfig("Legal", "legal:open", "oldest"),
    ViewConfig("Mine", "assignee:me", "priority"),
    ViewConfig("All", "", "newest"),
)

#: A comment is waiting for the team while it has this status.
OPEN = "new"


@dataclass(frozen=True, slots=True)
class View:
    """A named query with its sort, ready to match comments."""

    name: str
    query: Query
    sort: str

    def select(self, comments: Iterable[Comment], *, now: datetime, user: str,
               sla: Sla, priority: Sequence[str],
               legal: LegalStates | None = None) -> list[Comment]:
        match = self.query.matcher(now=now, user=user, legal=legal)
        return sort_comments([c for c in comments if match(c)], self.sort, now=now, sla=sla,
                             priority=priority)

    def select_indexed(self, store: Store, *, narrow: Query | None = None, now: datetime,
                       user: str, sla: Sla, priority: Sequence[str],
                       states: LegalStates | None = None) -> list[Comment]:
        """The view's comments from the store's index, narrowed by a search, sorted;
        ``states`` answers ``legal:`` and ``ae:`` (default: :func:`queue_states` with the
        default deadline)."""
        query = self.query if narrow is None else Query(self.query.terms + narrow.terms)
        comments = store.comments
        if query.legal and states is None:
            states = queue_states(store, Config(), now)
        ids = store.index.select_ids(query, comments, now=now, user=user,
                                     legal=states if query.legal else None)
        if self.sort == "newest":
            # Filter the kept newest-first order rather than sort the selection.
            order = store.index.newest_first()
            if ids is None:
                return [comments[i] for i in order]
            wanted = ids if isinstance(ids, set) else set(ids)
            if len(wanted) < 2048:
                return sort_comments([comments[i] for i in wanted], self.sort, now=now,
                                     sla=sla, priority=priority)
            return [comments[i] for i in order if i in wanted]
        chosen = list(comments.values()) if ids is None else [comments[i] for i in ids]
        return sort_comments(chosen, self.sort, now=now, sla=sla, priority=priority)


def queue_states(store: RecordSource, config: Config, now: datetime) -> LegalStates:
    """What ``legal:`` and ``ae:`` match of each comment: its legal states and the state
    of its adverse-event intake (``ae:open``, ``ae:late``, …), read from the store once."""
    from triage.ae.intake import ae_states

    legal, ae = legal_states(store), ae_states(store, config, now)

    def states(comment: Comment) -> Collection[str]:
        found = ae(comment)
        return found if not (words := legal(comment)) else {*words, *found}

    return states


def views_from_config(config: Config) -> list[View]:
    """The configured views (the defaults when none), with Crisis always first."""
    configured = list(config.views) or list(DEFAULT_VIEWS)
    crisis = [v for v in configured if v.name.casefold() == "crisis"] or [DEFAULT_VIEWS[0]]
    ordered = crisis[:1] + [v for v in configured if v.name.casefold() != "crisis"]
    return [View(v.name, parse_query(v.query), v.sort) for v in ordered]


def opening_view(views: Sequence[View], open_crises: int, chosen: str | None = None) -> int:
    """The view a desk opens on: ``chosen`` when it names one; else the Crisis view
    while any crisis is open (it is always first), else Needs reply (else the first
    view after Crisis), so an open crisis is never off screen at the start."""
    names = [view.name.casefold() for view in views]
    if chosen is not None and chosen.casefold() in names:
        return names.index(chosen.casefold())
    if open_crises or len(views) < 2:
        return 0
    return names.index("needs reply") if "needs reply" in names else 1


class Sla:
    """Per-tag response targets: how long the team has to answer a comment."""

    def __init__(self, targets: dict[str, str]) -> None:
        self.targets: dict[str, timedelta] = {
            tag: parse_duration(value) for tag, value in targets.items()
        }
        self._deadlines: dict[str, tuple[object, datetime | None]] = {}

    def deadline(self, comment: Comment) -> datetime | None:
        """When a response is due: the tightest target among its tags; None if no target."""
        spans = [self.targets[t.name] for t in comment.tags if t.name in self.targets]
        if not spans:
            return None
        return comment.created_at + min(spans)

    def time_left(self, comment: Comment, now: datetime) -> timedelta | None:
        """Time left to respond to an open comment (negative once breached); None if none."""
        if comment.status != OPEN:
            return None
        deadline = self.deadline(comment)
        return None if deadline is None else deadline - now

    def breached(self, comment: Comment, now: datetime) -> bool:
        left = self.time_left(comment, now)
        return left is not None and left < timedelta(0)

    def late_ids(self, store: Store, now: datetime) -> set[str]:
        """Ids of the open comments past their target (deadlines cached per tag set)."""
        late = set()
        cache = self._deadlines
        comments = store.comments
        for comment_id in store.index.ids("status", OPEN):
            comment = comments[comment_id]
            cached = cache.get(comment_id)
            if cached is None or cached[0] is not comment.tags:
                cached = (comment.tags, self.deadline(comment))
                cache[comment_id] = cached
            if cached[1] is not None and cached[1] < now:
                late.add(comment_id)
        return late


def priority_key(priority: Sequence[str]) -> Callable[[Comment], tuple[int, int, float]]:
    """Open comments first, by their most urgent tag, then the longest-waiting first."""
    rank = {tag: index for index, tag in enumerate(priority)}
    last = len(priority)

    def key(comment: Comment) -> tuple[int, int, float]:
        best = min((rank.get(t.name, last) for t in comment.tags), default=last)
        is_open = 0 if comment.status == OPEN else 1
        age_order = comment.created_at.timestamp()
        return (is_open, best, age_order if is_open == 0 else -age_order)

    return key


def sort_comments(comments: list[Comment], sort: str, *, now: datetime, sla: Sla,
                  priority: Sequence[str]) -> list[Comment]:
    """Sort in place by ``sort`` (priority, newest, oldest, sla) and return the list."""
    if sort == "newest":
        comments.sort(key=lambda c: (c.created_at, c.id), reverse=True)
    elif sort == "oldest":
        comments.sort(key=lambda c: (c.created_at, c.id))
    elif sort == "sla":
        far = timedelta(days=3650)
        comments.sort(key=lambda c: (sla.time_left(c, now) or far, c.id))
    else:
        comments.sort(key=priority_key(priority))
    return comments
