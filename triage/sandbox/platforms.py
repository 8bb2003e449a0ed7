"""Each platform's own style for the sandbox: ids, permalinks, authors, mentions, threads."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from random import Random
from urllib.parse import quote

from triage.model import Author
from triage.sandbox.banks import SandboxAccount

__all__ = ["STYLES", "PlatformStyle", "PostRef"]

B62 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
B64URL = B62 + "-_"
B32_DID = "abcdefghijklmnopqrstuvwxyz234567"
B32_SORT = "234567abcdefghijklmnopqrstuvwxyz"
B36 = "0123456789abcdefghijklmnopqrstuvwxyz"
TWITTER_EPOCH_MS = 1288834974657
MASTODON_INSTANCES = ("mastodon.example", "mastodon.example", "social.example", "med.example",
                      "toot.example")


@dataclass(frozen=True, slots=True)
class PostRef:
    """A generated post as the platform knows it: its id, link, and the parts ids build on."""

    native_id: str
    permalink: str
    parts: dict[str, str] = field(default_factory=dict)


def _chars(rng: Random, alphabet: str, n: int) -> str:
    return "".join(rng.choices(alphabet, k=n))


def _base(number: int, alphabet: str, width: int = 0) -> str:
    out = ""
    while number:
        number, digit = divmod(number, len(alphabet))
        out = alphabet[digit] + out
    return out.rjust(width, alphabet[0]) or alphabet[0]


def _ms(when: datetime) -> int:
    return int(when.timestamp() * 1000)


def _slug(text: str, words: int = 6) -> str:
    return "_".join(re.findall(r"[a-z0-9]+", text.lower())[:words]) or "post"


def _plain(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower().encode("ascii", "ignore").decode()) or "user"


class PlatformStyle:
    """How a platform names things. Subclasses fill in the parts that differ."""

    platform = ""
    #: How deep replies nest; deeper answers hang under the last level with a mention.
    max_depth = 1
    #: The posts' texts: "long" or "short" (with hashtags).
    post_style = "long"
    #: How an account named by a bank (a spam bot) spells its handle; "" for none.
    handle_format = ""
    #: True where the platform shows the handle as the author's name.
    name_is_handle = False

    def post(self, rng: Random, account: SandboxAccount, when: datetime,
             text: str) -> PostRef:
        raise NotImplementedError

    def comment(self, rng: Random, account: SandboxAccount, post: PostRef, author: Author,
                when: datetime, parent: str | None, root: str | None) -> tuple[str, str]:
        """The native id and permalink of a comment (``parent``/``root``: native ids)."""
        raise NotImplementedError

    def author(self, rng: Random, first: str, last: str, flair: str) -> Author:
        return Author(id=str(rng.randrange(10**14, 10**15)), name=f"{first} {last}")

    def mention(self, author: Author) -> str:
        return f"@{author.handle or author.name}"

    def bot(self, rng: Random, display: str) -> Author:
        """An account with a made-up display name (spam bots, impersonators)."""
        slug = f"{_plain(display)[:12]}{rng.randrange(10, 999)}"
        handle = self.handle_format.format(slug=slug, instance=rng.choice(MASTODON_INSTANCES))
        base = self.author(rng, "Bot", "Account", "")
        return Author(id=base.id, name=handle if self.name_is_handle else display, handle=handle)

    def handle(self, rng: Random, first: str, last: str) -> str:
        """A username as people on this platform pick them."""
        f, lst = _plain(first), _plain(last)
        pick = rng.randrange(6)
        if pick == 0:
            return f"{f}.{lst}"
        if pick == 1:
            return f"{f}{lst[:1]}_{rng.randrange(10, 99)}"
        if pick == 2:
            return f"{f}_{lst}{rng.randrange(60, 100)}"
        if pick == 3:
            return f"{f}{lst}"
        if pick == 4:
            return f"the.{f}.{lst}"
        return f"{f[:1]}{lst}{rng.randrange(1, 999)}"


class Facebook(PlatformStyle):
    platform = "facebook"

    def post(self, rng: Random, account: SandboxAccount, when: datetime,
             text: str) -> PostRef:
        number = str(rng.randrange(10**15, 10**16))
        return PostRef(f"{account.page_id}_{number}",
                       f"https://www.facebook.com/{account.page_id}/posts/{number}",
                       {"number": number})

    def comment(self, rng: Random, account: SandboxAccount, post: PostRef, author: Author,
                when: datetime, parent: str | None, root: str | None) -> tuple[str, str]:
        number = str(rng.randrange(10**15, 10**16))
        link = f"{post.permalink}?comment_id="
        if root is None:
            link += number
        else:
            link += f"{root.rsplit('_', 1)[1]}&reply_comment_id={number}"
        return f"{post.parts['number']}_{number}", link

    def mention(self, author: Author) -> str:
        return author.name


class Instagram(PlatformStyle):
    platform = "instagram"
    handle_format = "{slug}"
    name_is_handle = True
    post_style = "short"

    def post(self, rng: Random, account: SandboxAccount, when: datetime,
             text: str) -> PostRef:
        code = _chars(rng, B64URL, 11)
        return PostRef(str(rng.randrange(17_800_000_000_000_000, 18_100_000_000_000_000)),
                       f"https://www.instagram.com/p/{code}/", {"code": code})

    def comment(self, rng: Random, account: SandboxAccount, post: PostRef, author: Author,
                when: datetime, parent: str | None, root: str | None) -> tuple[str, str]:
        number = str(rng.randrange(17_840_000_000_000_000, 18_090_000_000_000_000))
        tail = f"c/{number}/" if root is None else f"c/{root}/r/{number}/"
        return number, post.permalink + tail

    def author(self, rng: Random, first: str, last: str, flair: str) -> Author:
        handle = self.handle(rng, first, last)
        return Author(id=str(rng.randrange(17_841_400_000_000_000, 17_841_499_999_999_999)),
                      name=handle, handle=handle)


class YouTube(PlatformStyle):
    platform = "youtube"
    handle_format = "@{slug}"
    name_is_handle = True

    def post(self, rng: Random, account: SandboxAccount, when: datetime,
             text: str) -> PostRef:
        video = _chars(rng, B64URL, 11)
        return PostRef(video, f"https://www.youtube.com/watch?v={video}", {"video": video})

    def comment(self, rng: Random, account: SandboxAccount, post: PostRef, author: Author,
                when: datetime, parent: str | None, root: str | None) -> tuple[str, str]:
        if root is None:
            native = "Ug" + rng.choice("wxyz") + _chars(rng, B62, 19) + "4AaABAg"
        else:
            native = f"{root}.{_chars(rng, B62, 22)}"
        return native, f"{post.permalink}&lc={native}"

    def author(self, rng: Random, first: str, last: str, flair: str) -> Author:
        handle = "@" + _plain(first) + _plain(last) + (str(rng.randrange(100, 9999))
                                                       if rng.random() < 0.6 else "")
        return Author(id="UC" + _chars(rng, B64URL, 22), name=handle, handle=handle)

    def mention(self, author: Author) -> str:
        return author.handle


class X(PlatformStyle):
    platform = "x"
    handle_format = "{slug}"
    max_depth = 4
    post_style = "short"

    def _snowflake(self, rng: Random, when: datetime) -> str:
        return str(((_ms(when) - TWITTER_EPOCH_MS) << 22) | rng.getrandbits(22))

    def post(self, rng: Random, account: SandboxAccount, when: datetime,
             text: str) -> PostRef:
        native = self._snowflake(rng, when)
        return PostRef(native, f"https://x.com/{account.handle}/status/{native}")

    def comment(self, rng: Random, account: SandboxAccount, post: PostRef, author: Author,
                when: datetime, parent: str | None, root: str | None) -> tuple[str, str]:
        native = self._snowflake(rng, when)
        return native, f"https://x.com/{author.handle}/status/{native}"

    def author(self, rng: Random, first: str, last: str, flair: str) -> Author:
        name = rng.choice((f"{first} {last}", f"{first} {last[:1]}.", first, f"{first} {flair}"))
        return Author(id=str(rng.randrange(10**8, 10**19)), name=name,
                      handle=self.handle(rng, first, last).replace(".", "_")[:15])


class TikTok(PlatformStyle):
    platform = "tiktok"
    handle_format = "{slug}"
    post_style = "short"

    def _id(self, rng: Random, when: datetime) -> str:
        return str((int(when.timestamp()) << 32) | rng.getrandbits(32))

    def post(self, rng: Random, account: SandboxAccount, when: datetime,
             text: str) -> PostRef:
        native = self._id(rng, when)
        return PostRef(native, f"https://www.tiktok.com/@{account.handle}/video/{native}")

    def comment(self, rng: Random, account: SandboxAccount, post: PostRef, author: Author,
                when: datetime, parent: str | None, root: str | None) -> tuple[str, str]:
        return self._id(rng, when), post.permalink

    def author(self, rng: Random, first: str, last: str, flair: str) -> Author:
        handle = self.handle(rng, first, last)
        name = rng.choice((first.lower(), f"{first} {flair}", f"{first} {last[:1]}", handle))
        return Author(id=str(rng.randrange(6_700_000_000_000_000_000, 7_400_000_000_000_000_000)),
                      name=name, handle=handle)


class Mastodon(PlatformStyle):
    platform = "mastodon"
    handle_format = "{slug}@{instance}"
    max_depth = 4
    post_style = "short"

    def _id(self, rng: Random, when: datetime) -> str:
        return str((_ms(when) << 16) | rng.getrandbits(16))

    def post(self, rng: Random, account: SandboxAccount, when: datetime,
             text: str) -> PostRef:
        native = self._id(rng, when)
        return PostRef(native, f"https://{account.instance}/@{account.handle}/{native}")

    def comment(self, rng: Random, account: SandboxAccount, post: PostRef, author: Author,
                when: datetime, parent: str | None, root: str | None) -> tuple[str, str]:
        native = self._id(rng, when)
        user, _, instance = author.handle.partition("@")
        return native, f"https://{instance}/@{user}/{native}"

    def author(self, rng: Random, first: str, last: str, flair: str) -> Author:
        user = self.handle(rng, first, last).replace(".", "_")
        name = rng.choice((f"{first} {last}", first, f"{first} {flair}"))
        return Author(id=str(rng.randrange(10**17, 10**18)), name=name,
                      handle=f"{user}@{rng.choice(MASTODON_INSTANCES)}")


class Bluesky(PlatformStyle):
    platform = "bluesky"
    handle_format = "{slug}.bsky.social"
    max_depth = 4
    post_style = "short"

    def _tid(self, rng: Random, when: datetime) -> str:
        micros = int(when.timestamp() * 1_000_000)
        return _base((micros << 10) | rng.getrandbits(10), B32_SORT, 13)

    def post(self, rng: Random, account: SandboxAccount, when: datetime,
             text: str) -> PostRef:
        tid = self._tid(rng, when)
        return PostRef(f"at://{account.did}/app.bsky.feed.post/{tid}",
                       f"https://bsky.app/profile/{account.handle}/post/{tid}")

    def comment(self, rng: Random, account: SandboxAccount, post: PostRef, author: Author,
                when: datetime, parent: str | None, root: str | None) -> tuple[str, str]:
        tid = self._tid(rng, when)
        return (f"at://{author.id}/app.bsky.feed.post/{tid}",
                f"https://bsky.app/profile/{author.handle}/post/{tid}")

    def author(self, rng: Random, first: str, last: str, flair: str) -> Author:
        user = self.handle(rng, first, last).replace("_", "-").replace(".", "")
        name = rng.choice((f"{first} {last}", first, f"{first} {flair}"))
        return Author(id="did:plc:" + _chars(rng, B32_DID, 24), name=name,
                      handle=f"{user}.bsky.social")


class Reddit(PlatformStyle):
    platform = "reddit"
    handle_format = "u/{slug}"
    max_depth = 4

    def post(self, rng: Random, account: SandboxAccount, when: datetime,
             text: str) -> PostRef:
        base36 = _base(rng.randrange(36**6, 2 * 36**6), B36)
        link = (f"https://www.reddit.com/r/{account.subreddit}/comments/{base36}/"
                f"{_slug(text)}/")
        return PostRef(f"t3_{base36}", link)

    def comment(self, rng: Random, account: SandboxAccount, post: PostRef, author: Author,
                when: datetime, parent: str | None, root: str | None) -> tuple[str, str]:
        base36 = _base(rng.randrange(21 * 36**6, 22 * 36**6), B36)
        return f"t1_{base36}", f"{post.permalink}{base36}/"

    def bot(self, rng: Random, display: str) -> Author:
        author = super().bot(rng, display)
        return Author(id=author.id, name=author.handle[2:], handle=author.handle)

    def author(self, rng: Random, first: str, last: str, flair: str) -> Author:
        # Reddit suggests names like Quiet-Otter-1234: the generator passes such word pairs
        # as often as people's names.
        pick = rng.randrange(4)
        if pick == 0:
            name = f"{first}-{last}-{rng.randrange(1000, 9999)}"
        elif pick == 1:
            name = f"throwaway_{_plain(last)}{rng.randrange(10, 99)}"
        else:
            name = f"{first}{last}{rng.randrange(1, 99)}"
        return Author(id="t2_" + _chars(rng, B36, 8), name=name, handle=f"u/{name}")

    def mention(self, author: Author) -> str:
        return author.handle


class LinkedIn(PlatformStyle):
    platform = "linkedin"

    def _id(self, rng: Random, when: datetime) -> str:
        return str((_ms(when) << 22) | rng.getrandbits(22))

    def post(self, rng: Random, account: SandboxAccount, when: datetime,
             text: str) -> PostRef:
        activity = self._id(rng, when)
        return PostRef(f"urn:li:activity:{activity}",
                       f"https://www.linkedin.com/feed/update/urn:li:activity:{activity}/",
                       {"activity": activity})

    def comment(self, rng: Random, account: SandboxAccount, post: PostRef, author: Author,
                when: datetime, parent: str | None, root: str | None) -> tuple[str, str]:
        activity = post.parts.get("activity") or post.native_id.rsplit(":", 1)[-1]
        native = f"urn:li:comment:(urn:li:activity:{activity},{self._id(rng, when)})"
        short = native.replace("urn:li:activity:", "activity:")
        return native, f"{post.permalink}?commentUrn={quote(short, safe='')}"

    def author(self, rng: Random, first: str, last: str, flair: str) -> Author:
        title = rng.choice(("", "", "", ", RN", ", MPH", ", MBA", ", PharmD", ", BSN"))
        return Author(id="urn:li:person:" + _chars(rng, B64URL, 10), name=f"{first} {last}{title}")

    def mention(self, author: Author) -> str:
        return author.name.split(",")[0]


STYLES: dict[str, PlatformStyle] = {
    style.platform: style
    for style in (Facebook(), Instagram(), YouTube(), X(), TikTok(), Mastodon(), Bluesky(),
                  Reddit(), LinkedIn())
}
