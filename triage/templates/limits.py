"""How long a reply may be on each platform, and how each platform counts a reply's length."""

from __future__ import annotations

import re

__all__ = ["PLATFORM_LIMITS", "URL_LENGTH", "limit_for", "reply_length"]

#: The longest reply (comment) each platform accepts, as each one documents it.
#: Mastodon's 500 is the default of an instance (an instance may allow more).
PLATFORM_LIMITS: dict[str, int] = {
    "x": 280,
    "bluesky": 300,
    "mastodon": 500,
    "tiktok": 150,
    "linkedin": 1250,
    "instagram": 2200,
    "facebook": 8000,
    "youtube": 10000,
    "reddit": 10000,
}

#: Platforms that count every link as this many characters, whatever its length
#: (X wraps links in t.co; Mastodon counts each URL as 23 characters).
URL_LENGTH: dict[str, int] = {"x": 23, "mastodon": 23}

_URL = re.compile(r"https?://[^\s<>\"]+")
# Mastodon counts a mention of someone on another server (@name@server) as @name only.
_MASTODON_MENTION = re.compile(
    r"(?<![=/\w])(@[A-Za-z0-9_]+(?:[.-]+[A-Za-z0-9_]+)*)@\w+(?:[.-]+\w+)*")
_TRAILING = ".,;:!?)]}'\""

# X counts these code points as one character and every other one as two
# (twitter-text's weighted ranges: Latin, Greek, Cyrillic, general punctuation, …).
_X_LIGHT = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))


def limit_for(platform: str) -> int:
    """The longest reply ``platform`` accepts (the shortest known limit if it is unknown)."""
    return PLATFORM_LIMITS.get(platform, min(PLATFORM_LIMITS.values()))


def _x_weight(char: str) -> int:
    code = ord(char)
    return 1 if any(low <= code <= high for low, high in _X_LIGHT) else 2


def reply_length(text: str, platform: str) -> int:
    """The length of ``text`` as ``platform`` counts it against its limit.

    Links count as the platform's fixed link length where it has one; X counts
    characters outside its light ranges (CJK, emoji) as two; Mastodon counts a mention
    of someone on another server (``@dana@health.social``) as ``@dana``. Elsewhere every
    code point counts as one, which for Bluesky's grapheme count errs on the long side.
    """
    fixed = URL_LENGTH.get(platform)
    count = 0
    rest = text
    if fixed is not None:
        pieces: list[str] = []
        position = 0
        for match in _URL.finditer(text):
            url = match.group(0).rstrip(_TRAILING)
            pieces.append(text[position : match.start()])
            count += fixed
            position = match.start() + len(url)
        pieces.append(text[position:])
        rest = "".join(pieces)
    if platform == "x":
        return count + sum(_x_weight(char) for char in rest)
    if platform == "mastodon":
        rest = _MASTODON_MENTION.sub(r"\1", rest)
    return count + len(rest)
