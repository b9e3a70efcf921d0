"""Who is acting: a workspace user (maybe impersonated by staff), staff, or the system."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

ROLES = ("admin", "key_user", "end_user")


@dataclass(frozen=True)
class Actor:
    kind: str  # user, staff, system
    id: uuid.UUID | None
    label: str
    tenant_id: uuid.UUID | None = None
    role: str | None = None
    ip_address: str = ""
    impersonator_staff_id: uuid.UUID | None = None
    session_id: uuid.UUID | None = None

    @property
    def is_admin(self) -> bool:
        return self.kind == "user" and self.role == "admin"

    @classmethod
    def system(cls, label: str = "system") -> Actor:
        return cls(kind="system", id=None, label=label)
