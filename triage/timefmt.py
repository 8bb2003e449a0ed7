"""Human times: "4 min ago" for the queue, local clock times for the details."""

from __future__ import annotations

from datetime import datetime

from triage.model import utcnow

__all__ = ["ago", "clock_time", "duration", "local"]


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
