"""The composer: the templates ranked for a comment, a filter by words, the reply, its checks.

It opens with the best template for the comment chosen and its rendering in the editor —
the first relevant one (``rank``: it answers one of the comment's tags; for a privacy
risk only PHI-safe ones) that can be filled in — so ``r`` then ``ctrl+s`` sends the top
suggestion. The list on the left (:class:`tui.template_list.TemplateList`) shows the
relevant templates first, the others under a rule of their own, free text last; the arrow
keys move through it from the list or from the filter, and the editor follows the choice
(unless you have edited the text: then enter on a template puts its text back). Typing
narrows the list and keeps its best match chosen; enter moves to the editor. Under the
editor, live: the length as the platform counts it against its limit, of what will be
posted (with the mention a platform's connector puts in front, e.g. Mastodon's; red when
over), and whether the reply may go as it is (an approved template, sent after the undo
window) or "needs approval" (free text, or a template edited beyond its placeholders) —
with the edit shown word by word. The reply policies are checked as one types (a short
pause after the last key): each hit is shown with its words highlighted and the policy's
reason; a blocking hit stops ``ctrl+s``, a review-level one sends the reply to an
approver. ``ctrl+s`` sends (into the outbox) from anywhere,
``escape`` clears the filter or cancels.

:class:`TemplateCommands` (``tui.template_commands``) puts every template the selected
comment may get in the command palette; choosing one opens the composer with it chosen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Input, OptionList, Static, TextArea

from triage.config import Config
from triage.errors import PolicyBlocked, TemplateError
from triage.model import TAG_LABELS, Comment
from triage.outbox import marked_change, normal_text
from triage.policies import Hit as PolicyHit
from triage.policies import PolicySet, load_policies
from triage.templates import (
    ReplyCheck,
    Template,
    TemplateLibrary,
    check_reply,
    crisis_note,
    rank,
    render,
    reply_size,
)
from triage.textsafe import clean, inline, one_line
from tui.handles import handle_label
from tui.policy_hits import hits_text
from tui.queue_list import PLATFORM_LABELS
from tui.template_list import FREE_TEXT, TemplateList

__all__ = ["CHECK_DELAY", "FREE_TEXT", "ComposerScreen", "Draft"]

#: Seconds after the last key before the checks run again (typing stays smooth).
CHECK_DELAY = 0.15


@dataclass(frozen=True, slots=True)
class Draft:
    """What the person sends: the template it started from (None: free text), the text."""

    template_id: str | None
    text: str


class ComposerScreen(ModalScreen[Draft | None]):
    """Compose a reply to one comment; dismissed with the :class:`Draft`, or None."""

    BINDINGS = [
        Binding("ctrl+s", "send", "Send", priority=True, id="composer.send",
                tooltip="Put the reply in the outbox (approved) or send it for approval"),
        Binding("escape", "cancel", "Cancel", id="composer.cancel",
                tooltip="Clear the filter; with none, close and send nothing"),
        Binding("ctrl+f", "filter", "Filter", show=False, id="composer.filter",
                tooltip="Narrow the templates by words"),
        Binding("down", "step(1)", "Next template", show=False, id="composer.next"),
        Binding("up", "step(-1)", "Previous template", show=False, id="composer.previous"),
    ]
    DEFAULT_CSS = """
    ComposerScreen { align: center middle; }
    ComposerScreen > Vertical {
        width: 96%; max-width: 150; height: 96%; max-height: 48;
        border: thick $accent; background: $surface; padding: 0 1;
    }
    ComposerScreen #composer-title { text-style: bold; }
    ComposerScreen #composer-comment { color: $text-muted; height: auto; max-height: 3; }
    ComposerScreen #composer-notice { color: $warning; height: auto; }
    ComposerScreen #composer-notice.-none { display: none; }
    ComposerScreen Horizontal { height: 1fr; margin-top: 1; }
    ComposerScreen #composer-left { width: 45%; min-width: 34; max-width: 64; margin-right: 1; }
    ComposerScreen #composer-templates { height: 1fr; }
    ComposerScreen #composer-templates > .option-list--option-highlighted {
        background: $block-cursor-background 60%;
    }
    ComposerScreen #composer-templates:focus > .option-list--option-highlighted {
        background: $block-cursor-background;
    }
    ComposerScreen #composer-chosen { height: auto; max-height: 3; }
    ComposerScreen #composer-text { height: 1fr; min-height: 5; }
    ComposerScreen #composer-length { height: 1; }
    ComposerScreen #composer-verdict { height: auto; max-height: 8; }
    ComposerScreen #composer-policy { height: auto; max-height: 12; }
    ComposerScreen #composer-policy.-none { display: none; }
    ComposerScreen #composer-keys { color: $text-muted; height: auto; }
    /* notices show at the top, over the title, and never reach the verdict or the keys */
    ComposerScreen ToastRack {
        dock: top; align: right top; margin-bottom: 0; margin-top: 1; max-height: 45%;
    }
    """

    def __init__(self, comment: Comment, shown: Comment, library: TemplateLibrary,
                 config: Config, *, today: date, policies: PolicySet | None = None,
                 chosen: str | None = None, undo_seconds: int = 10) -> None:
        super().__init__()
        self.comment = comment
        #: The reply policies (default: those in force for ``config``).
        self.policies = policies if policies is not None else load_policies(config)
        #: The policy hits of the text as last checked (blocking ones included).
        self.hits: tuple[PolicyHit, ...] = ()
        self._pending: Timer | None = None
        self._shown = shown  # the comment as this person may see it (identifiers masked)
        self.library = library
        self.config = config
        self.today = today
        self.undo_seconds = undo_seconds
        self.candidates = rank(library, comment, today, priority=config.priority.order)
        self._by_id = {c.template.id: c for c in self.candidates}
        self._texts: dict[str, str] = {}  # each template's rendering …
        self._problems: dict[str, str] = {}  # … or why it cannot be filled in
        for candidate in self.candidates:
            try:
                self._texts[candidate.template.id] = render(candidate.template, comment,
                                                            config)
            except TemplateError as exc:
                self._problems[candidate.template.id] = str(exc)
        self.template_id: str | None = chosen if chosen in self._by_id else None
        self._chosen = self.template_id is not None  # opened on a template: edit it at once
        self._loaded = ""  # the text last put in the editor by choosing a template
        self.verdict: ReplyCheck | None = None
        self.problem = ""

    @property
    def best(self) -> str:
        """The option to start on: the first relevant template that can be filled in;
        free text when none can (never an irrelevant template by default)."""
        return next((c.template.id for c in self.candidates
                     if c.relevant and c.template.id in self._texts), FREE_TEXT)

    # -- layout ---------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        comment, shown = self.comment, self._shown
        where = PLATFORM_LABELS.get(comment.platform, comment.platform)
        handle = handle_label(comment.platform, comment.author.handle, comment.author.name, 40)
        with Vertical():
            tags = (", ".join(TAG_LABELS.get(t, t) for t in comment.tag_names)
                    or "no tags")
            title = Text(f"Reply to {one_line(comment.author.name, 40)}")
            if handle:
                title.append(f" {handle}", style="dim")
            title.append(inline(f" on {where} · {comment.account} · {tags}"))
            yield Static(title, id="composer-title")
            yield Static(Text(one_line(shown.text, 300)), id="composer-comment")
            notes = [crisis_note(comment)]
            if comment.tag("privacy") is not None:
                notes.append("Privacy risk: only PHI-safe templates are offered, and free "
                             "text needs an approver.")
            notice = "\n".join(note for note in notes if note)
            yield Static(Text(notice), id="composer-notice", classes="" if notice else "-none")
            with Horizontal():
                with Vertical(id="composer-left"):
                    yield Input(placeholder="type to filter the templates", id="composer-filter",
                                select_on_focus=False)
                    yield TemplateList(id="composer-templates")
                with Vertical():
                    yield Static(id="composer-chosen")
                    yield TextArea("", soft_wrap=True, id="composer-text")
                    yield Static(id="composer-length")
                    yield Static(id="composer-verdict")
                    yield Static(id="composer-policy", classes="-none")
            yield Static(Text("ctrl+s send · escape cancel · ↑↓ choose a template · type to "
                              "filter · enter: edit the text · tab: next field"),
                         id="composer-keys")

    def on_mount(self) -> None:
        options = self.query_one(TemplateList)
        options.fill(self.candidates, self._problems)
        start = self.template_id or self.best
        self._load(start)
        options.choose(start)
        (self.query_one(TextArea) if self._chosen else options).focus()

    # -- the list -------------------------------------------------------------------------

    @property
    def shown_ids(self) -> list[str]:
        """The template ids the list shows now, in order (for tests and the palette)."""
        return [i for i in self.query_one(TemplateList).ids if i != FREE_TEXT]

    @on(TemplateList.TypedAhead)
    def _typed_ahead(self, event: TemplateList.TypedAhead) -> None:
        field = self.query_one("#composer-filter", Input)
        field.focus()
        field.insert_text_at_cursor(event.character)

    @on(Input.Changed, "#composer-filter")
    def _filtered(self, event: Input.Changed) -> None:
        options = self.query_one(TemplateList)
        options.fill(self.candidates, self._problems, event.value)
        best = next((i for i in options.ids if i in self._texts), None)
        options.choose(best)

    @on(Input.Submitted, "#composer-filter")
    def _filter_done(self) -> None:
        option = self.query_one(TemplateList).highlighted_option
        if option is not None and option.id is not None:
            self._load(option.id)
        self._edit()

    @on(OptionList.OptionHighlighted, "#composer-templates")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_id is not None and not self._edited():
            self._load(event.option_id)
        else:
            self._show_chosen()

    @on(OptionList.OptionSelected, "#composer-templates")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_id is not None:
            self._load(event.option_id)
            self._edit()

    def _edit(self) -> None:
        editor = self.query_one(TextArea)
        editor.focus()
        editor.move_cursor(editor.document.end)

    def _edited(self) -> bool:
        return normal_text(self.query_one(TextArea).text) != normal_text(self._loaded)

    def _load(self, option_id: str) -> None:
        """Put a template's rendering (or an empty page, for free text) in the editor."""
        candidate = self._by_id.get(option_id)
        self.template_id = candidate.template.id if candidate is not None else None
        self._loaded = self._texts.get(option_id, "")
        self.query_one(TextArea).load_text(self._loaded)
        self._check()

    def _show_chosen(self) -> None:
        """Above the editor: the template the text comes from, in full, and why."""
        candidate = self._by_id.get(self.template_id or "")
        if candidate is None:
            line = Text("Free text", style="bold")
            line.append(" — your own words; an approver must approve them before they are "
                        "sent.", style="dim")
            unfilled = [self._problems[c.template.id] for c in self.candidates
                        if c.relevant and c.template.id in self._problems]
            if unfilled and self.best == FREE_TEXT:
                line.append(f"\nNo template for its tags can be filled in: {unfilled[0]}",
                            style="red")
        else:
            template = candidate.template
            line = Text(clean(template.title), style="bold")
            why = "; ".join(candidate.reasons) or "not for its tags"
            line.append("\n" + inline(f"{template.id} · {why}"), style="dim")
        highlighted = self.query_one(TemplateList).highlighted_option
        if self._edited() and highlighted is not None and highlighted.id != self.template_id:
            line.append("\nYour edit is kept: enter on a template puts its text back.",
                        style="italic")
        self.query_one("#composer-chosen", Static).update(line)

    # -- the checks -----------------------------------------------------------------------

    @on(TextArea.Changed, "#composer-text")
    def _text_changed(self) -> None:
        """Check again a moment after the last key (each key restarts the wait)."""
        self._show_length()
        if self._pending is not None:
            self._pending.stop()
        self._pending = self.set_timer(CHECK_DELAY, self._check)

    @property
    def template(self) -> Template | None:
        candidate = self._by_id.get(self.template_id or "")
        return candidate.template if candidate is not None else None

    def _show_length(self) -> None:
        """Under the editor, at every key: the length as the platform counts it."""
        text = self.query_one(TextArea).text
        platform = self.comment.platform
        length, limit, prefix = reply_size(self.comment, normal_text(text))
        over = length > limit
        counted = f" (with the {one_line(prefix.strip(), 40)} in front)" if prefix else ""
        self.query_one("#composer-length", Static).update(Text(
            f"{length} / {limit} characters on {PLATFORM_LABELS.get(platform, platform)}"
            + counted + (" — too long" if over else ""), style="bold red" if over else "dim"))

    def _check(self) -> None:
        """The length, the send check and the reply policies, on the text as it is now."""
        text = self.query_one(TextArea).text
        self._show_length()
        self._pending = None
        self.hits = ()
        try:
            self.verdict = check_reply(self.comment, self.template, text, self.today,
                                       config=self.config, policies=self.policies)
            self.problem = ""
            self.hits = self.verdict.hits
        except PolicyBlocked as exc:
            self.verdict, self.problem = None, str(exc)
            self.hits = tuple(h for h in exc.hits if isinstance(h, PolicyHit))
        except TemplateError as exc:
            self.verdict, self.problem = None, str(exc)
            unfilled = self._problems.get(self.template_id or "")
            if unfilled and not text.strip():  # say why it is empty, not that it is
                self.problem = f"Template {self.template_id} cannot be filled in: {unfilled}"
        self.query_one("#composer-verdict", Static).update(self._verdict_text(text))
        panel = self.query_one("#composer-policy", Static)
        panel.update(hits_text(self.hits, text))
        panel.set_class(not self.hits, "-none")
        self._show_chosen()

    def _verdict_text(self, text: str) -> Text:
        verdict = self.verdict
        if verdict is None and any(hit.blocks for hit in self.hits):
            names = ", ".join(dict.fromkeys(h.policy for h in self.hits if h.blocks))
            return Text(inline(f"CANNOT BE SENT — it breaks a reply policy ({names}): change "
                               "the highlighted words."), style="bold red")
        if verdict is None:
            return Text(clean(self.problem), style="bold red")
        if verdict.approved:
            edited = " (lightly edited)" if verdict.edit_share else ""
            return Text(inline(f"Approved template {verdict.template_id}{edited}: ctrl+s sends "
                               f"it after a {self.undo_seconds}-second undo window (u "
                               "cancels)."), style="green")
        line = Text("NEEDS APPROVAL", style="bold yellow")
        line.append(f" — {verdict.reason}. ctrl+s sends it to the approvers.")
        if verdict.expected is not None:
            line.append("\nChanged from the template: ", style="dim")
            for op, piece in marked_change(verdict.expected, normal_text(text)):
                style = {"=": "dim", "-": "strike red", "+": "bold green"}[op]
                line.append(clean(one_line(piece, 200) if op == "=" else piece), style=style)
        return line

    def flush(self) -> None:
        """Run a check that is still waiting for the typing to pause, now."""
        if self._pending is not None:
            self._pending.stop()
            self._check()

    @property
    def needs_approval(self) -> bool:
        self.flush()
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
        field = self.query_one("#composer-filter", Input)
        if field.value and field.has_focus:
            field.value = ""
            return
        self.dismiss(None)

    def action_filter(self) -> None:
        self.query_one("#composer-filter", Input).focus()

    def action_step(self, by: int) -> None:
        """The arrow keys, from the filter: move through the templates."""
        self.query_one(TemplateList).step(by)
