"""Connectors: one module per platform behind one contract, found through entry points.

Write a connector by subclassing :class:`Connector` (see ``base.py``), send every request
through its :attr:`Connector.http` (``http.py``), read payloads with the helpers of
``payload.py``, and register the class under the ``triage.connectors`` entry-point group
(``registry.py``). ``triage.sync`` drives connectors; nothing else needs to know them.
"""

from triage.connectors.base import Capability, Connector, Known, NothingKnown, Page, Thread
from triage.connectors.htmltext import html_to_text
from triage.connectors.http import Hooks, Http, RetryPolicy, retry_after
from triage.connectors.payload import (
    ItemError,
    comment_id,
    id_field,
    id_order,
    obj_field,
    text_field,
    time_field,
    url_field,
)
from triage.connectors.registry import (
    GROUP,
    clear_cache,
    connector_class,
    platforms,
    reply_prefix,
)

__all__ = [
    "GROUP",
    "Capability",
    "Connector",
    "Hooks",
    "Http",
    "ItemError",
    "Known",
    "NothingKnown",
    "Page",
    "RetryPolicy",
    "Thread",
    "clear_cache",
    "comment_id",
    "connector_class",
    "html_to_text",
    "id_field",
    "id_order",
    "obj_field",
    "platforms",
    "reply_prefix",
    "retry_after",
    "text_field",
    "time_field",
    "url_field",
]
