"""Signing users in: passwords, sessions and API tokens of workspace users."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from comptoir.platform import events
from comptoir.platform.audit import service as audit
from comptoir.platform.auth import throttle
from comptoir.platform.auth.actor import Actor
from comptoir.platform.auth.credentials import (
    digest,
    hash_password,
    needs_rehash,
    new_secret,
    password_problem,
    verify_password,
)
from comptoir.platform.auth.tables import ApiToken, User, UserSession
from comptoir.platform.db.pagination import Page, keyset_page
from comptoir.platform.db.scope import TenantScope, tenant_scope
from comptoir.platform.directory.service import ensure_usable, tenant_by_id, touch_activity
from comptoir.platform.directory.tables import Tenant
from comptoir.platform.errors import Forbidden, NotAuthenticated, NotFound, ValidationFailed
from comptoir.platform.ids import parse_id
from comptoir.platform.settings import get_settings

TOKEN_PREFIX = "cpt"  # noqa: S105 (a label, not a secret)
SESSION_TOUCH = dt.timedelta(minutes=1)
MAX_TOKEN_LIFETIME = dt.timedelta(days=5 * 366)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def actor_for(user: User, *, ip_address: str = "", session: UserSession | None = None) -> Actor:
    return Actor(
        kind="user",
        id=user.id,
        label=user.email,
        tenant_id=user.tenant_id,
        role=user.role,
        ip_address=ip_address,
        impersonator_staff_id=session.impersonator_staff_id if session else None,
        session_id=session.id if session else None,
    )


async def authenticate_password(tenant: Tenant, email: str, password: str, ip_address: str) -> User:
    """The active user with these credentials, or NotAuthenticated.

    Throttled per address and per account and address (TooManyAttempts
    while locked out); failures on the account from anywhere only slow the
    next attempts down, so a correct password still signs the owner in."""
    account = throttle.account_key(str(tenant.id), email)
    await throttle.check_sign_in(account, ip_address)
    async with tenant_scope(tenant.id) as scope:
        user = await scope.objects(User).where(User.email == email.strip().lower()).first()
    # Always verify, even without a user, so a missing account costs the same time.
    password_ok = await verify_password(user.password_hash if user else None, password)
    if user is None or user.status != "active" or not password_ok:
        await throttle.sign_in_failed(account, ip_address)
        raise NotAuthenticated("Incorrect e-mail or password.")
    if user.role != "admin":
        # A suspended workspace still lets its admins in, to settle its billing.
        ensure_usable(tenant)
    await throttle.signed_in(account, ip_address)
    if user.password_hash and needs_rehash(user.password_hash):
        user.password_hash = await hash_password(password)
        async with tenant_scope(tenant.id) as scope:
            await scope.save(user, columns=[User.password_hash])
    return user


async def end_user_sessions(
    scope: TenantScope, user_id: uuid.UUID, *, keep: uuid.UUID | None = None
) -> None:
    """Sign a user out everywhere (but the session ``keep``), in the caller's
    transaction: after a password change, whoever knew the old one is out."""
    query = (
        scope.update(UserSession, {UserSession.revoked_at: _now()})
        .where(UserSession.user_id == user_id)
        .where(UserSession.revoked_at.is_null())
    )
    if keep is not None:
        query = query.where(UserSession.id != keep)
    await query


async def end_user_credentials(scope: TenantScope, user_id: uuid.UUID) -> None:
    """End every session and API token of a user for good, in the caller's
    transaction: a disabled user's credentials do not come back if the user
    is enabled again."""
    await end_user_sessions(scope, user_id)
    await (
        scope.update(ApiToken, {ApiToken.revoked_at: _now()})
        .where(ApiToken.user_id == user_id)
        .where(ApiToken.revoked_at.is_null())
    )


async def change_password(
    tenant: Tenant,
    user_id: uuid.UUID,
    *,
    current_password: str,
    new_password: str,
    actor: Actor,
    keep_session_id: uuid.UUID | None,
) -> None:
    """A signed-in user changes their own password. Wrong current passwords
    count against the account like failed sign-ins; the user's other sessions
    end; support staff impersonating the user may not do it."""
    if actor.impersonator_staff_id is not None:
        raise Forbidden("Support staff cannot change a user's password.")
    async with tenant_scope(tenant.id) as scope:
        user = await scope.get(User, user_id)
    account = throttle.account_key(str(tenant.id), user.email)
    await throttle.check_sign_in(account, actor.ip_address)
    if not await verify_password(user.password_hash, current_password):
        await throttle.sign_in_failed(account, actor.ip_address)
        raise ValidationFailed({"current_password": "is not your current password"})
    problem = password_problem(new_password, email=user.email)
    if problem is None and new_password == current_password:
        problem = "must be different from the current one"
    if problem:
        raise ValidationFailed({"password": problem})
    password_hash = await hash_password(new_password)
    async with tenant_scope(tenant.id) as scope:
        await scope.update(User, {User.password_hash: password_hash}).where(User.id == user.id)
        await end_user_sessions(scope, user.id, keep=keep_session_id)
        if keep_session_id is not None:  # the current password was just entered
            await scope.update(UserSession, {UserSession.authenticated_at: _now()}).where(
                UserSession.id == keep_session_id
            )
        await audit.record(scope, actor, "password.change", object_type="user", object_id=user.id)


@dataclass(frozen=True)
class OpenedSession:
    token: str
    session: UserSession


async def open_session(
    tenant: Tenant,
    user: User,
    *,
    ip_address: str,
    user_agent: str,
    impersonator_staff_id: uuid.UUID | None = None,
    impersonation_reason: str | None = None,
    lifetime: dt.timedelta | None = None,
) -> OpenedSession:
    """A fresh session id at every sign-in (no fixation)."""
    token = new_secret()
    now = _now()
    lifetime = lifetime or dt.timedelta(hours=get_settings().session_max_hours)
    session = UserSession(
        token_hash=digest(token),
        user_id=user.id,
        expires_at=now + lifetime,
        last_seen_at=now,
        ip_address=ip_address[:64],
        user_agent=user_agent[:300],
        impersonator_staff_id=impersonator_staff_id,
        impersonation_reason=impersonation_reason,
        # Staff impersonating the user have not entered the user's password.
        authenticated_at=now if impersonator_staff_id is None else None,
    )
    async with tenant_scope(tenant.id) as scope:
        await scope.insert(session)
        if impersonator_staff_id is None:
            await scope.update(User, {User.last_login_at: now}).where(User.id == user.id)
            await audit.record(
                scope,
                actor_for(user, ip_address=ip_address),
                "user.login",
                object_type="user",
                object_id=user.id,
            )
            events.emit(
                events.DomainEvent(
                    name="user.signed_in",
                    tenant_id=tenant.id,
                    actor_id=user.id,
                    actor_role=user.role,
                    object_type="user",
                    object_id=str(user.id),
                )
            )
    await touch_activity(tenant)
    return OpenedSession(token=token, session=session)


def session_is_live(session: UserSession, now: dt.datetime | None = None) -> bool:
    """Not revoked, not past its end, not idle too long, and not older than
    the absolute lifetime (which also ends sessions opened before the
    setting was lowered)."""
    settings = get_settings()
    now = now or _now()
    return (
        session.revoked_at is None
        and session.expires_at > now
        and now - session.last_seen_at < dt.timedelta(minutes=settings.session_idle_minutes)
        and now - session.created_at < dt.timedelta(hours=settings.session_max_hours)
    )


async def load_session(tenant: Tenant, token: str) -> tuple[UserSession, User] | None:
    """The live session behind a cookie, with its user; None if it is unknown,
    revoked, expired, idle for too long, or its user is no longer active."""
    if not token:
        return None
    now = _now()
    async with tenant_scope(tenant.id) as scope:
        session = await (
            scope.objects(UserSession).where(UserSession.token_hash == digest(token)).first()
        )
        if session is None or not session_is_live(session, now):
            return None
        user = await scope.find(User, session.user_id)
        if user is None or user.status != "active":
            return None
        if now - session.last_seen_at > SESSION_TOUCH:
            session.last_seen_at = now
            await scope.save(session, columns=[UserSession.last_seen_at])
    return session, user


async def list_sessions(tenant_id: uuid.UUID, user_id: uuid.UUID) -> list[UserSession]:
    now = _now()
    async with tenant_scope(tenant_id) as scope:
        sessions = await (
            scope.objects(UserSession)
            .where(UserSession.user_id == user_id)
            .where(UserSession.revoked_at.is_null())
            .where(UserSession.expires_at > now)
            .order_by(UserSession.last_seen_at, ascending=False)
        )
    return [session for session in sessions if session_is_live(session, now)]


def recently_authenticated(session: UserSession, now: dt.datetime | None = None) -> bool:
    """Whether the password was entered in this session within the last
    ``reauth_minutes``: sensitive actions in the pages ask for it otherwise."""
    if session.authenticated_at is None:
        return False
    now = now or _now()
    return now - session.authenticated_at < dt.timedelta(minutes=get_settings().reauth_minutes)


async def confirm_password(
    tenant: Tenant, session: UserSession, password: str, *, actor: Actor
) -> None:
    """The signed-in user enters their password again before a sensitive
    action: the session counts as recently authenticated from now on. Wrong
    passwords count like failed sign-ins; staff impersonating the user are
    refused (they do not know it)."""
    if session.impersonator_staff_id is not None or actor.impersonator_staff_id is not None:
        raise Forbidden("Support staff cannot confirm a user's password.")
    async with tenant_scope(tenant.id) as scope:
        user = await scope.get(User, session.user_id)
    account = throttle.account_key(str(tenant.id), user.email)
    await throttle.check_sign_in(account, actor.ip_address)
    if user.status != "active" or not await verify_password(user.password_hash, password):
        await throttle.sign_in_failed(account, actor.ip_address)
        raise NotAuthenticated("Incorrect password.")
    await throttle.signed_in(account, actor.ip_address)
    now = _now()
    async with tenant_scope(tenant.id) as scope:
        await scope.update(UserSession, {UserSession.authenticated_at: now}).where(
            UserSession.id == session.id
        )
        await audit.record(
            scope, actor, "password.confirm", object_type="session", object_id=session.id
        )
    session.authenticated_at = now


async def revoke_session(tenant_id: uuid.UUID, session_id: str, *, actor: Actor) -> None:
    """Users revoke their own sessions; admins revoke anyone's in their tenant."""
    async with tenant_scope(tenant_id) as scope:
        session = await scope.get(UserSession, session_id)
        if session.user_id != actor.id and not actor.is_admin:
            raise NotFound("No such session.")
        if session.revoked_at is None:
            session.revoked_at = _now()
            await scope.save(session, columns=[UserSession.revoked_at])
            await audit.record(
                scope, actor, "session.revoke", object_type="session", object_id=session.id
            )


