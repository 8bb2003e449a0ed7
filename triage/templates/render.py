"""Rendering a template for a comment: placeholders filled once, values taken literally."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

from triage.config import Config
from triage.errors import TemplateError
from triage.model import Comment
from triage.templates.rank import claim_tag
from triage.templates.record import ORG_PLACEHOLDERS, PLACEHOLDER_RE, Template

__all__ = ["AUTHOR_MAX", "author_name", "fill", "render", "render_values", "resource_for"]

#: The longest author name a reply repeats; longer names are cut with an ellipsis.
AUTHOR_MAX = 40

_URL_PLACEHOLDERS = ("contact_url", "resource_url")
_SPACES = re.compile(r"\s+")


def author_name(comment: Comment) -> str:
    """The name a reply greets: the display name (else the handle), on one clean line.

    Control and invisible characters are dropped and runs of white space become one
    space, so a name can neither break the reply's lines nor hide text in it.
    """
    raw = comment.author.name.strip() or comment.author.handle.strip()
    kept = "".join(
        char for char in raw if unicodedata.category(char) not in ("Cc", "Cf", "Cs", "Co")
        or char in "\t\n"
    )
    name = _SPACES.sub(" ", kept).strip()
    if len(name) > AUTHOR_MAX:
        name = name[: AUTHOR_MAX - 1].rstrip() + "…"
    return name


def resource_for(template: Template, comment: Comment | None) -> tuple[str, str]:
    """The resource a reply links: the page of the myth the comment asserts or asks
    about, else the template's."""
    tag = claim_tag(comment) if comment is not None else None
    if tag is not None and tag.resource_url and tag.resource_url.startswith("https://"):
        return tag.resource_title or tag.resource_url, tag.resource_url
    if template.resources:
        first = template.resources[0]
        return first.title, first.url
    return "", ""


def render_values(template: Template, comment: Comment, config: Config) -> dict[str, str]:
    """The value of every placeholder the template uses, for this comment and config.

    Raises :class:`TemplateError` when a value the template needs is missing (an empty
    ``[org]`` key, no resource to link) or a link in the config is not https.
    """
    values: dict[str, str] = {}
    for name in template.placeholders:
        if name == "author":
            values[name] = author_name(comment) or "there"
        elif name in ("resource_title", "resource_url"):
            title, url = resource_for(template, comment)
            values[name] = title if name == "resource_title" else url
            if not values[name]:
                raise TemplateError(
                    f"template {template.id!r} links {{{name}}}, but the comment has no "
                    "matched myth with a resource and the template lists no resources"
                )
        elif name in ORG_PLACEHOLDERS:
            key = ORG_PLACEHOLDERS[name]
            value = getattr(config.org, key).strip()
            if not value:
                raise TemplateError(
                    f"template {template.id!r} uses {{{name}}}, but config.toml [org] "
                    f"{key} is empty: set it before replying with this template"
                )
            values[name] = value
        else:
            raise TemplateError(f"template {template.id!r}: unknown placeholder {{{name}}}")
    for name in _URL_PLACEHOLDERS:
        if name in values and not values[name].startswith("https://"):
            where = "config.toml [org] contact_url" if name == "contact_url" else "the resource"
            raise TemplateError(
                f"template {template.id!r}: {where} must be an https:// link, "
                f"not {values[name]!r}"
            )
    return values


def fill(body: str, values: Mapping[str, str]) -> str:
    """``body`` with each ``{name}`` replaced by ``values[name]``, in one pass.

    The values are inserted as they are: braces or placeholder names inside a value
    (an author called ``{org_name}``) are never expanded, and no format mini-language
    is involved.
    """

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise TemplateError(f"no value for the placeholder {{{name}}}")
        return values[name]

    return PLACEHOLDER_RE.sub(replace, body)


def render(template: Template, comment: Comment, config: Config) -> str:
    """The reply text: the template's body with its placeholders filled for ``comment``."""
    return fill(template.body, render_values(template, comment, config)).strip()
