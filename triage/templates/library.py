"""A folder of templates: linted as a whole, and loaded as the library replies draw on."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from triage.config import Config
from triage.errors import DataFileError, NotFound, TemplateFileError
from triage.templates.claims import ClaimRef, load_claim_refs
from triage.templates.coverage import coverage_problems
from triage.templates.find import find_templates_dir
from triage.templates.limits import limit_for, reply_length
from triage.templates.parse import Problem, parse_template
from triage.templates.record import ORG_PLACEHOLDERS, Template
from triage.templates.render import AUTHOR_MAX, fill

__all__ = ["SAMPLE_VALUES", "TemplateLibrary", "lint_templates", "load_library", "sample_values"]

#: Long but realistic values the lengths are checked with, where the config has none.
SAMPLE_VALUES: dict[str, str] = {
    "author": "Alexandra Catherine Montgomery-Whitfield"[:AUTHOR_MAX],
    "org_name": "Riverside Regional Health",
    "contact_phone": "1-800-555-0199",
    "contact_url": "https://www.example.org/contact-us",
    "contact_email": "social.media@example.org",
    "resource_title": "Evaluating Health Information (MedlinePlus)",
    "resource_url": "https://medlineplus.gov/evaluatinghealthinformation.html",
}


def _resource_pool(template: Template, claims: Mapping[str, ClaimRef]) -> list[tuple[str, str]]:
    pool = [(r.title, r.url) for r in template.resources]
    if template.claims:
        chosen = [claims[c] for c in template.claims if c in claims]
    elif "misinformation" in template.tags:
        chosen = list(claims.values())  # answers any myth: any claim's page may be linked
    else:
        chosen = []
    pool.extend((ref.resource_title, ref.resource_url) for ref in chosen)
    return pool


def sample_values(
    template: Template, config: Config, claims: Mapping[str, ClaimRef]
) -> dict[str, str]:
    """The longest values a rendering of ``template`` can realistically get.

    Organisation values come from the config (sample ones where it has none); the
    resource is the longest title and link among the template's own resources and the
    claims it may answer; the author's name is as long as a reply ever repeats it.
    """
    values = dict(SAMPLE_VALUES)
    for name, key in ORG_PLACEHOLDERS.items():
        configured = getattr(config.org, key).strip()
        if configured:
            values[name] = configured
    pool = _resource_pool(template, claims)
    if pool:
        values["resource_title"] = max((title for title, _ in pool), key=len)
        values["resource_url"] = max((url for _, url in pool), key=len)
    return values


def _check_context(
    template: Template,
    file: str,
    *,
    config: Config,
    today: date,
    claims: Mapping[str, ClaimRef] | None,
) -> list[Problem]:
    problems = []
    if claims is not None:
        for claim in template.claims:
            if claim not in claims:
                problems.append(Problem(file, "claims", f"unknown claim id {claim!r} (not in "
                                        "the claim library nor the [tagger] claims files)"))
    if template.approved_on > today:
        problems.append(Problem(file, "approved_on", f"{template.approved_on} is in the future"))
    text = fill(template.body, sample_values(template, config, claims or {})).strip()
    for platform in template.platforms:
        length, limit = reply_length(text, platform), limit_for(platform)
        if length > limit:
            problems.append(Problem(
                file, "body", f"renders to {length} characters on {platform} (limit {limit}) "
                f"with long sample values: shorten it or drop {platform} from platforms"))
    if template.lapsed(today):
        problems.append(Problem(
            file, "review_by", f"the approval lapsed on {template.review_by}: "
            "compliance must review and renew it", blocking=False))
    return problems


def _config_problems(config: Config) -> list[Problem]:
    label = str(config.source) if config.source else "config.toml"
    url = config.org.contact_url.strip()
    if url and not url.startswith("https://"):
        return [Problem(label, "[org] contact_url", f"must be an https:// link, not {url!r}")]
    return []


@dataclass(frozen=True, slots=True)
class TemplateLibrary:
    """The templates of one folder that may be used, and what is wrong with the rest.

    ``templates`` holds every template without a blocking problem, lapsed ones
    included (they are listed, never offered or sent); ``problems`` holds every
    problem the lint found, one line each.
    """

    directory: Path
    templates: tuple[Template, ...]
    problems: tuple[Problem, ...]

    def __iter__(self) -> Iterator[Template]:
        return iter(self.templates)

    def __len__(self) -> int:
        return len(self.templates)

    def get(self, template_id: str) -> Template:
        for template in self.templates:
            if template.id == template_id:
                return template
        broken = any(p.file.endswith(f"{template_id}.toml") for p in self.problems)
        why = " (it is broken: run `triage templates lint`)" if broken else ""
        raise NotFound(f"no usable template with id {template_id!r}{why}")

    def usable(self, today: date) -> list[Template]:
        """The templates whose approval holds on ``today``."""
        return [t for t in self.templates if not t.lapsed(today)]


def _label(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def lint_templates(
    directory: Path,
    *,
    config: Config,
    today: date,
    claims: Mapping[str, ClaimRef] | None = None,
) -> TemplateLibrary:
    """Check every ``*.toml`` in ``directory``; the usable templates and all problems.

    ``claims`` maps the known claim ids (by default the claim library and the config's
    extra claim files). A folder that does not exist raises :class:`TemplateFileError`.
    """
    if not directory.is_dir():
        raise TemplateFileError(f"{directory}: no such templates folder")
    problems: list[Problem] = list(_config_problems(config))
    if claims is None:
        try:
            claims = load_claim_refs(config)
        except DataFileError as exc:
            problems.append(Problem("claim library", "claims", f"{exc} (claim ids unchecked)",
                                    blocking=False))
    files = sorted(directory.glob("*.toml"))
    if not files:
        problems.append(Problem(_label(directory), "files", "no templates (*.toml) here"))
    templates: list[Template] = []
    for path in files:
        file = _label(path)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(Problem(file, "file", f"cannot read: {exc}"))
            continue
        template, found = parse_template(path, text, file)
        if template is not None:  # ids are unique: each must match its file's name
            found.extend(_check_context(template, file, config=config, today=today,
                                        claims=claims))
        problems.extend(found)
        if template is not None and not any(p.blocking for p in found):
            templates.append(template)
    problems.extend(coverage_problems(t for t in templates if not t.lapsed(today)))
    return TemplateLibrary(directory, tuple(templates), tuple(problems))


def load_library(
    config: Config,
    *,
    today: date,
    directory: Path | None = None,
    claims: Mapping[str, ClaimRef] | None = None,
) -> TemplateLibrary:
    """The template library replies draw on: the configured (or shipped) folder, linted.

    Broken templates are left out and listed in ``problems``; the rest stay usable.
    """
    return lint_templates(
        directory or find_templates_dir(config), config=config, today=today, claims=claims
    )
