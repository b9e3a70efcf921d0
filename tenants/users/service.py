"""Onboarding people into a workspace: direct adds, invitations by e-mail, roles."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from comptoir.platform import events
from comptoir.platform.audit import service as audit
from comptoir.platform.auth.actor import ROLES, Actor
from comptoir.platform.auth.credentials import digest, hash_password, new_secret, password_problem
from comptoir.platform.auth.password_reset import void_reset_links
from comptoir.platform.auth.service import end_user_credentials
from comptoir.platform.auth.tables import User
from comptoir.platform.db.integrity import is_unique_violation
from comptoir.platform.db.listing import ListQuery, ListSpec, list_page
from comptoir.platform.db.pagination import Page, keyset_page
from comptoir.platform.db.scope import TenantScope, tenant_scope
from comptoir.platform.directory.service import set_user_count, tenant_by_id
from comptoir.platform.errors import Conflict, Forbidden, NotFound, ValidationFailed
from comptoir.platform.outbox.service import queue_email
from comptoir.platform.settings import get_settings
from comptoir.tenants.signup.service import EMAIL_PATTERN
from comptoir.tenants.users.tables import Invitation

USER_STATUSES = ("active", "disabled")
INVALID_INVITATION = (
    "This invitation link is invalid or has expired. Ask your administrator for a new one."
)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise Forbidden("Only a workspace administrator can do this.")


def _validate_person(email: str, role: str, first_name: str, last_name: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not EMAIL_PATTERN.match(email) or len(email) > 254:
        errors["email"] = "must be a valid e-mail address"
    if role not in ROLES:
        errors["role"] = f"must be one of {', '.join(ROLES)}"
    if len(first_name) > 100:
        errors["first_name"] = "must be at most 100 characters"
    if len(last_name) > 100:
        errors["last_name"] = "must be at most 100 characters"
    return errors


async def _refresh_user_count(scope: TenantScope) -> None:
    """The directory's count of active users (the seats), written to the
    control plane once the tenant's transaction has committed."""
    active = await scope.count(User).where(User.status == "active")
    tenant_id = scope.tenant_id

    async def write() -> None:
        await set_user_count(tenant_id, active)

    scope.after_commit(write)
    # Billing listens: a seat added mid-period is billed prorated from today.
    events.emit(
        events.DomainEvent(
            name="seats.counted",
            tenant_id=tenant_id,
            actor_id=None,
            actor_role=None,
            object_type="tenant",
            object_id=str(tenant_id),
            data={"active_users": active},
        )
    )


# A workspace's people fit on a page (they are its paid seats); a page that
# shows them all reads at most this many.
MAX_USERS_ON_A_PAGE = 1000

USER_LIST = ListSpec(
    table=User,
    columns=[
        "id",
        "email",
        "first_name",
        "last_name",
        "role",
        "status",
        "team_id",
        "password_hash",
        "last_login_at",
        "created_at",
    ],
    sorts={"created_at": ("id",), "name": ("last_name", "first_name"), "email": ("email",)},
    filters={"role": "role", "status": "status", "team_id": "team_id"},
    search_column=None,
    search_columns=("email", "first_name", "last_name"),
)


async def list_users(tenant_id: uuid.UUID) -> list[User]:
    async with tenant_scope(tenant_id) as scope:
        return await (
            scope.objects(User)
            .order_by(User.last_name)
            .order_by(User.first_name)
            .limit(MAX_USERS_ON_A_PAGE)
        )


async def users_page(tenant_id: uuid.UUID, query: ListQuery) -> Page[dict[str, Any]]:
    """Users newest first (or by name, e-mail), searched by name or e-mail."""
    async with tenant_scope(tenant_id) as scope:
        return await list_page(scope, USER_LIST, query)


async def invitations_page(
    tenant_id: uuid.UUID, *, cursor: str | None = None, limit: int | None = None
) -> Page[Invitation]:
    async with tenant_scope(tenant_id) as scope:
        return await keyset_page(scope.objects(Invitation), Invitation, cursor=cursor, limit=limit)


async def get_user(tenant_id: uuid.UUID, user_id: str) -> User:
    async with tenant_scope(tenant_id) as scope:
        return await scope.get(User, user_id)


@dataclass(frozen=True)
class NewPerson:
    email: str
    role: str = "end_user"
    first_name: str = ""
    last_name: str = ""


