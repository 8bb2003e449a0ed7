"""What a person reads of an account's sync: the summary line and the reason of a pause."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from triage.sync import AccountResult
from triage.sync_sink import AccountStatus

NOW = datetime(2026, 11, 19, 20, 30, tzinfo=UTC)
UNTIL = NOW + timedelta(minutes=20)


def _clock(moment: datetime) -> str:
    return moment.astimezone().strftime("%H:%M")


@pytest.mark.parametrize(("message", "reason"), [
    ("yt: youtube's daily quota is used up (it resets at midnight Pacific time); "
     "paused until 2026-11-20 08:00 UTC",
     "youtube's daily quota is used up (it resets at midnight Pacific time)"),
    ("yt: facebook rate limit (code 4); paused until 2026-11-19 20:50 UTC",
     "facebook rate limit (code 4)"),
    ("yt: x rate limit reached (error 88); paused until 2026-11-19 20:50 UTC",
     "x rate limit reached (error 88)"),
    ("yt: quota used, paused until Monday", "quota used"),  # the connector said until when
    ("yt: mastodon rate limit reached; paused until 2026-11-19 20:50 UTC", ""),  # generic
    ("", ""),
])
def test_a_rate_limit_line_carries_the_platforms_reason(message: str, reason: str) -> None:
    status = AccountStatus("yt", "rate_limited", until=UNTIL, message=message)
    result = AccountResult("yt", status=status)

    assert status.reason == reason
    expected = f"yt: 0 new, 0 updated, 0 errors; rate-limited until {_clock(UNTIL)}"
    assert result.summary(NOW) == expected + (f" — {reason}" if reason else "")


@pytest.mark.parametrize(("state", "summary"), [
    ("ok", "yt: 0 new, 0 updated, 0 errors"),
    ("auth_error", "yt: 0 new, 0 updated, 1 error; auth error"),
    ("error", "yt: 0 new, 0 updated, 1 error; error"),
])
def test_other_states_keep_their_short_word(state: str, summary: str) -> None:
    status = AccountStatus("yt", state, message="yt: something the platform said")
    assert status.reason == ""
    assert AccountResult("yt", status=status).summary(NOW) == summary