async def end_session(tenant_id: uuid.UUID, token: str, *, ip_address: str = "") -> None:
    """Sign out: the session behind this cookie ends, and the audit log says so."""
    async with tenant_scope(tenant_id) as scope:
        session = await (
            scope.objects(UserSession)
            .where(UserSession.token_hash == digest(token))
            .where(UserSession.revoked_at.is_null())
            .first()
        )
        if session is None:
            return
        session.revoked_at = _now()
        await scope.save(session, columns=[UserSession.revoked_at])
        user = await scope.find(User, session.user_id)
        if user is not None:
            actor = actor_for(user, ip_address=ip_address, session=session)
            await audit.record(scope, actor, "user.logout", object_type="user", object_id=user.id)


@dataclass(frozen=True)
class CreatedToken:
    token: str
    record: ApiToken


def _format_token(tenant_id: uuid.UUID, secret: str) -> str:
    """``cpt_<tenant id>_<secret>``: the tenant part lets the server open the right
    tenant scope before it looks the hash up; only the hash is stored."""
    return f"{TOKEN_PREFIX}_{tenant_id.hex}_{secret}"


def expiry_problem(expires_at: dt.datetime | None, now: dt.datetime | None = None) -> str | None:
    """Why a token's expiry is unusable, or None (no expiry is fine)."""
    if expires_at is None:
        return None
    if expires_at.tzinfo is None:
        return "must include a time zone, e.g. 2027-01-31T23:59:59Z"
    now = now or _now()
    if expires_at <= now:
        return "must be in the future"
    if expires_at > now + MAX_TOKEN_LIFETIME:
        return "must be within 5 years"
    return None


