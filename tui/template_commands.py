"""The command palette's "Reply with …": every template the selected comment may get."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from triage.model import Comment
from triage.templates import rank
from triage.textsafe import inline

__all__ = ["TemplateCommands"]


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
        return [(inline(f"Reply with: {c.template.title}"),
                 inline("; ".join(c.reasons) or c.template.id), comment, c.template.id)
                for c in ranked]

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
