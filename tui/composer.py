"""The composer: the templates ranked for a comment, a fuzzy filter, the reply, its checks.

Left, the templates the comment may get (``rank``: relevant ones first, each with why;
for a privacy risk only PHI-safe ones) and a filter that narrows them as you type.
Moving through the list puts each template's rendering in the editor on the right,
unless you have edited it (enter then replaces your edit). Under the editor, live: the
length as the platform counts it against its limit, of what will be posted (with the
mention a platform's connector puts in front, e.g. Mastodon's; red when over), and whether the
reply may go as it is (an approved template, sent after the undo window) or "needs
approval" (free text, or a template edited beyond its placeholders) — with the edit shown
word by word. ``ctrl+s`` sends (into the outbox), ``escape`` cancels.

:class:`TemplateCommands` puts every template the selected comment may get in the
command palette; choosing one opens the composer with it chosen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import partial

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.fuzzy import Matcher
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from triage.config import Config
from triage.errors import TemplateError
from triage.model import Comment
from triage.outbox import normal_text, word_diff
from triage.templates import (
    Candidate,
    ReplyCheck,
    Template,
    TemplateLibrary,
    check_reply,
    rank,
    render,
    reply_size,
)
from triage.textsafe import clean, one_line
from tui.queue_list import PLATFORM_LABELS

__all__ = ["FREE_TEXT", "ComposerScreen", "Draft", "TemplateCommands"]

#: The option id of "write your own reply".
FREE_TEXT = "-free-text-"


@dataclass(frozen=True, slots=True)
class Draft:
    """What the person sends: the template it started from (None: free text), the text."""

    template_id: str | None
    text: str


def _option(candidate: Candidate) -> Option:
    template = candidate.template
    label = Text(one_line(template.title, 60), style="bold")
    label.append(f"\n  {template.id}", style="dim")
    if candidate.reasons:
        room = max(12, 39 - len(template.id))  # the list is 44 cells wide: one line each
        label.append(" · " + one_line("; ".join(candidate.reasons), room), style="dim italic")
    return Option(label, id=template.id)


class ComposerScreen(ModalScreen[Draft | None]):
    """Compose a reply to one comment; dismissed with the :class:`Draft`, or None."""

    BINDINGS = [
        Binding("ctrl+s", "send", "Send", priority=True, id="composer.send",
                tooltip="Put the reply in the outbox (approved) or send it for approval"),
        Binding("escape", "cancel", "Cancel", id="composer.cancel", tooltip="Close, send nothing"),
        Binding("ctrl+f", "filter", "Filter", show=False, id="composer.filter",
                tooltip="Narrow the templates by words"),
    ]
    DEFAULT_CSS = """
    ComposerScreen { align: center middle; }
    ComposerScreen > Vertical {
        width: 116; max-width: 100%; height: 38; max-height: 100%;
        border: thick $accent; background: $surface; padding: 0 1;
    }
    ComposerScreen #composer-title { text-style: bold; }
    ComposerScreen #composer-comment { color: $text-muted; height: auto; max-height: 3; }
    ComposerScreen #composer-notice { color: $warning; height: auto; }
    ComposerScreen #composer-notice.-none { display: none; }
    ComposerScreen Horizontal { height: 1fr; margin-top: 1; }
    ComposerScreen #composer-left { width: 46; margin-right: 1; }
    ComposerScreen #composer-templates { height: 1fr; }
    ComposerScreen #composer-text { height: 1fr; min-height: 6; }
    ComposerScreen #composer-length { height: 1; }
    ComposerScreen #composer-verdict { height: auto; max-height: 8; }
    ComposerScreen #composer-keys { color: $text-muted; height: 1; }
    """

    def __init__(self, comment: Comment, shown: Comment, library: TemplateLibrary,
                 config: Config, *, today: date, chosen: str | None = None,
                 undo_seconds: int = 10) -> None:
        super().__init__()
        self.comment = comment
        self._shown = shown  # the comment as this person may see it (identifiers masked)
        self.library = library
        self.config = config
        self.today = today
        self.undo_seconds = undo_seconds
        self.candidates = rank(library, comment, today, priority=config.priority.order)
        self._by_id = {c.template.id: c.template for c in self.candidates}
        self.template_id: str | None = chosen if chosen in self._by_id else None
        self._chosen = self.template_id is not None  # opened on a template: edit it at once
        self._loaded = ""  # the text last put in the editor by choosing a template
        self.verdict: ReplyCheck | None = None
        self.problem = ""

    # -- layout ---------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        comment, shown = self.comment, self._shown
        where = PLATFORM_LABELS.get(comment.platform, comment.platform)
        with Vertical():
            tags = ", ".join(comment.tag_names) or "no tags"
            yield Static(Text(f"Reply to {one_line(comment.author.name, 40)} on {where} · "
                              f"{comment.account} · {tags}"), id="composer-title")
            yield Static(Text(one_line(shown.text, 300)), id="composer-comment")
            notice = ""
            if comment.tag("privacy") is not None:
                notice = ("Privacy risk: only PHI-safe templates are offered, and free text "
                          "needs an approver.")
            yield Static(Text(notice), id="composer-notice", classes="" if notice else "-none")
            with Horizontal():
                with Vertical(id="composer-left"):
                    yield Input(placeholder="filter templates (fuzzy)", id="composer-filter")
                    yield OptionList(id="composer-templates")
                with Vertical():
                    yield TextArea("", soft_wrap=True, id="composer-text")
                    yield Static(id="composer-length")
                    yield Static(id="composer-verdict")
            yield Static(Text("ctrl+s send · escape cancel · tab: filter → templates → text "
                              "· enter on a template puts it in the text"), id="composer-keys")

    def on_mount(self) -> None:
        self._fill_list("")
        options = self.query_one(OptionList)
        start = self.template_id or (self.candidates[0].template.id if self.candidates else None)
        if start is not None:
            self._load(start)
            options.highlighted = options.get_option_index(start)
        else:
            self._load(FREE_TEXT)
        (self.query_one(TextArea) if self._chosen else options).focus()

    # -- the list -------------------------------------------------------------------------

    def _fill_list(self, query: str) -> None:
        matcher = Matcher(query) if query.strip() else None
        relevant: list[Option] = []
        others: list[Option] = []
        for candidate in self.candidates:
            template = candidate.template
            words = f"{template.title} {template.id} {' '.join(template.tags)}"
            if matcher is not None and matcher.match(words) <= 0:
                continue
            (relevant if candidate.relevant else others).append(_option(candidate))
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options(relevant)
        if others:
            options.add_option(Option(Text("other templates (not for its tags):",
                                           style="dim italic"), disabled=True))
            options.add_options(others)
        options.add_option(Option(Text("✎ Free text (an approver must approve it)",
                                       style="italic"), id=FREE_TEXT))

    @property
    def shown_ids(self) -> list[str]:
        """The template ids the list shows now, in order (for tests and the palette)."""
        options = self.query_one(OptionList)
        found = [options.get_option_at_index(i).id for i in range(options.option_count)]
        return [i for i in found if i is not None and i != FREE_TEXT]

    @on(Input.Changed, "#composer-filter")
    def _filtered(self, event: Input.Changed) -> None:
        self._fill_list(event.value)
        options = self.query_one(OptionList)
        first = next((i for i in range(options.option_count)
                      if not options.get_option_at_index(i).disabled), None)
        options.highlighted = first

    @on(Input.Submitted, "#composer-filter")
    def _filter_done(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionHighlighted, "#composer-templates")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_id is not None and not self._edited():
            self._load(event.option_id)

    @on(OptionList.OptionSelected, "#composer-templates")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_id is not None:
            self._load(event.option_id)
            self.query_one(TextArea).focus()

    def _edited(self) -> bool:
        return normal_text(self.query_one(TextArea).text) != normal_text(self._loaded)

    def _load(self, option_id: str) -> None:
        """Put a template's rendering (or an empty page, for free text) in the editor."""
        template = self._by_id.get(option_id)
        self.template_id = template.id if template is not None else None
        text = ""
        if template is not None:
            try:
                text = render(template, self.comment, self.config)
            except TemplateError as exc:
                self.problem = str(exc)
        self._loaded = text
        self.query_one(TextArea).load_text(text)
        self._check()

    # -- the checks -----------------------------------------------------------------------

    @on(TextArea.Changed, "#composer-text")
    def _text_changed(self) -> None:
        self._check()

    @property
    def template(self) -> Template | None:
        return self._by_id.get(self.template_id or "")

    def _check(self) -> None:
        text = self.query_one(TextArea).text
        platform = self.comment.platform
        length, limit, prefix = reply_size(self.comment, normal_text(text))
        over = length > limit
        counted = f" (with the {one_line(prefix.strip(), 40)} in front)" if prefix else ""
        self.query_one("#composer-length", Static).update(Text(
            f"{length} / {limit} characters on {PLATFORM_LABELS.get(platform, platform)}"
            + counted + (" — too long" if over else ""), style="bold red" if over else "dim"))
        try:
            self.verdict = check_reply(self.comment, self.template, text, self.today,
                                       config=self.config)
            self.problem = ""
        except TemplateError as exc:
            self.verdict, self.problem = None, str(exc)
        self.query_one("#composer-verdict", Static).update(self._verdict_text(text))

    def _verdict_text(self, text: str) -> Text:
        verdict = self.verdict
        if verdict is None:
            return Text(self.problem, style="bold red")
        if verdict.approved:
            return Text(f"Approved template {verdict.template_id}: ctrl+s sends it after a "
                        f"{self.undo_seconds}-second undo window (u cancels).", style="green")
        line = Text("NEEDS APPROVAL", style="bold yellow")
        line.append(f" — {verdict.reason}. ctrl+s sends it to the approvers.")
        if verdict.expected is not None:
            line.append("\nChanged from the template: ", style="dim")
            for op, piece in word_diff(verdict.expected, normal_text(text)):
                style = {"=": "dim", "-": "strike red", "+": "bold green"}[op]
                line.append(clean(one_line(piece, 200) if op == "=" else piece), style=style)
        return line

    @property
    def needs_approval(self) -> bool:
        return self.verdict is not None and self.verdict.needs_approval

    # -- actions --------------------------------------------------------------------------

    def action_send(self) -> None:
        self._check()
        if self.verdict is None:
            self.notify(self.problem or "the reply cannot be sent", severity="error",
                        markup=False)
            return
        self.dismiss(Draft(self.template_id, self.query_one(TextArea).text))

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_filter(self) -> None:
        self.query_one("#composer-filter", Input).focus()


class TemplateCommands(Provider):
    """The command palette's "Reply with …": every template the selected comment may get."""

    def _hits(self) -> list[tuple[str, str, Comment, str]]:
        from tui.outbox_app import OutboxApp

        app = self.app
        if not isinstance(app, OutboxApp):
            return []
        comment = app.selected_comment(self.screen)
        if comment is None or app.reply_gap(comment):
            return []
        library = app.reply_library()
        if library is None:
            return []
        from triage.outbox import local_today

        ranked = rank(library, comment, local_today(app.clock()),
                      priority=app.config.priority.order)
        return [(f"Reply with: {c.template.title}", "; ".join(c.reasons) or c.template.id,
                 comment, c.template.id) for c in ranked]

    async def discover(self) -> Hits:
        app = self.app
        for text, why, comment, template_id in self._hits():
            yield DiscoveryHit(Content(text), partial(_open, app, comment, template_id),
                               text=text, help=why)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        app = self.app
        for text, why, comment, template_id in self._hits():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, Content(text), partial(_open, app, comment, template_id),
                          text=text, help=why)


def _open(app: object, comment: Comment, template_id: str) -> None:
    from tui.outbox_app import OutboxApp

    if isinstance(app, OutboxApp):
        app.open_composer(comment, template_id)
