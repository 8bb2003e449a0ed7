"""The detail pane: the whole comment, why it was tagged, the post and thread it sits in
(our own replies marked as ours), and the team's notes on it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

from rich.console import Group
from rich.rule import Rule
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from triage.errors import TriageError
from triage.model import Comment, Post, tag_label, utcnow
from triage.notes import Note
from triage.outbox import OutboxItem
from triage.tagger import ClaimLibrary, load_claims
from triage.textsafe import clean, one_line
from triage.timefmt import ago, local
from tui.chips import chip_label, chip_style, evidence_style
from tui.handles import handle_label
from tui.queue_list import PLATFORM_LABELS

__all__ = ["DetailPane", "claim_statement", "render_detail"]

#: The pane shows this much of a very long comment; the rest is one key away (enter).
PREVIEW_CHARS = 4000


def _label(text: str, value: str | Text, value_style: str = "") -> Text:
    line = Text.assemble((f"{text:<11}", "bold"))
    if isinstance(value, Text):
        line.append_text(value)
    else:
        line.append(clean(value), style=value_style)
    return line


def body_text(comment: Comment, limit: int | None = None) -> Text:
    """The comment's text, made safe, with each tag's evidence highlighted."""
    raw = comment.text if limit is None else comment.text[:limit]
    body = Text(clean(raw))
    for tag in comment.tags:
        style = evidence_style(tag.name)
        for start, end in tag.evidence:
            if 0 <= start < end <= len(raw):
                body.stylize(style, start, end)
    if limit is not None and len(comment.text) > limit:
        more = len(comment.text) - limit
        body.append(f"\n… {more:,} more characters (enter shows all)", style="italic dim")
    return body


@lru_cache(maxsize=1)
def _claim_library() -> ClaimLibrary | None:
    try:
        return load_claims()
    except TriageError:
        return None  # a broken claims file is reported by the tagger, not here


def claim_statement(claim_id: str) -> str | None:
    """The myth a claim id stands for, as the built-in claim library states it."""
    library = _claim_library()
    claim = library.get(claim_id) if library is not None else None
    return claim.claim if claim is not None else None


def tag_lines(comment: Comment, evidence: Mapping[str, Any] | None = None) -> list[Text]:
    """One line per tag: chip, name, score, source and the words that gave it; for the
    learned layer's tags the nearest labelled examples (``evidence``, by tag)."""
    lines: list[Text] = []
    for tag in comment.tags:
        if tag.possible:
            line = Text.assemble(
                (f" {chip_label(tag)} ", chip_style(tag.name, possible=True)),
                (f" Possible {tag_label(tag.name).lower()} {tag.score:.2f}", "bold"),
                "  a person decides: t confirms it or dismisses it  ",
                (clean(tag.source), "italic"),
            )
        else:
            line = Text.assemble(
                (f" {chip_label(tag)} ", chip_style(tag.name)),
                f" {tag_label(tag.name)} {tag.score:.2f}  ",
                (clean(tag.source), "italic"),
            )
        quotes = [
            one_line(comment.text[start:end], 60)
            for start, end in tag.evidence[:4]
            if 0 <= start < end <= len(comment.text)
        ]
        if quotes:
            line.append("  ← ")
            line.append(" · ".join(f"“{q}”" for q in quotes), style=evidence_style(tag.name))
        lines.append(line)
        if tag.claim_id:
            claim = Text("     matched myth: ", style="dim")
            claim.append(tag.claim_id, style="bold")
            statement = claim_statement(tag.claim_id)
            if statement:
                claim.append(f"  “{one_line(statement, 90)}”", style="italic")
            lines.append(claim)
        if tag.resource_url:
            resource = Text("     resource: ", style="dim")
            resource.append(clean(tag.resource_title or ""), style="bold")
            resource.append(f"  {clean(tag.resource_url)}", style="underline")
            lines.append(resource)
        if tag.source.startswith(("model:", "model-possible:")):
            lines += _nearest_lines((evidence or {}).get(tag.name))
    if not lines:
        lines.append(Text("no tags", style="dim italic"))
    return lines


def _nearest_lines(found: Any) -> list[Text]:
    """The labelled examples the model found nearest, as its reasons."""
    nearest = found.get("nearest") if isinstance(found, dict) else None
    if not isinstance(nearest, list) or not nearest:
        return [Text("     no labelled example to show (heads fitted without training/)",
                     style="dim italic")]
    lines = []
    for item in nearest[:3]:
        if not (isinstance(item, list) and len(item) == 3):
            continue
        example_id, text, similarity = item
        line = Text("     like ", style="dim")
        line.append(one_line(str(example_id), 24), style="bold")
        line.append(f" ({float(similarity):.2f}): ", style="dim")
        line.append(f"“{one_line(str(text), 90)}”", style="italic")
        lines.append(line)
    return lines


