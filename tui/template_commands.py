"""The command palette's "Reply with …": every template the selected comment may get."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from triage.model import Comment
from triage.templates import rank
from triage.textsafe import inline
from tui.queue_list import QueueList

__all__ = ["TemplateCommands"]


class TemplateCommands(Provider):
    """The command palette's "Reply with …": every template the selected comment may get."""

    def _hits(self) -> list[tuple[str, str, Comment, str]]:
        from tui.queue_screen import QueueScreen

        screen = self.screen
        if not isinstance(screen, QueueScreen):
            return []
        comment = screen.query_one(QueueList).selected
        services = screen.services
        if comment is None or services.outbox.reply_gap(comment):
            return []
        library = services.outbox.reply_library()
        if library is None:
            return []
        from triage.outbox import local_today

        ranked = rank(library, comment, local_today(services.clock()),
                      priority=services.config.priority.order)
        return [(inline(f"Reply with: {c.template.title}"),
                 inline("; ".join(c.reasons) or c.template.id), comment, c.template.id)
                for c in ranked]

    async def discover(self) -> Hits:
        for text, why, comment, template_id in self._hits():
            yield DiscoveryHit(Content(text), partial(_open, self.screen, comment, template_id),
                               text=text, help=why)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, why, comment, template_id in self._hits():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, Content(text), partial(_open, self.screen, comment, template_id),
                          text=text, help=why)


def _open(screen: object, comment: Comment, template_id: str) -> None:
    from tui.queue_screen import QueueScreen

    if isinstance(screen, QueueScreen):
        screen.moderation.compose(comment, template_id)
