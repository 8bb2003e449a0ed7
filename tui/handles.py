"""How an author's handle is written on each platform: @name, u/name, name.bsky.social.

Connectors and imports store handles as the platform gave them, some with the ``@`` and
some without (``@dana`` from X's connector, ``dana`` from an import, ``u/dana`` from
Reddit). The screens write each one once, the way its platform does.
"""

from __future__ import annotations

from triage.textsafe import one_line

__all__ = ["handle_label"]

#: Platforms whose handles are written ``@name`` (Mastodon: ``@name@instance``).
_AT = frozenset({"x", "instagram", "tiktok", "youtube", "mastodon", "threads"})


def _bare(handle: str) -> str:
    """The handle without the prefixes platforms or imports put in front of it."""
    bare = handle.strip()
    for prefix in ("/u/", "u/"):
        if bare.casefold().startswith(prefix):
            return bare[len(prefix):]
    return bare.lstrip("@")


def handle_label(platform: str, handle: str, name: str = "", width: int = 60) -> str:
    """``handle`` as ``platform`` writes it, one line, at most ``width`` characters.

    "" when there is no handle, or when it only repeats the author's ``name`` (Instagram
    and YouTube show the handle as the name).
    """
    bare = _bare(one_line(handle, width + 4)) if handle else ""
    if not bare:
        return ""
    if platform == "reddit":
        label = f"u/{bare}"
    elif platform == "bluesky":
        label = bare
    elif platform in _AT:
        label = f"@{bare}"
    else:
        label = f"@{bare}" if handle.strip().startswith("@") else bare
    if name and _bare(name).casefold() == bare.casefold():
        return ""
    return one_line(label, width)