async def add_user(tenant_id: uuid.UUID, person: NewPerson, *, actor: Actor) -> User:
    """Add an active user at once; they get an e-mail with a link to choose
    their password (the same link an invitation uses)."""
    require_admin(actor)
    email = person.email.strip().lower()
    errors = _validate_person(email, person.role, person.first_name, person.last_name)
    if errors:
        raise ValidationFailed(errors)
    locale = await _workspace_locale(tenant_id)
    try:
        async with tenant_scope(tenant_id) as scope:
            if await scope.objects(User).where(User.email == email).first():
                raise Conflict(f"{email} already has an account in this workspace.")
            user = User(
                email=email,
                role=person.role,
                first_name=person.first_name.strip(),
                last_name=person.last_name.strip(),
                status="active",
                locale=locale,
            )
            await scope.insert(user)
            await _refresh_user_count(scope)
            await audit.record(
                scope,
                actor,
                "user.create",
                object_type="user",
                object_id=user.id,
                changes={"email": email, "role": person.role},
            )
            await _send_link(
                scope,
                email=email,
                role=person.role,
                first_name=person.first_name,
                last_name=person.last_name,
                actor=actor,
                kind="welcome",
            )
    except Exception as error:
        if is_unique_violation(error):
            raise Conflict(f"{email} already has an account in this workspace.") from error
        raise
    return user


async def invite_user(tenant_id: uuid.UUID, person: NewPerson, *, actor: Actor) -> Invitation:
    require_admin(actor)
    email = person.email.strip().lower()
    errors = _validate_person(email, person.role, person.first_name, person.last_name)
    if errors:
        raise ValidationFailed(errors)
    async with tenant_scope(tenant_id) as scope:
        if await scope.objects(User).where(User.email == email).first():
            raise Conflict(f"{email} already has an account in this workspace.")
        invitation = await _send_link(
            scope,
            email=email,
            role=person.role,
            first_name=person.first_name,
            last_name=person.last_name,
            actor=actor,
            kind="invitation",
        )
        await audit.record(
            scope,
            actor,
            "invitation.create",
            object_type="invitation",
            object_id=invitation.id,
            changes={"email": email, "role": person.role},
        )
    return invitation


async def _send_link(
    scope: TenantScope,
    *,
    email: str,
    role: str,
    first_name: str,
    last_name: str,
    actor: Actor,
    kind: str,
) -> Invitation:
    settings = get_settings()
    token = new_secret()
    invitation = Invitation(
        email=email,
        role=role,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        token_hash=digest(token),
        invited_by=actor.id,
        expires_at=_now() + dt.timedelta(days=settings.invitation_days),
    )
    await scope.insert(invitation)
    tenant = await tenant_by_id(scope.tenant_id)
    assert tenant is not None
    link = f"{settings.base_url}/w/{tenant.slug}/invitations/{token}"
    from comptoir.platform.web.templating import render_email

    # The recipient has not chosen a language yet (no account before this link is
    # used): the workspace's. The inviter is named, not shown as an address.
    subject, text, html = render_email(
        kind,
        locale=tenant.locale,
        company=tenant.company_name,
        link=link,
        inviter=await _person_name(scope, actor),
        days=settings.invitation_days,
        email=email,
    )
    await queue_email(scope, to=email, subject=subject, body_text=text, body_html=html, kind=kind)
    return invitation


async def _workspace_locale(tenant_id: uuid.UUID) -> str:
    """A new user's language until they choose one: the workspace's (their e-mails
    follow it; the column's default would make them French in an English workspace)."""
    tenant = await tenant_by_id(tenant_id)
    return tenant.locale if tenant is not None and tenant.locale else "fr"


async def _person_name(scope: TenantScope, actor: Actor) -> str:
    """How an e-mail names the person who acted: "Claire Lefèvre", else their address."""
    if actor.kind == "user" and actor.id is not None:
        user = await scope.objects(User).where(User.id == actor.id).first()
        if user is not None:
            name = f"{user.first_name} {user.last_name}".strip()
            return name or user.email
    return actor.label


async def list_invitations(tenant_id: uuid.UUID) -> list[Invitation]:
    async with tenant_scope(tenant_id) as scope:
        return await scope.objects(Invitation).order_by(Invitation.id, ascending=False)


async def revoke_invitation(
    tenant_id: uuid.UUID, invitation_id: str, *, actor: Actor
) -> Invitation:
    require_admin(actor)
    async with tenant_scope(tenant_id) as scope:
        invitation = await scope.get(Invitation, invitation_id)
        if invitation.accepted_at is None and invitation.revoked_at is None:
            invitation.revoked_at = _now()
            await scope.save(invitation, columns=[Invitation.revoked_at])
            await audit.record(
                scope, actor, "invitation.revoke", object_type="invitation", object_id=invitation.id
            )
    return invitation


async def pending_invitation(tenant_id: uuid.UUID, token: str) -> Invitation | None:
    async with tenant_scope(tenant_id) as scope:
        invitation = await (
            scope.objects(Invitation).where(Invitation.token_hash == digest(token)).first()
        )
    if (
        invitation is None
        or invitation.accepted_at is not None
        or invitation.revoked_at is not None
        or invitation.expires_at <= _now()
    ):
        return None
    return invitation