async def create_api_token(
    tenant_id: uuid.UUID,
    user_id: uuid.UUID,
    *,
    name: str,
    actor: Actor,
    expires_at: dt.datetime | None = None,
) -> CreatedToken:
    """A token acting as ``user_id``, an active user of the tenant, refused
    from ``expires_at`` on (never, without it)."""
    problem = expiry_problem(expires_at)
    if problem:
        raise ValidationFailed({"expires_at": problem})
    async with tenant_scope(tenant_id) as scope:
        user = await scope.get(User, user_id)
        if user.status != "active":
            raise ValidationFailed({"user_id": "must be an active user of this workspace"})
        token = _format_token(tenant_id, new_secret())
        record = ApiToken(
            name=name[:100] or "API",
            token_hash=digest(token),
            prefix=token[:12],
            user_id=user.id,
            created_by=actor.id,
            expires_at=expires_at.astimezone(dt.UTC) if expires_at else None,
        )
        await scope.insert(record)
        changes = {"name": record.name, "user": user.email}
        if record.expires_at is not None:
            changes["expires_at"] = record.expires_at.isoformat()
        await audit.record(
            scope,
            actor,
            "api_token.create",
            object_type="api_token",
            object_id=record.id,
            changes=changes,
        )
    return CreatedToken(token=token, record=record)


