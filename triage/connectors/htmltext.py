"""Turning a platform's HTML (Mastodon status content) into plain text, safely.

Only text comes out: tags are dropped, entities are unescaped once, ``<br>`` and block
elements become line breaks, and the contents of ``script``/``style``/``template`` are
dropped whole. Nothing is executed, fetched or interpreted: what was escaped text in the
HTML (``&lt;script&gt;``, ``[bold]``, ``\\x1b[31m``) comes out as the same literal text.
A link keeps its text; when that text hides where the link goes (``<a
href="https://elsewhere.example">cdc.gov</a>``) the address follows in brackets.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

__all__ = ["html_to_text"]

_BLOCKS = frozenset({
    "address", "article", "aside", "blockquote", "dd", "div", "dl", "dt", "figcaption",
    "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "ol",
    "p", "pre", "section", "table", "tr", "ul",
})
_DROPPED = frozenset({"script", "style", "template", "noscript", "head", "title"})
_VOID = frozenset({"br", "hr", "img", "input", "meta", "link", "wbr", "area", "base", "col"})
_SPACES = re.compile(r"[ \t\r\n\f\v]+")
_BLANK_LINES = re.compile(r"\n{3,}")


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._dropping = 0
        self._pre = 0
        self._links: list[tuple[str, int]] = []  # (href, index of the first part inside)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROPPED:
            self._dropping += 1
            return
        if tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCKS:
            self._block_break(tag)
            if tag == "pre":
                self._pre += 1
            elif tag == "li":
                self.parts.append("• ")
        elif tag == "a":
            href = next((value or "" for name, value in attrs if name == "href"), "")
            self._links.append((href, len(self.parts)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROPPED:
            self._dropping = max(0, self._dropping - 1)
            return
        if tag in _BLOCKS:
            if tag == "pre":
                self._pre = max(0, self._pre - 1)
            self._block_break(tag)
        elif tag == "a" and self._links:
            href, start = self._links.pop()
            shown = "".join(self.parts[start:])
            if _hides_target(shown, href):
                self.parts.append(f" ({href})")

    def handle_data(self, data: str) -> None:
        if self._dropping:
            return
        if not self._pre:
            data = _SPACES.sub(" ", data)
            if self._newlines() or not self.parts:
                data = data.lstrip(" ")
        if data:
            self.parts.append(data)

    def _newlines(self) -> int:
        """How many line breaks the text so far ends with."""
        count = 0
        for part in reversed(self.parts):
            stripped = part.rstrip("\n")
            count += len(part) - len(stripped)
            if stripped:
                break
        return count

    def _block_break(self, tag: str) -> None:
        if not self.parts:
            return
        wanted = 2 if tag in ("p", "blockquote", "pre") else 1
        self.parts.append("\n" * max(0, wanted - self._newlines()))


def _hides_target(shown: str, href: str) -> bool:
    """Whether a link's visible text fails to say where it goes (an http(s) target only)."""
    if not href.startswith(("https://", "http://")):
        return False
    text = shown.strip().rstrip("…").strip()
    if not text or text[0] in "@#":  # mentions and hashtags link to profiles and tag pages
        return False
    bare_href = href.split("://", 1)[1].rstrip("/")
    bare_text = text.split("://", 1)[-1].rstrip("/")
    return not bare_href.startswith(bare_text)


def html_to_text(html: str) -> str:
    """The plain text of an HTML fragment: line breaks kept, tags dropped, entities read."""
    if "<" not in html and "&" not in html:
        return _SPACES.sub(" ", html).strip()
    parser = _TextParser()
    try:
        parser.feed(html)
        parser.close()
    except (AssertionError, ValueError):  # html.parser's last-resort failures
        return _SPACES.sub(" ", html).strip()
    text = "".join(parser.parts)
    lines = [line.rstrip(" ") for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
