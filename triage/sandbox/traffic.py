"""Weeks of sandbox traffic for replaying the spike alerts: the generator's comments spread
over the days as people write them (quiet at night, busy in the evening, some days busier
than others), tagged by the tagger, and surges injected on top.

Deterministic for the seed: every choice comes from one ``random.Random(seed)``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from random import Random

from triage.model import Comment, Tag
from triage.sandbox.generator import generate

__all__ = ["HOURLY_SHAPE", "Traffic"]

#: The share of a day's comments written in each hour (UTC stands for local time here):
#: few at night, a morning rise, most in the evening.
HOURLY_SHAPE: tuple[float, ...] = (
    0.6, 0.4, 0.3, 0.2, 0.2, 0.3, 0.6, 1.0, 1.3, 1.4, 1.4, 1.5,
    1.6, 1.5, 1.4, 1.4, 1.5, 1.7, 1.9, 2.0, 1.9, 1.6, 1.2, 0.9,
)
#: How much busier or quieter one day is than another (the spread of a log-normal).
DAY_SPREAD = 0.3
#: Weekends are a little quieter.
WEEKEND = 0.8


def _poisson(rng: Random, mean: float) -> int:
    """A Poisson draw (Knuth's method; the means here are small)."""
    if mean <= 0:
        return 0
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


class Traffic:
    """Comments from a pool of generated, tagged sandbox comments, placed in time.

    ``tagger`` turns a text into its tags (``Tagger()``), applied once per pool comment.
    """

    def __init__(self, tagger: Callable[[str], tuple[Tag, ...]], *, seed: int = 7,
                 pool_size: int = 2000, now: datetime | None = None) -> None:
        self.rng = Random(seed)
        made = generate(pool_size, seed, now=now or datetime(2026, 1, 1, tzinfo=UTC))
        self.pool = [replace(c, tags=tagger(c.text)) for c in made.comments]
        self.posts = sorted({c.post_id for c in self.pool if c.post_id})
        self._serial = 0

    def _copy(self, comment: Comment, at: datetime, post_id: str | None = None) -> Comment:
        self._serial += 1
        return replace(comment, id=f"{comment.platform}:replay-{self._serial}",
                       native_id=f"replay-{self._serial}", created_at=at, captured_at=at,
                       post_id=post_id or comment.post_id, parent_id=None)

    def steady(self, start: datetime, days: int, per_day: float) -> list[Comment]:
        """``days`` days of ordinary traffic from ``start``, about ``per_day`` a day.

        Each day has its own level (busier or quieter), and the level moves from one
        day's to the next's through the hours, as a busy day builds and fades.
        """
        total = sum(HOURLY_SHAPE)
        levels = [per_day * math.exp(self.rng.gauss(0.0, DAY_SPREAD) - DAY_SPREAD ** 2 / 2)
                  * (WEEKEND if (start + timedelta(days=d)).weekday() >= 5 else 1.0)
                  for d in range(days + 1)]
        comments: list[Comment] = []
        for hour in range(days * 24):
            day, into = divmod(hour, 24)
            level = levels[day] + (levels[day + 1] - levels[day]) * into / 24
            at = start + timedelta(hours=hour)
            for _ in range(_poisson(self.rng, level * HOURLY_SHAPE[into] / total)):
                offset = timedelta(seconds=self.rng.uniform(0, 3600))
                comments.append(self._copy(self.rng.choice(self.pool), at + offset))
        return comments

    def surge(self, which: Callable[[Comment], bool], start: datetime, hours: float,
              per_hour: float, *, spread: bool = True) -> list[Comment]:
        """A surge of pool comments for which ``which`` holds, from ``start`` for
        ``hours``, about ``per_hour`` an hour; ``spread`` leaves them under many posts
        (a myth pasted from post to post)."""
        chosen: Sequence[Comment] = [c for c in self.pool if which(c)]
        if not chosen:
            raise ValueError("no comment in the pool fits the surge")
        comments: list[Comment] = []
        end = start + timedelta(hours=hours)
        at = start
        while True:
            at += timedelta(hours=self.rng.expovariate(per_hour))
            if at >= end:
                return comments
            post = self.rng.choice(self.posts) if spread and self.posts else None
            comments.append(self._copy(self.rng.choice(chosen), at, post))