async def accept_invitation(
    tenant_id: uuid.UUID, token: str, *, password: str, first_name: str = "", last_name: str = ""
) -> User:
    """Set the password and activate the account behind an invitation link.

    The link is spent by one conditional update, so of several concurrent
    uses exactly one succeeds and the others get NotFound (never a duplicate
    user); the person's other open links are revoked with it, so an older
    link cannot set the password again."""
    invitation = await pending_invitation(tenant_id, token)
    if invitation is None:
        raise NotFound(INVALID_INVITATION)
    problem = password_problem(password, email=invitation.email)
    if problem:
        raise ValidationFailed({"password": problem})
    # Hashed before the transaction, which then holds its locks briefly.
    password_hash = await hash_password(password)
    locale = await _workspace_locale(tenant_id)
    try:
        async with tenant_scope(tenant_id) as scope:
            now = _now()
            claimed = await (
                scope.update(Invitation, {Invitation.accepted_at: now})
                .where(Invitation.id == invitation.id)
                .where(Invitation.accepted_at.is_null())
                .where(Invitation.revoked_at.is_null())
                .where(Invitation.expires_at > now)
                .returning(Invitation.id)
            )
            if not claimed:  # used, revoked or expired in the meantime
                raise NotFound(INVALID_INVITATION)
            user = await scope.objects(User).where(User.email == invitation.email).first()
            if user is None:
                user = User(
                    email=invitation.email,
                    role=invitation.role,
                    status="active",
                    first_name=first_name.strip() or invitation.first_name,
                    last_name=last_name.strip() or invitation.last_name,
                    password_hash=password_hash,
                    locale=locale,
                )
                await scope.insert(user)
            elif user.status != "active":  # disabled since: the link is void
                raise NotFound(INVALID_INVITATION)
            else:
                user.password_hash = password_hash
                user.first_name = first_name.strip() or user.first_name
                user.last_name = last_name.strip() or user.last_name
                await scope.save(
                    user, columns=[User.password_hash, User.first_name, User.last_name]
                )
            await _void_invitations(scope, invitation.email, now=now)
            await _refresh_user_count(scope)
            actor = Actor(
                kind="user", id=user.id, label=user.email, tenant_id=tenant_id, role=user.role
            )
            await audit.record(
                scope,
                actor,
                "invitation.accept",
                object_type="invitation",
                object_id=invitation.id,
            )
    except Exception as error:
        # Two different links of one person used at once: one creates the user.
        if is_unique_violation(error):
            raise NotFound(INVALID_INVITATION) from error
        raise
    return user


async def _void_invitations(
    scope: TenantScope, email: str, *, now: dt.datetime | None = None
) -> None:
    """Revoke every open invitation link of ``email``, in the caller's transaction."""
    await (
        scope.update(Invitation, {Invitation.revoked_at: now or _now()})
        .where(Invitation.email == email)
        .where(Invitation.accepted_at.is_null())
        .where(Invitation.revoked_at.is_null())
    )


@dataclass(frozen=True)
class UserChanges:
    first_name: str | None = None
    last_name: str | None = None
    role: str | None = None
    status: str | None = None


async def update_user(
    tenant_id: uuid.UUID, user_id: str, changes: UserChanges, *, actor: Actor
) -> User:
    async with tenant_scope(tenant_id) as scope:
        user = await scope.get(User, user_id)
        if user.id != actor.id or changes.role is not None or changes.status is not None:
            require_admin(actor)
        errors: dict[str, str] = {}
        if changes.role is not None and changes.role not in ROLES:
            errors["role"] = f"must be one of {', '.join(ROLES)}"
        if changes.status is not None and changes.status not in USER_STATUSES:
            errors["status"] = f"must be one of {', '.join(USER_STATUSES)}"
        if user.id == actor.id and (
            changes.status == "disabled" or changes.role not in (None, "admin")
        ):
            errors["role"] = "you cannot demote or disable yourself"
        if errors:
            raise ValidationFailed(errors)
        before = user.to_dict()
        for field in ("first_name", "last_name", "role", "status"):
            value = getattr(changes, field)
            if value is not None:
                setattr(user, field, value.strip())
        await scope.save(user)
        if before["status"] == "active" and user.status == "disabled":
            # Disabling ends the user's sessions, API tokens and open links for
            # good: enabling the user again revives none of them.
            await end_user_credentials(scope, user.id)
            await void_reset_links(scope, user.id)
            await _void_invitations(scope, user.email)
        await _refresh_user_count(scope)
        await audit.record(
            scope,
            actor,
            "user.update",
            object_type="user",
            object_id=user.id,
            changes=audit.diff(before, user.to_dict()),
        )
    return user
