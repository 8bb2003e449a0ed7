"""Times: reading a time from outside into aware UTC, and saying one the way a person does."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from dateutil import parser as dateparser

from triage.errors import BadTime
from triage.model import utcnow

__all__ = [
    "EARLIEST",
    "FUTURE_SLACK",
    "MILLIS_FROM",
    "ago",
    "check_plausible",
    "clock_time",
    "duration",
    "local",
    "parse_utc",
]

#: Nothing Triage reads was written before this: earlier times are mistakes.
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
#: How far ahead of the local clock a time may be (platform clocks drift a little).
FUTURE_SLACK = timedelta(days=1)
#: Epoch numbers at or above this are milliseconds; below it, seconds. 10^11 seconds is the
#: year 5138 and 10^11 milliseconds is March 1973, so no time after 1990 is ambiguous.
MILLIS_FROM = 10**11
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
#: The largest number of seconds a datetime can hold (the end of the year 9999).
_MAX_SECONDS = (datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC) - _EPOCH).total_seconds()


def parse_utc(value: object, what: str = "time", *, numbers: bool = False,
              naive: bool = True) -> datetime:
    """``value`` (an ISO 8601 / RFC 3339 string) as an aware UTC time.

    A time without a zone is UTC, or (``naive=False``, RFC 3339 strictly) an error.
    With ``numbers``, an int or float is read as epoch seconds, or as epoch milliseconds
    when it is at least :data:`MILLIS_FROM`. Anything else, or a time outside what a
    datetime can hold (``9999-12-31T23:59:59-14:00`` is the year 10000 in UTC), raises
    :class:`BadTime` whose message starts with ``what``.
    """
    if isinstance(value, int | float) and not isinstance(value, bool) and numbers:
        return _from_epoch(value, what)
    if not isinstance(value, str) or not value.strip():
        raise BadTime(f"{what} {_shown(value)} is not a time")
    try:
        try:  # the store's own times take this fast path; the rest go through dateutil
            moment = datetime.fromisoformat(value)
        except ValueError:
            moment = dateparser.isoparse(value.strip())
        if moment.tzinfo is None and not naive:
            raise BadTime(f"{what} {_shown(value)} has no time zone")
        if moment.tzinfo is None:
            return moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC)
    except OverflowError:
        raise BadTime(f"{what} {_shown(value)} is out of range") from None
    except ValueError:
        raise BadTime(f"{what} {_shown(value)} is not an ISO 8601 time") from None


def check_plausible(moment: datetime, what: str = "time",
                    now: datetime | None = None) -> datetime:
    """``moment`` itself if it could be when a comment was written, else :class:`BadTime`.

    Plausible is from :data:`EARLIEST` (1990) to :data:`FUTURE_SLACK` (a day) past now.
    """
    if moment < EARLIEST:
        raise BadTime(f"{what} {moment:%Y-%m-%d} is before 1990")
    if moment > (now or utcnow()) + FUTURE_SLACK:
        raise BadTime(f"{what} {moment:%Y-%m-%d %H:%M} is in the future")
    return moment


def _from_epoch(value: float, what: str) -> datetime:
    if not math.isfinite(value):
        raise BadTime(f"{what} {value!r} is not a time")
    try:
        seconds = value / 1000 if abs(value) >= MILLIS_FROM else float(value)
    except OverflowError:  # an integer too large for a float
        seconds = math.inf
    if not -_MAX_SECONDS <= seconds <= _MAX_SECONDS:
        raise BadTime(f"{what} {value!r} is out of range (epoch seconds or milliseconds)")
    return _EPOCH + timedelta(seconds=seconds)


def _shown(value: object) -> str:
    if isinstance(value, str):
        return repr(value[:40] + ("…" if len(value) > 40 else ""))
    if value is None:
        return "(missing)"
    return repr(value) if isinstance(value, int | float) else f"({type(value).__name__})"


def ago(moment: datetime, now: datetime | None = None) -> str:
    """How long ago ``moment`` was, the way a person says it ("4 min ago", "2 d ago")."""
    seconds = int(((now or utcnow()) - moment).total_seconds())
    if seconds < 0:
        return "just now" if seconds > -60 else "in future"
    if seconds < 60:
        return "just now"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min ago"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} h ago"
    days = hours // 24
    if days < 60:
        return f"{days} d ago"
    return f"{days // 30} mo ago"


def duration(minutes: float) -> str:
    """A span of time the way a person says it: "40 s", "12 min", "3 h 20 min", "2 d 4 h"."""
    seconds = round(minutes * 60)
    if seconds < 60:
        return f"{seconds} s"
    whole = seconds // 60
    if whole < 60:
        return f"{whole} min"
    hours, rest = divmod(whole, 60)
    if hours < 48:
        return f"{hours} h {rest} min" if rest else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def local(moment: datetime) -> str:
    """A time in the local zone, to the minute."""
    return moment.astimezone().strftime("%Y-%m-%d %H:%M %Z")


def clock_time(moment: datetime, now: datetime) -> str:
    """A time in the local zone: "14:02" on the day of ``now``, else with its date."""
    mine, today = moment.astimezone(), now.astimezone()
    return mine.strftime("%H:%M" if mine.date() == today.date() else "%Y-%m-%d %H:%M")
