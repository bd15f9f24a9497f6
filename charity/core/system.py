"""The actor for changes made by the system itself (CLI set-up, scheduler jobs)."""
from __future__ import annotations

from dataclasses import dataclass, field

from charity.core.roles import Role


@dataclass(frozen=True)
class SystemActor:
    """Acts with administrator rights; audit entries show no user ("system")."""

    id: None = None
    role: Role = Role.ADMIN
    active: bool = True
    is_authenticated: bool = True
    organization_id: None = None
    point_ids: frozenset = field(default_factory=frozenset)
    display_name: str = "system"


def system_actor() -> SystemActor:
    return SystemActor()
