"""Who the person trying the sandbox is on its team, and how to act as someone else."""

from __future__ import annotations

from triage.config import Config, TeamMember

__all__ = ["identity_line"]

#: The roles a newcomer may want to practise, in the order they are suggested.
ROLES = ("legal", "approver", "pharmacovigilance", "agent")


def _roles(member: TeamMember) -> str:
    return "/".join(member.roles) or "no role"


def _switch(others: list[TeamMember], mine: list[str]) -> str:
    """``triage sandbox --user NAME`` for a role ``mine`` lacks (else for anyone)."""
    for role in ROLES:
        if role in mine:
            continue
        for member in others:
            if role in member.roles:
                return f"`triage sandbox --user {member.name}` to act as {role}"
    if others:
        return f"`triage sandbox --user {others[0].name}` to act as {others[0].name}"
    return "`triage sandbox --user NAME` to act as someone else"


def identity_line(config: Config, user: str, *, practice: bool) -> str:
    """One line: who ``user`` is (their roles), the team around them, how to switch.

    ``practice`` says the team is the sandbox's own; otherwise it came from the config
    file the person gave, which may not list them (then they cannot approve, own work or
    use Legal, and the line says so).
    """
    me = config.member(user)
    others = [m for m in config.team if m.name != user]
    team = ", ".join(f"{m.name} {_roles(m)}" for m in others)
    where = "the practice team" if practice else f"the team in {_source(config)}"
    if me is None:
        head = (f"You are {user}, not on {where} ({team or 'nobody'}): you cannot approve "
                "replies, own work or use Legal")
        return f"{head} — {_switch(others, [])}"
    head = f"You are {user} ({', '.join(me.roles) or 'no role'}) on {where}"
    if team:
        head += f": {team}"
    return f"{head} — {_switch(others, me.roles)}"


def _source(config: Config) -> str:
    return config.source.name if config.source is not None else "the config"
