"""The composer's list of templates: two tidy lines each, the relevant ones first.

Each template takes two lines cut to the list's width — its title, then its id and why it
is offered — under a heading: the templates that answer the comment's tags first, the
others (for the agent who reads the comment differently from the tagger) under a rule
of their own, and "free text" last. A template that cannot be filled in (an ``[org]``
value it needs is empty) says so on its second line. Typing a letter while the list has
the focus types it in the filter instead (:class:`TemplateList.TypedAhead`). The filter
matches words: every word typed must begin a word of the template's title, tags or id
("than" finds "Thanks"; "thanks" never finds "Myth about what causes cancer").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from rich.text import Text
from textual import events
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from triage.templates import Candidate
from triage.textsafe import inline, one_line

__all__ = ["FREE_TEXT", "TemplateList"]

#: The option id of "write your own reply".
FREE_TEXT = "-free-text-"

_WORD = re.compile(r"\w+")


def word_match(query: str, text: str) -> tuple[int, int] | None:
    """How well ``text`` answers a filter: (words typed that are whole words of it, words
    typed that begin one), or None when a word typed begins none of its words."""
    words = set(_WORD.findall(text.casefold()))
    exact = prefix = 0
    for typed in _WORD.findall(query.casefold()):
        if typed in words:
            exact += 1
        elif any(word.startswith(typed) for word in words):
            prefix += 1
        else:
            return None
    return exact, prefix


def _lines(first: Text, second: Text) -> Text:
    """Two lines (the list cuts each at its width, see DEFAULT_CSS)."""
    both = Text(end="")
    both.append_text(first)
    both.append("\n")
    both.append_text(second)
    return both


def template_option(candidate: Candidate, problem: str = "") -> Option:
    """A template as two lines: its title; its id and why it is offered (or the problem
    that keeps it from being filled in)."""
    template = candidate.template
    second = Text(f"  {inline(template.id)}", style="dim")
    if problem:
        second.append(f" · cannot be filled in: {one_line(problem, 200)}", style="red")
    elif candidate.reasons:
        second.append(" · " + one_line("; ".join(candidate.reasons), 200), style="dim italic")
    return Option(_lines(Text(one_line(template.title, 200), style="bold"), second),
                  id=template.id)


def _heading(text: str) -> Option:
    return Option(Text(text, style="bold"), disabled=True)


class TemplateList(OptionList):
    """The templates a comment may get; typing here types in the filter."""

    DEFAULT_CSS = """
    TemplateList { text-wrap: nowrap; text-overflow: ellipsis; }
    """

    class TypedAhead(Message):
        """A printable key was pressed on the list: it belongs in the filter."""

        def __init__(self, character: str) -> None:
            super().__init__()
            self.character = character

    def on_key(self, event: events.Key) -> None:
        if event.is_printable and event.character is not None:
            event.stop()
            event.prevent_default()
            self.post_message(self.TypedAhead(event.character))

    def fill(self, candidates: Iterable[Candidate], problems: Mapping[str, str],
             query: str = "") -> None:
        """Show the candidates matching ``query`` (word by word, see :func:`word_match`;
        all when empty): the relevant ones first, each group with the most whole words
        matched first, then the most words begun, then in rank order."""
        scored: list[tuple[int, int, int, Candidate]] = []
        for order, candidate in enumerate(candidates):
            template = candidate.template
            found = word_match(query, f"{template.title} {template.id} "
                                      f"{' '.join(template.tags)}")
            if found is not None:
                scored.append((-found[0], -found[1], order, candidate))
        scored.sort(key=lambda item: item[:3])
        relevant: list[Option] = []
        others: list[Option] = []
        for *_, candidate in scored:
            option = template_option(candidate, problems.get(candidate.template.id, ""))
            (relevant if candidate.relevant else others).append(option)
        shown: list[Option | None] = []
        if relevant:
            shown += [_heading(f"For its tags ({len(relevant)})"), *relevant, None]
        if others:
            shown += [_heading(f"Other templates, not for its tags ({len(others)})"),
                      *others, None]
        if not relevant and not others:
            shown.append(_heading("No template matches the filter"))
        shown.append(Option(Text("✎ Free text (an approver must approve it)", style="italic"),
                            id=FREE_TEXT))
        self.set_options(shown)

    @property
    def ids(self) -> list[str]:
        """The ids of the options shown, in order (headings left out)."""
        found = [self.get_option_at_index(i).id for i in range(self.option_count)]
        return [i for i in found if i is not None]

    def choose(self, option_id: str | None) -> None:
        """Highlight ``option_id`` (the first choosable option when None or not shown)."""
        ids = self.ids
        if option_id not in ids:
            option_id = ids[0] if ids else None
        self.highlighted = None if option_id is None else self.get_option_index(option_id)
        self.call_after_refresh(self.scroll_to_highlight)

    def step(self, by: int) -> None:
        """Move the highlight ``by`` options (headings skipped), as the arrow keys do."""
        for _ in range(abs(by)):
            if by > 0:
                self.action_cursor_down()
            else:
                self.action_cursor_up()
