"""The queue screen: the list of comments above, the selected one in detail below, and its keys."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Header, Input, Static

from triage.closing import CLOSE_REASONS, closing_of, needs_reason
from triage.errors import QueryError
from triage.legal import escalate
from triage.model import TAG_LABELS, TAG_NAMES, Action, tag_label
from triage.outbox import SENT, all_items
from triage.query import parse_query
from triage.spikes import config_products
from triage.textsafe import counted, one_line
from triage.timefmt import clock_time
from tui.account_bar import AccountBar
from tui.ae_form import ae_chip, ae_notice, export_from_queue, open_intake
from tui.author_screen import show_author
from tui.detail import DetailPane, render_detail
from tui.escalate_form import EscalateForm, EscalationRequest
from tui.footer import SettledFooter
from tui.legal_screen import LegalScreen
from tui.link_screen import open_link
from tui.note_prompt import write_note
from tui.pickers import ChoiceScreen, PromptScreen
from tui.queue_list import QueueList
from tui.stats_screen import StatsScreen
from tui.view_bar import ViewBar

if TYPE_CHECKING:
    from tui.app import TriageApp

__all__ = ["QueueScreen"]


class QueueScreen(Screen[None]):
    """The queue: the list of comments above, the selected one in detail below."""

    BINDINGS = [
        Binding("enter", "open_detail", "Open", id="queue.open", tooltip="Read it in full"),
        Binding("x", "dismiss_comment", "Dismiss", id="queue.dismiss", tooltip="Nothing to do"),
        Binding("u", "undo", "Undo", id="queue.undo", tooltip="Undo your last action"),
        Binding("slash", "search", "Search", id="queue.search", tooltip="Search the text"),
        Binding("space", "mark", "Mark", show=False, id="queue.mark",
                tooltip="Mark for a bulk action"),
        Binding("asterisk", "mark_query", "Mark matching", show=False, id="queue.mark_query",
                tooltip="Mark every comment in this view matching a query"),
        Binding("a", "assign", "Assign", id="queue.assign", tooltip="Assign to a team member"),
        Binding("S", "stats", "Stats", id="queue.stats", tooltip="Volume, response times, SLAs"),
        Binding("t", "tag", "Tag", show=False, id="queue.tag",
                tooltip="Add or remove a tag by hand"),
        Binding("e", "escalate", "Escalate", id="queue.escalate",
                tooltip="Send to legal and put the comment on legal hold"),
        Binding("L", "legal", "Legal", id="queue.legal",
                tooltip="Escalations: notes, release a hold, close"),
        Binding("v", "reveal", "Reveal", id="queue.reveal",
                tooltip="Show the identifiers masked in this comment (journaled); v masks again"),
        Binding("r", "app.compose_reply", "Reply", id="queue.reply",
                tooltip="Compose a reply: approved templates ranked for this comment"),
        Binding("h", "app.hide_comment", "Hide", id="queue.hide",
                tooltip="Hide the comment at its source (h again shows it)"),
        Binding("D", "app.delete_comment", "Delete", show=False, id="queue.delete",
                tooltip="Delete somebody else's comment at its source (asks first; no undo)"),
        Binding("A", "app.approvals", "Approvals", show=False, id="queue.approvals",
                tooltip="Replies waiting for an approver"),
        Binding("i", "intake", "AE intake", show=False, id="queue.intake",
                tooltip="The adverse-event intake: confirm the four criteria, complete it"),
        Binding("E", "export_intakes", "Export AEs", show=False, id="queue.export_intakes",
                tooltip="Export the last 7 days' adverse-event intakes (pharmacovigilance)"),
        Binding("N", "note", "Note", show=False, id="queue.note",
                tooltip="Write an internal note on the comment (for the team, never sent)"),
        Binding("H", "author_history", "Author", show=False, id="queue.author",
                tooltip="The author's other comments, and what was done with them"),
        Binding("o", "open_link", "Open link", show=False, id="queue.open_link",
                tooltip="Open the comment on its platform in the browser (or show the link)"),
        Binding("z", "open_group", "Group", show=False, id="queue.group",
                tooltip="Open a group of near-copies to list its comments; z again closes it"),
        Binding("Z", "show_groups", "Groups", show=False, id="queue.groups",
                tooltip="Show near-copies as one row per group, or every comment on its own"),
        Binding("escape", "back", "Back", id="queue.back",
                tooltip="Out of the full-screen comment; clear the search, or the marks"),
        *[
            Binding(str(n), f"view({n - 1})", f"View {n}", show=False, id=f"view.{n}")
            for n in range(1, 10)
        ],
    ]

    _binding_state: tuple[str, str, bool] | None = None

    def compose(self) -> ComposeResult:
        yield Header(show_clock=self.triage.show_clock)
        yield ViewBar(id="views")
        yield QueueList(clock=self.triage.clock, sla=self.triage.sla,
                        text_of=lambda comment: self.triage.shown(comment).text,
                        status_of=self.triage.status_label, alert_of=self.triage.outbox_alert,
                        ae_chip_of=lambda comment: ae_chip(
                            self.triage.store, self.triage.config, comment, self.triage.clock()),
                        badge_of=self.triage.grouped.badge, id="queue")
        yield DetailPane(id="detail")
        yield Input(placeholder='search: words, "exact words", tag:privacy author:pat age:<2h …'
                    " — enter keeps it, escape clears",
                    id="search")
        yield AccountBar(id="accounts")
        yield Static(id="status")
        yield SettledFooter(compact=True)

    def on_mount(self) -> None:
        self.query_one(QueueList).focus()
        self.triage.reload()

    def on_resize(self) -> None:
        self.set_class(self.size.height < 30, "-short")

    @property
    def triage(self) -> TriageApp:
        from tui.app import TriageApp

        app = self.app
        assert isinstance(app, TriageApp)
        return app

    # -- the list and the detail ----------------------------------------------------

    def action_view(self, index: int) -> None:
        if 0 <= index < len(self.triage.views):
            self.triage.switch_view(index)

    @on(ViewBar.Chosen)
    def _view_clicked(self, event: ViewBar.Chosen) -> None:
        self.triage.switch_view(event.index)

    @on(QueueList.Highlighted)
    def _show_selected(self, event: QueueList.Highlighted) -> None:
        self.show_detail()
        comment = self.query_one(QueueList).selected
        state = None if comment is None else (
            comment.status, comment.platform, self.triage.is_masked(comment))
        if state != self._binding_state:  # the footer is costly to redraw: only on change
            self._binding_state = state
            self.refresh_bindings()

    def show_detail(self, *, full: bool = False) -> None:
        pane = self.query_one(DetailPane)
        comment = self.query_one(QueueList).selected
        if comment is None:
            pane.show(Text("Nothing here: the queue is empty or nothing matches.", style="dim"))
            return
        app = self.triage
        desk = app.desk
        parent, siblings = desk.thread(comment)
        detail = render_detail(
            app.shown(comment),
            post=desk.store.posts.get(comment.post_id or ""),
            parent=app.shown(parent) if parent is not None else None,
            siblings=[app.shown(c) for c in siblings],
            replies=[app.shown(c) for c in desk.replies(comment)],
            limit=None if full else 4000,
            now=app.clock(),
            ours=all_items(desk.store, comment_id=comment.id, states=(SENT,)),
            notes=desk.notes(comment.id),
            evidence=desk.model_evidence(comment.id),
        )
        notices: list[RenderableType] = [*app.legal_notices(comment),
                                         *app.outbox_notices(comment)]
        intake = ae_notice(desk.store, app.config, comment, app.clock())
        if intake is not None:
            notices.insert(0, intake)
        closing = closing_of(desk.store, comment)
        if closing is not None:
            notices.insert(0, Text(f"Closed: {closing.label} — {closing.by}, "
                                   f"{clock_time(closing.at, app.clock())}", style="bold"))
        group = app.grouped.detail(comment.id, desk.store.comments, app.shown, app.clock())
        if group is not None:
            notices.insert(0, group)
        pane.show(Group(*notices, *detail.renderables) if notices else detail)

    def action_open_detail(self) -> None:
        pane = self.query_one(DetailPane)
        if self.maximized is pane:
            self.minimize()
            return
        self.show_detail(full=True)
        self.maximize(pane, container=False)
        pane.focus()

    def watch_maximized(self, maximized: object) -> None:
        if maximized is None and self.is_mounted:
            self.query_one(QueueList).focus()
            self.show_detail()
        self.refresh_bindings()

    def action_back(self) -> None:
        """Escape: out of the full-screen comment, else clear the search, else the marks."""
        search = self.query_one("#search", Input)
        queue = self.query_one(QueueList)
        if self.maximized is not None:
            self.minimize()
        elif search.has_class("-shown") or self.triage.filter_text:
            search.value = ""
            search.remove_class("-shown")
            queue.focus()
        elif queue.marked:
            queue.clear_marks()
            self.triage.update_status()
        self.refresh_bindings()

    # -- actions --------------------------------------------------------------------

    def refusal(self, action: str) -> str:
        """Why one of the screen's keys cannot work now ("" when it can); the key says it
        when pressed, and ``?`` shows it."""
        queue = self.query_one(QueueList)
        comment = queue.selected
        if action in ("escalate", "reveal") and queue.marked:
            key, does = ("e", "escalates") if action == "escalate" else ("v", "reveals")
            return f"{key} {does} one comment at a time: clear the marks first (escape)"
        if action in ("escalate", "reveal") and self.group_targets():
            key, does = ("e", "escalates") if action == "escalate" else ("v", "reveals")
            return f"{key} {does} one comment at a time: z opens the group"
        if action == "open_group" and (comment is None or queue.marked
                                       or not self.triage.grouped.members(comment.id)):
            return "The comment is in no group of near-copies (or comments are marked)."
        if action in ("dismiss_comment", "escalate", "reveal", "open_detail") \
                and comment is None and not queue.marked:
            return "No comment is selected."
        if action == "dismiss_comment" and not queue.marked and comment is not None \
                and comment.status == "dismissed":
            return "The comment is dismissed already (u takes the dismissal back)."
        if action == "reveal" and comment is not None and comment.id not in \
                self.triage.revealed and not self.triage.is_masked(comment):
            return "Nothing is masked in this comment."
        return ""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("dismiss_comment", "escalate", "reveal", "open_detail", "open_group"):
            return not self.refusal(action) or None
        if action in ("note", "author_history", "open_link", "intake"):
            return self.query_one(QueueList).selected is not None or None
        if action == "back":  # in the footer only when there is something to go back from
            return bool(self.maximized is not None or self.triage.filter_text
                        or self.query_one("#search", Input).has_class("-shown")
                        or self.query_one(QueueList).marked)
        return True

    def targets(self) -> list[str]:
        """What an action applies to: the marked comments, else the members of the closed
        group whose row is selected, else the selected comment."""
        queue = self.query_one(QueueList)
        if queue.marked:
            return sorted(queue.marked)
        return self.group_targets() or (
            [queue.selected.id] if queue.selected is not None else [])

    def group_targets(self) -> list[str]:
        """The members of the group whose closed row is selected (none: not on one)."""
        queue = self.query_one(QueueList)
        if queue.marked or queue.selected is None:
            return []
        return self.triage.grouped.closed_group(queue.selected.id)

    def target_noun(self) -> str:
        """What the targets are called in a message about some of them."""
        return "marked comment" if self.query_one(QueueList).marked else "group member"

    def action_open_group(self) -> None:
        """``z``: open the group of the selected comment in the list, or close it."""
        queue = self.query_one(QueueList)
        comment = queue.selected
        if comment is None or self.refusal("open_group"):
            return
        if self.triage.grouped.toggle(comment.id):
            self.triage.reload(keep=comment.id, counts=False)

    def action_show_groups(self) -> None:
        """``Z``: near-copies as one row per group, or every comment on its own row."""
        grouped = self.triage.grouped
        grouped.enabled = not grouped.enabled
        self.triage.reload(counts=False)
        self.notify("Near-copies shown as one row per group (z opens one)" if grouped.enabled
                    else "Every comment on its own row (Z groups near-copies again)",
                    timeout=3, markup=False)

    def acted(self, verb: str, ids: list[str], done: Sequence[Action] | None,
              after: str = "") -> None:
        """After an action: clear marks, move on from a single comment to the one that
        followed it, say what happened ("<verb> the comment<after> — u to undo")."""
        if done is None:
            return
        queue = self.query_one(QueueList)
        group = not queue.marked and len(ids) > 1
        bulk = bool(queue.marked) or group
        following = None if bulk or not ids else queue.following(ids[0])
        queue.clear_marks()
        self.triage.refresh_comments(a.comment_id for a in done if a.comment_id)
        if bulk:
            self.refresh_bindings()
        else:
            queue.move_on(following)
        what = counted(len(ids), "comment") if bulk else "the comment"
        if group:
            what = f"the group's {what}"
        changed = len({a.comment_id for a in done if a.comment_id})
        if bulk and changed < len(ids):
            after += f" ({len(ids) - changed} left as they were)"
        self.notify(f"{verb} {what}{after} — u to undo", timeout=3, markup=False)

    def action_dismiss_comment(self) -> None:
        ids = self.triage.not_held(self.targets(), "dismiss", self.target_noun())
        if not ids:
            return
        desk = self.triage.desk
        crises = sum(needs_reason(c) for c in desk.get_many(ids))
        if not crises:
            self.acted("Dismissed", ids, self.triage.perform(lambda: desk.dismiss(ids)))
            return

        def chosen(reason: str | None) -> None:
            if reason is None:
                return
            done = self.triage.perform(lambda: desk.dismiss(ids, reason))
            self.acted("Closed", ids, done, f": {CLOSE_REASONS[reason]}")

        what = "this crisis" if crises == 1 else f"the {crises} crises"
        self.app.push_screen(
            ChoiceScreen(f"Close {what}: what was done?", list(CLOSE_REASONS.items())), chosen)

    def action_stats(self) -> None:
        app = self.triage
        self.app.push_screen(StatsScreen(app.store, app.sla, app.clock, app.config.alerts,
                                         config_products(app.config.pharmacovigilance)))

    def action_mark(self) -> None:
        self.query_one(QueueList).toggle_mark()
        self.triage.update_status()
        self.refresh_bindings()

    def action_mark_query(self) -> None:
        def chosen(text: str | None) -> None:
            if not text:
                return
            try:
                match = parse_query(text).matcher(now=self.triage.clock(), user=self.triage.user,
                                                  legal=self.triage.legal_states())
            except QueryError as exc:
                self.notify(str(exc), severity="error", markup=False)
                return
            queue = self.query_one(QueueList)
            ids = {c.id for c in queue.rows if match(c)}
            queue.mark(ids)
            self.triage.update_status()
            self.refresh_bindings()
            self.notify(f"Marked {counted(len(ids), 'comment')} ({len(queue.marked)} in all)",
                        markup=False)

        self.app.push_screen(
            PromptScreen("Mark every comment in this view matching:", "tag:question age:>1d"),
            chosen,
        )

    def action_assign(self) -> None:
        ids = self.targets()
        if not ids:
            return
        team = [(m.name, f"{m.name}  ({', '.join(m.roles)})") for m in self.triage.config.team]
        if not team:
            self.notify("No team in config.toml: add [[team]] entries to assign comments.",
                        severity="warning", markup=False)
            return

        def chosen(name: str | None) -> None:
            if name is None:
                return
            person = None if name == "-" else name
            done = self.triage.perform(lambda: self.triage.desk.assign(ids, person))
            if person:
                self.acted("Assigned", ids, done, f" to {person}")
            else:
                self.acted("Unassigned", ids, done)

        what = "the comment" if len(ids) == 1 else f"{len(ids)} marked comments"
        you = self.triage.user
        team = [(name, f"{label}{'  — you' if name == you else ''}") for name, label in team]
        self.app.push_screen(ChoiceScreen(f"Assign {what} to",
                                          [*team, ("-", "nobody (unassign)")]), chosen)

    def action_tag(self) -> None:
        ids = self.targets()
        if not ids:
            return
        comments = [self.triage.store.get(i) for i in ids]
        choices = []
        if any((t := c.tag("crisis")) is not None and t.possible for c in comments):
            # the learned layer's possible crisis: a person decides, either way journaled
            choices += [("!crisis", "confirm the possible Crisis"),
                        ("-crisis", "dismiss the possible Crisis: not a crisis")]
        for name in TAG_NAMES:
            label = tag_label(name)
            if choices and name == "crisis":
                continue
            if all(c.tag(name) for c in comments):
                choices.append((f"-{name}", f"remove {label}"))
            else:
                choices.append((f"+{name}", f"add {label}"))

        def chosen(choice: str | None) -> None:
            if choice is None:
                return
            add, name = choice[0] == "+", choice[1:]
            if choice[0] == "!":
                done = self.triage.perform(lambda: self.triage.desk.confirm_possible(ids))
                self.acted("Confirmed as Crisis", ids, done)
                return
            done = self.triage.perform(lambda: self.triage.desk.correct_tag(ids, name, add=add))
            if add:
                self.acted("Tagged", ids, done, f" as {TAG_LABELS.get(name, name)}")
            else:
                self.acted(f"Took {TAG_LABELS.get(name, name)} off", ids, done)

        what = "the comment" if len(ids) == 1 else f"{len(ids)} marked comments"
        self.app.push_screen(ChoiceScreen(f"Correct the tags of {what}", choices), chosen)

    def action_undo(self) -> None:
        self.triage.undo_last()

    def action_search(self) -> None:
        search = self.query_one("#search", Input)
        search.add_class("-shown")
        search.focus()
        search.cursor_position = len(search.value)
        self.refresh_bindings()

    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        self.triage.set_filter(event.value)

    @on(Input.Submitted, "#search")
    def _search_done(self, event: Input.Submitted) -> None:
        """Enter keeps the search (the status line says it) and goes back to the list."""
        event.input.remove_class("-shown")
        self.query_one(QueueList).focus()
        self.refresh_bindings()

    def action_escalate(self) -> None:
        comment = self.query_one(QueueList).selected
        if comment is None or self.refusal("escalate"):
            return

        def submitted(request: EscalationRequest | None) -> None:
            if request is None:
                return
            app = self.triage
            esc = app.perform(lambda: escalate(app.store, app.config, app.user, comment.id,
                                               request.reason, request.severity, request.note))
            if esc is not None:
                app.refresh_comments([comment.id])
                who = one_line(comment.author.name, 30)
                self.notify(f"Escalated {who}'s comment to legal as {esc.id}; it is on legal "
                            "hold (L shows it)", timeout=5, markup=False)
                if app.background_delivery:
                    app.deliver_due()

        self.app.push_screen(EscalateForm(comment), submitted)

    def action_legal(self) -> None:
        app = self.triage
        self.app.push_screen(LegalScreen(app.store, app.config, app.user, app.clock))

    def action_note(self) -> None:
        comment = self.query_one(QueueList).selected
        if comment is not None:
            write_note(self.triage, comment, self.show_detail)

    def action_intake(self) -> None:
        comment = self.query_one(QueueList).selected
        if comment is not None:
            open_intake(self.triage, comment, lambda: self.triage.refresh_comments([comment.id]))

    def action_export_intakes(self) -> None:
        export_from_queue(self.triage)

    def action_author_history(self) -> None:
        comment = self.query_one(QueueList).selected
        if comment is not None:
            show_author(self.triage, comment)

    def action_open_link(self) -> None:
        comment = self.query_one(QueueList).selected
        if comment is not None:
            open_link(self.app, comment.permalink, "This comment")

    def action_reveal(self) -> None:
        queue = self.query_one(QueueList)
        comment = queue.selected
        if comment is None:
            return
        if self.refusal("reveal"):
            return
        if self.triage.toggle_reveal(comment, "queue") is not None:
            queue.refresh()
            self.show_detail()
            self._binding_state = None
            self.refresh_bindings()