def _quote(comment: Comment, prefix: str, now: datetime) -> Text:
    line = Text(prefix, style="dim")
    line.append(one_line(comment.author.name, 24), style="bold")
    line.append(f" ({ago(comment.created_at, now)}): ", style="dim")
    line.append(one_line(comment.text, 160))
    return line


def _ours(item: OutboxItem, now: datetime) -> list[Text]:
    """Our reply as it was sent, marked as ours: who sent it, when, and its text."""
    line = Text("  our reply ", style="bold green")
    line.append(f"by {one_line(item.by, 24)}", style="bold")
    when = item.sent_at or item.updated_at
    if when is not None:
        line.append(f" · sent {ago(when, now)} ({local(when)})", style="dim")
    return [line, Text("    " + clean(item.text).replace("\n", "\n    "), style="green")]


def _note(note: Note, now: datetime) -> list[Text]:
    line = Text(one_line(note.by, 24), style="bold")
    line.append(f" · {ago(note.at, now)} ({local(note.at)})", style="dim")
    return [line, Text("  " + clean(note.text).replace("\n", "\n  "))]


def render_detail(
    comment: Comment,
    *,
    post: Post | None,
    parent: Comment | None,
    siblings: list[Comment],
    replies: list[Comment],
    limit: int | None = PREVIEW_CHARS,
    now: datetime | None = None,
    ours: Sequence[OutboxItem] = (),
    notes: Sequence[Note] = (),
    evidence: Mapping[str, Any] | None = None,
) -> Group:
    """Everything the detail pane shows about ``comment``, as Rich renderables.

    ``ours`` are the replies we sent to it (shown in the thread in place of the same
    reply read back from the platform); ``notes`` the team's internal notes; ``evidence``
    the learned layer's reasons for the tags it added.
    """
    now = now or utcnow()
    sent_ids = {item.reply_id for item in ours if item.reply_id}
    replies = [r for r in replies if r.native_id not in sent_ids]
    author = Text(clean(comment.author.name), style="bold")
    handle = handle_label(comment.platform, comment.author.handle, comment.author.name)
    if handle:
        author.append(f"  {handle}", style="dim")
    where = PLATFORM_LABELS.get(comment.platform, comment.platform)
    parts: list[Text | Rule] = [
        _label("Author", author),
        _label("Where", f"{where} · {comment.account} · {ago(comment.created_at, now)} "
                        f"({local(comment.created_at)})"),
        _label("Status", comment.status + (f" · assigned to {comment.assignee}"
                                           if comment.assignee else "")),
        Rule(style="dim"),
        body_text(comment, limit),
        Rule("Tags", style="dim"),
        *tag_lines(comment, evidence),
        Rule("Post", style="dim"),
    ]
    if post is not None:
        parts.append(Text(one_line(post.text, 400)))
        if post.permalink:
            parts.append(Text(clean(post.permalink), style="underline dim"))
    else:
        parts.append(Text("the post is not in the store", style="dim italic"))
    parts.append(Rule("Thread", style="dim"))
    if parent is not None:
        parts.append(_quote(parent, "in reply to ", now))
    elif comment.parent_id:
        parts.append(Text("in reply to a comment that is not in the store", style="dim italic"))
    else:
        parts.append(Text("a top-level comment on the post", style="dim italic"))
    for sibling in siblings[:8]:
        parts.append(_quote(sibling, "  beside: ", now))
    if len(siblings) > 8:
        parts.append(Text(f"  … and {len(siblings) - 8} more beside it", style="dim"))
    for reply in replies[:8]:
        parts.append(_quote(reply, "  reply: ", now))
    if len(replies) > 8:
        parts.append(Text(f"  … and {len(replies) - 8} more replies", style="dim"))
    for item in ours:
        parts += _ours(item, now)
    if notes:
        parts.append(Rule(f"Notes ({len(notes)})", style="dim"))
        for note in notes:
            parts += _note(note, now)
    parts += [
        Rule(style="dim"),
        _label("Link", comment.permalink or "—", "underline"),
        _label("Id", comment.id, "dim"),
    ]
    return Group(*parts)


class DetailPane(VerticalScroll, can_focus=True):
    """Shows one comment in full; scrolls when it is long; enter fills the screen with it."""

    ALLOW_MAXIMIZE = True

    DEFAULT_CSS = """
    DetailPane { padding: 0 1; }
    DetailPane > #detail-body { width: 1fr; }
    """

    def compose(self) -> ComposeResult:
        yield Static(Text("Select a comment to see it here.", style="dim"), id="detail-body")

    def show(self, renderable: Group | Text) -> None:
        self.query_one("#detail-body", Static).update(renderable)
        self.scroll_home(animate=False)
