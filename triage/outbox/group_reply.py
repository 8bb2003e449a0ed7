"""One reply to every comment of a group of near-copies, journaled as one batch."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from triage.config import Config
from triage.errors import TriageError
from triage.outbox.book import normal_text
from triage.outbox.commands import submit_reply
from triage.outbox.item import OutboxItem
from triage.store import Store
from triage.templates import TemplateLibrary, render

__all__ = ["submit_group_reply"]


def submit_group_reply(
    store: Store,
    config: Config,
    user: str,
    ids: Sequence[str],
    *,
    library: TemplateLibrary | None,
    template_id: str | None,
    text: str,
    now: datetime,
) -> tuple[list[OutboxItem], dict[str, str]]:
    """Reply to each of ``ids`` with what was written for the first, in one batch.

    When ``text`` is the template's own rendering for the first comment, each comment
    gets the template's rendering for it (its author's name, its platform); an edited
    text goes to every one as written. Every reply is checked as a reply alone is (a
    legal hold, a platform that cannot reply, a reply already there): those refused are
    returned with the reason, and the rest go on.
    """
    own = False
    if library is not None and template_id is not None and ids:
        try:
            rendered = render(library.get(template_id), store.get(ids[0]), config)
            own = normal_text(rendered) == normal_text(text)
        except TriageError:  # the first reply says what is wrong
            own = False
    batch = uuid.uuid4().hex[:12] if len(ids) > 1 else None
    items: list[OutboxItem] = []
    refused: dict[str, str] = {}
    for comment_id in ids:
        try:
            items.append(submit_reply(store, config, user, comment_id, library=library,
                                      template_id=template_id, text=None if own else text,
                                      now=now, batch=batch))
        except TriageError as exc:
            refused[comment_id] = str(exc)
    return items, refused
