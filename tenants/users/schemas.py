"""User and invitation payloads of the API."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

import msgspec
from msgspec import UNSET, UnsetType

from comptoir.platform.auth.tables import User
from comptoir.tenants.users.service import NewPerson
from comptoir.tenants.users.tables import Invitation

RoleName = Literal["admin", "key_user", "end_user"]
# As strict as the service's own checks (_validate_person), so that what the
# OpenAPI document allows is what the API accepts: a name without NUL (which
# PostgreSQL refuses), an address with one @ and a dot in its domain.
Name = Annotated[str, msgspec.Meta(max_length=100, pattern=r"^[^\x00]*$")]
# Control characters are spelled out: Python's \s (the service's) and the JSON
# Schema's (ECMAScript) differ on \x1c-\x1f, \x85 and \ufeff.
ADDRESS_CHARACTER = r"[^@\s\x00-\x1f\x7f-\x9f\ufeff]"
Email = Annotated[
    str,
    msgspec.Meta(
        min_length=5,
        max_length=254,
        pattern=rf"^{ADDRESS_CHARACTER}+@{ADDRESS_CHARACTER}+\.{ADDRESS_CHARACTER}+$",
        examples=["claire.martin@exemple.fr"],
    ),
]


class PersonIn(msgspec.Struct, forbid_unknown_fields=True):
    """Someone to add or invite: the same fields either way."""

    email: Email
    first_name: Name = ""
    last_name: Name = ""
    role: RoleName = "end_user"

    def person(self) -> NewPerson:
        return NewPerson(
            email=self.email, role=self.role, first_name=self.first_name, last_name=self.last_name
        )


class UserCreate(PersonIn, forbid_unknown_fields=True):
    pass


class UserUpdate(msgspec.Struct, forbid_unknown_fields=True):
    first_name: Name | UnsetType = UNSET
    last_name: Name | UnsetType = UNSET
    role: RoleName | UnsetType = UNSET
    status: Literal["active", "disabled"] | UnsetType = UNSET


class UserOut(msgspec.Struct):
    id: str
    email: str
    first_name: str
    last_name: str
    role: str
    status: str
    has_password: bool
    last_login_at: str | None
    created_at: str

    @classmethod
    def of(cls, user: User | Mapping[str, Any]) -> UserOut:
        """From a user record, or a row of the users list."""

        def value(name: str) -> Any:
            return user[name] if isinstance(user, Mapping) else getattr(user, name)

        last_login = value("last_login_at")
        return cls(
            id=str(value("id")),
            email=value("email"),
            first_name=value("first_name"),
            last_name=value("last_name"),
            role=value("role"),
            status=value("status"),
            has_password=bool(value("password_hash")),
            last_login_at=last_login.isoformat() if last_login else None,
            created_at=value("created_at").isoformat(),
        )


class UserList(msgspec.Struct):
    items: list[UserOut]
    next_cursor: str | None = None


class InvitationCreate(PersonIn, forbid_unknown_fields=True):
    pass


class InvitationOut(msgspec.Struct):
    id: str
    email: str
    role: str
    status: str
    expires_at: str
    created_at: str

    @classmethod
    def of(cls, invitation: Invitation) -> InvitationOut:
        import datetime as dt

        if invitation.accepted_at:
            status = "accepted"
        elif invitation.revoked_at:
            status = "revoked"
        elif invitation.expires_at <= dt.datetime.now(dt.UTC):
            status = "expired"
        else:
            status = "pending"
        return cls(
            id=str(invitation.id),
            email=invitation.email,
            role=invitation.role,
            status=status,
            expires_at=invitation.expires_at.isoformat(),
            created_at=invitation.created_at.isoformat(),
        )


class InvitationList(msgspec.Struct):
    items: list[InvitationOut]
    next_cursor: str | None = None
