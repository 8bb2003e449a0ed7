"""The lint's language check: a language's templates for a tag reach every platform English does."""

from __future__ import annotations

from collections.abc import Iterable

from triage.model import PLATFORMS
from triage.templates.parse import Problem
from triage.templates.record import Template

__all__ = ["coverage_problems"]


def coverage_problems(templates: Iterable[Template], base: str = "en") -> list[Problem]:
    """One problem per language and tag whose templates reach fewer platforms than the
    ``base`` language's templates for that tag (a Spanish myth on X would otherwise get
    the English reply). Only tags a language has templates for are compared."""
    reach: dict[tuple[str, str], set[str]] = {}
    for template in templates:
        for tag in template.tags or ("untagged",):
            reach.setdefault((template.language, tag), set()).update(template.platforms)
    problems = []
    for (language, tag), platforms in sorted(reach.items()):
        if language == base:
            continue
        missing = reach.get((base, tag), set()) - platforms
        if missing:
            names = ", ".join(p for p in PLATFORMS if p in missing)
            problems.append(Problem(
                f"templates in {language!r}", f"platforms of {tag}",
                f"the {language} templates for {tag} do not cover {names}, which the "
                f"{base} ones do: add a template in {language} for them (or list them in "
                "one)", blocking=False,
            ))
    return problems