async def revoke_api_token(tenant_id: uuid.UUID, token_id: str, *, actor: Actor) -> None:
    async with tenant_scope(tenant_id) as scope:
        record = await scope.get(ApiToken, token_id)
        if record.revoked_at is None:
            record.revoked_at = _now()
            await scope.save(record, columns=[ApiToken.revoked_at])
            await audit.record(
                scope, actor, "api_token.revoke", object_type="api_token", object_id=record.id
            )


async def list_api_tokens(tenant_id: uuid.UUID) -> list[ApiToken]:
    async with tenant_scope(tenant_id) as scope:
        return await scope.objects(ApiToken).order_by(ApiToken.id, ascending=False)


async def api_tokens_page(
    tenant_id: uuid.UUID, *, cursor: str | None = None, limit: int | None = None
) -> Page[ApiToken]:
    async with tenant_scope(tenant_id) as scope:
        return await keyset_page(scope.objects(ApiToken), ApiToken, cursor=cursor, limit=limit)


@dataclass(frozen=True)
class BearerIdentity:
    tenant: Tenant
    user: User
    token: ApiToken


async def authenticate_bearer(token: str) -> BearerIdentity:
    """Resolve a bearer token to its tenant and user, or NotAuthenticated.
    A suspended tenant's valid token gets TenantSuspended (403)."""
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        raise NotAuthenticated("Invalid or revoked API token.")
    tenant_id = parse_id(parts[1])
    tenant = await tenant_by_id(tenant_id) if tenant_id else None
    if tenant is None:
        raise NotAuthenticated("Invalid or revoked API token.")
    async with tenant_scope(tenant.id) as scope:
        record = await scope.objects(ApiToken).where(ApiToken.token_hash == digest(token)).first()
        user = await scope.find(User, record.user_id) if record else None
        if (
            record is None
            or record.revoked_at is not None
            or (record.expires_at is not None and record.expires_at <= _now())
            or user is None
            or user.status != "active"
        ):
            raise NotAuthenticated("Invalid or revoked API token.")
        now = _now()
        if record.last_used_at is None or now - record.last_used_at > SESSION_TOUCH:
            record.last_used_at = now
            await scope.save(record, columns=[ApiToken.last_used_at])
    ensure_usable(tenant)
    await touch_activity(tenant)
    return BearerIdentity(tenant=tenant, user=user, token=record)
