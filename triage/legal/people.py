"""Who may do what: the roles of the ``[[team]]`` in config.toml, checked before acting."""

from __future__ import annotations

from triage.config import Config
from triage.errors import ActionRefused

__all__ = ["has_role", "require_role", "roles_of"]


def roles_of(config: Config, user: str) -> tuple[str, ...]:
    """The roles ``user`` has in the team (none when they are not on it)."""
    member = config.member(user)
    return tuple(member.roles) if member is not None else ()


def has_role(config: Config, user: str, role: str) -> bool:
    return role in roles_of(config, user)


def require_role(config: Config, user: str, role: str, action: str) -> None:
    """Refuse ``action`` unless ``user`` has ``role``, naming the role that is needed."""
    if has_role(config, user, role):
        return
    roles = roles_of(config, user)
    if roles:
        who = f"{user} has the role{'s' if len(roles) > 1 else ''} {', '.join(roles)}"
    else:
        who = f"{user} is not on the team in config.toml"
    holders = [m.name for m in config.team if role in m.roles]
    ask = f"; ask {', '.join(holders)}" if holders else "; no one on the team has it yet"
    raise ActionRefused(f"only the {role} role can {action} ({who}{ask})")
