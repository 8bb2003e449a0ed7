"""Where the policies are, linting them as a whole, and loading them for the reply check."""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

from triage.config import Config
from triage.errors import PolicyFileError
from triage.policies.check import PolicySet
from triage.policies.parse import PolicyProblem, parse_policy
from triage.policies.record import Policy
from triage.shipped import shipped_dir
from triage.tagger.privacy import OrgContacts
from triage.tomlread import file_stamps

__all__ = ["lint_policies", "load_policies", "org_contacts", "policy_files"]

_CACHE: dict[tuple[object, ...], PolicySet] = {}
_LOCK = threading.Lock()


def _files_in(path: Path, where: str) -> list[Path]:
    if path.is_dir():
        return sorted(path.glob("*.toml"))
    if path.is_file():
        return [path]
    raise PolicyFileError(f"{where}: no such policy file or folder: {path}")


def policy_files(config: Config) -> list[Path]:
    """The policy files in force: config ``[policies] files`` (files or folders), else the
    policies shipped with Triage."""
    if config.policies.files:
        found: list[Path] = []
        for entry in config.policies.files:
            found += _files_in(config.resolve(entry), "config.toml [policies] files")
        return found
    folder = shipped_dir("policies")
    if folder is None:
        raise PolicyFileError("no policies folder found: set [policies] files in config.toml "
                              "to the policy files replies are checked against")
    return _files_in(folder, "policies")


def lint_policies(paths: list[Path], today: date | None = None) -> tuple[
    list[Policy], list[PolicyProblem]
]:
    """Every policy in ``paths`` and every problem (two files with one id is one too)."""
    policies: list[Policy] = []
    problems: list[PolicyProblem] = []
    seen: dict[str, Path] = {}
    for path in paths:
        try:
            text = path.read_bytes().decode("utf-8")
        except OSError as exc:
            problems.append(PolicyProblem(str(path), "file", f"cannot read it ({exc.strerror})"))
            continue
        except UnicodeDecodeError:
            problems.append(PolicyProblem(str(path), "file", "not UTF-8 text"))
            continue
        policy, found = parse_policy(path, text, today)
        problems += found
        if policy is None:
            continue
        if policy.id in seen:
            problems.append(PolicyProblem(str(path), "id", f"{policy.id!r} is also the id "
                                          f"of {seen[policy.id]}"))
            continue
        seen[policy.id] = path
        policies.append(policy)
    return policies, problems


def org_contacts(config: Config) -> OrgContacts:
    """The organisation's own contacts (a reply may give them, whatever the comment says)."""
    org = config.org
    return OrgContacts(org.phones + ([org.contact_phone] if org.contact_phone else []),
                       org.emails + ([org.contact_email] if org.contact_email else []),
                       org.addresses)


def load_policies(config: Config) -> PolicySet:
    """The policies in force, compiled (kept until a file or the org's contacts change).

    A policy file that does not pass the lint is a :class:`PolicyFileError` naming the file
    and the entry: no reply is checked against half the policies.
    """
    paths = policy_files(config)
    org = config.org
    key = (file_stamps(paths), tuple(org.phones), tuple(org.emails), tuple(org.addresses),
           org.contact_phone, org.contact_email)
    with _LOCK:
        cached = _CACHE.get(key)
    if cached is not None:
        return cached
    policies, problems = lint_policies(paths)
    broken = [p for p in problems if p.blocking]
    if broken:
        more = f" (and {len(broken) - 1} more; `triage policies lint` lists them)" if len(
            broken) > 1 else ""
        raise PolicyFileError(f"reply policies: {broken[0]}{more}")
    compiled = PolicySet(policies, org=org_contacts(config))
    with _LOCK:
        if len(_CACHE) > 8:
            _CACHE.clear()
        _CACHE[key] = compiled
    return compiled
