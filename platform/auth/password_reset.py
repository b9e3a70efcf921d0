""" "Forgot my password": a link by e-mail, usable once within the hour.

The request always gets the same answer, whether or not the address has an
account, so the form cannot be used to find out who works where."""

from __future__ import annotations

import datetime as dt
import uuid

from comptoir.platform.audit import service as audit
from comptoir.platform.auth import throttle
from comptoir.platform.auth.credentials import digest, hash_password, new_secret, password_problem
from comptoir.platform.auth.service import actor_for, end_user_sessions
from comptoir.platform.auth.tables import PasswordReset, User
from comptoir.platform.db.scope import TenantScope, tenant_scope
from comptoir.platform.directory.service import tenant_by_id
from comptoir.platform.directory.tables import Tenant
from comptoir.platform.errors import NotFound, ValidationFailed
from comptoir.platform.jobs.job_queue import enqueue
from comptoir.platform.jobs.kinds import JobContext
from comptoir.platform.outbox.service import queue_email
from comptoir.platform.settings import get_settings
from comptoir.platform.web.templating import render_email

LINK_LIFETIME = dt.timedelta(hours=1)
INVALID_LINK = "This link is invalid or has expired. Ask for a new one."
# Requests per address and per account: enough for a typo, not for a mail bomb.
ADDRESS_POLICY = throttle.ThrottlePolicy(10, dt.timedelta(minutes=15), dt.timedelta(minutes=15))
ACCOUNT_POLICY = throttle.ThrottlePolicy(3, dt.timedelta(minutes=15), dt.timedelta(minutes=15))


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


RESET_LINK_JOB = "password.reset_link"
RESET_LINK_ATTEMPTS = 3


async def request_password_reset(tenant: Tenant, email: str, *, ip_address: str) -> None:
    """Ask for a reset link for ``email``. Raises TooManyAttempts when this
    address or account asked too often.

    The request does the same work whether or not the address has an account:
    it counts against the throttles and queues a ``password.reset_link`` job,
    nothing else. The job (a worker, after the request) looks the address up
    and, for an active user, writes the link and queues the e-mail; neither
    the time taken nor the queries run tell who works where."""
    email = email.strip().lower()
    address_key = f"reset:{throttle.address_key(ip_address)}"
    account_key = f"reset:{throttle.account_key(str(tenant.id), email)}"
    await throttle.check(address_key)
    await throttle.check(account_key)
    await throttle.record_failure(address_key, ADDRESS_POLICY)
    await throttle.record_failure(account_key, ACCOUNT_POLICY)
    await enqueue(
        RESET_LINK_JOB,
        {"email": email[:254], "ip_address": ip_address[:64]},
        tenant_id=tenant.id,
        max_attempts=RESET_LINK_ATTEMPTS,
    )


async def send_reset_link(context: JobContext) -> None:
    """The ``password.reset_link`` job: if the address is an active user of
    the tenant, write a one-hour link and queue the e-mail that carries it
    (delivered by the outbox's own job); otherwise do nothing."""
    email = str(context.args.get("email", ""))
    ip_address = str(context.args.get("ip_address", ""))
    tenant = await tenant_by_id(context.tenant_id) if context.tenant_id else None
    if tenant is None or not email:
        return
    async with tenant_scope(tenant.id) as scope:
        user = await scope.objects(User).where(User.email == email).first()
        if user is None or user.status != "active":
            return
        token = new_secret()
        reset = PasswordReset(
            user_id=user.id,
            token_hash=digest(token),
            expires_at=_now() + LINK_LIFETIME,
            ip_address=ip_address[:64],
        )
        await scope.insert(reset)
        link = f"{get_settings().base_url}/w/{tenant.slug}/password/reset/{token}"
        subject, text, html = render_email(
            "password_reset",
            locale=user.locale or tenant.locale,
            company=tenant.company_name,
            link=link,
            email=user.email,
            ip_address=ip_address,
        )
        await queue_email(
            scope,
            to=user.email,
            subject=subject,
            body_text=text,
            body_html=html,
            kind="password_reset",
        )
        await audit.record(
            scope,
            actor_for(user, ip_address=ip_address),
            "password.reset_requested",
            object_type="user",
            object_id=user.id,
        )


async def pending_reset(tenant_id: uuid.UUID, token: str) -> PasswordReset | None:
    async with tenant_scope(tenant_id) as scope:
        reset = await (
            scope.objects(PasswordReset).where(PasswordReset.token_hash == digest(token)).first()
        )
    if reset is None or reset.used_at is not None or reset.expires_at <= _now():
        return None
    return reset


async def reset_password(tenant: Tenant, token: str, password: str, *, ip_address: str) -> User:
    """Set a new password through a reset link. The link is spent by one
    conditional update, so of several concurrent uses exactly one succeeds
    (the others get NotFound); the user's other reset links are spent with
    it, and every session of the user ends (whoever knew the old password is
    signed out)."""
    reset = await pending_reset(tenant.id, token)
    if reset is None:
        raise NotFound(INVALID_LINK)
    async with tenant_scope(tenant.id) as scope:
        user = await scope.get(User, reset.user_id)
    problem = password_problem(password, email=user.email)
    if problem:
        raise ValidationFailed({"password": problem})
    # Hashed before the transaction, which then holds its locks briefly.
    password_hash = await hash_password(password)
    async with tenant_scope(tenant.id) as scope:
        now = _now()
        spent = await (
            scope.update(PasswordReset, {PasswordReset.used_at: now})
            .where(PasswordReset.id == reset.id)
            .where(PasswordReset.used_at.is_null())
            .where(PasswordReset.expires_at > now)
            .returning(PasswordReset.id)
        )
        if not spent:  # used by a concurrent request in the meantime
            raise NotFound(INVALID_LINK)
        user = await scope.get(User, reset.user_id)
        if user.status != "active":
            raise NotFound(INVALID_LINK)
        await void_reset_links(scope, user.id, now=now)
        await scope.update(User, {User.password_hash: password_hash}).where(User.id == user.id)
        user.password_hash = password_hash
        await end_user_sessions(scope, user.id)
        await audit.record(
            scope,
            actor_for(user, ip_address=ip_address),
            "password.reset",
            object_type="user",
            object_id=user.id,
        )
    return user


async def void_reset_links(
    scope: TenantScope, user_id: uuid.UUID, *, now: dt.datetime | None = None
) -> None:
    """Spend every reset link of a user still open, in the caller's
    transaction (after a reset, or when the user is disabled)."""
    await (
        scope.update(PasswordReset, {PasswordReset.used_at: now or _now()})
        .where(PasswordReset.user_id == user_id)
        .where(PasswordReset.used_at.is_null())
    )
