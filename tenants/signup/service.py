"""Provisioning: a company signs up and gets a usable workspace in one transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass

from comptoir.platform.assembly import all_features
from comptoir.platform.audit import service as audit
from comptoir.platform.auth.actor import Actor
from comptoir.platform.auth.credentials import hash_password, password_problem, verify_password
from comptoir.platform.auth.service import create_api_token
from comptoir.platform.auth.tables import User, UserSession
from comptoir.platform.db.integrity import is_unique_violation
from comptoir.platform.db.scope import TenantScope, control_scope, tenant_scope
from comptoir.platform.directory.service import record_provisioning, tenant_by_slug
from comptoir.platform.directory.tables import Tenant
from comptoir.platform.errors import Conflict, ValidationFailed
from comptoir.platform.ids import new_id
from comptoir.tenants.access.permissions import role_defaults
from comptoir.tenants.opportunities.tables import LostReason, PipelineStage
from comptoir.tenants.signup import defaults, limits
from comptoir.tenants.signup.slugs import slug_problem
from comptoir.tenants.signup.tables import TicketSla
from comptoir.tenants.users.tables import Role

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class SignupRequest:
    company_name: str
    slug: str
    admin_email: str
    admin_password: str
    plan: str = "essentiel"
    admin_first_name: str = ""
    admin_last_name: str = ""
    locale: str = "fr"

    def fingerprint(self) -> str:
        """What a retry must repeat to be the same request (the password is
        included only as a hash of a hash, never stored)."""
        payload = {
            "company_name": self.company_name,
            "slug": self.slug,
            "admin_email": self.admin_email.lower(),
            "plan": self.plan,
            "password": hashlib.sha256(self.admin_password.encode()).hexdigest(),
        }
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class ProvisionedTenant:
    tenant: Tenant
    admin: User
    api_token: str  # "" when none was asked for (a signup from the web page)
    replayed: bool = False


# How long a signup may be replayed with its Idempotency-Key, at most.
REPLAY_WINDOW = dt.timedelta(hours=24)


class SignupAlreadyUsed(Conflict):
    """A replay that may no longer grant anything: the workspace is in use."""


def validate(request: SignupRequest) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not request.company_name.strip():
        errors["company_name"] = "is required"
    elif len(request.company_name) > 200:
        errors["company_name"] = "must be at most 200 characters"
    problem = slug_problem(request.slug)
    if problem:
        errors["slug"] = problem
    if not EMAIL_PATTERN.match(request.admin_email.strip()) or len(request.admin_email) > 254:
        errors["admin_email"] = "must be a valid e-mail address"
    problem = password_problem(
        request.admin_password, email=request.admin_email, company=request.company_name
    )
    if problem:
        errors["admin_password"] = problem
    if request.plan not in defaults.PLANS:
        errors["plan"] = f"must be one of {', '.join(defaults.PLANS)}"
    if request.locale not in ("fr", "en"):
        errors["locale"] = "must be fr or en"
    return errors


async def provision_tenant(
    request: SignupRequest,
    *,
    idempotency_key: str | None = None,
    actor: Actor | None = None,
    api_token: bool = False,
    client_ip: str | None = None,
) -> ProvisionedTenant:
    """Create the tenant, its admin, roles, pipeline stages and ticket SLAs;
    with ``api_token``, an API token for the admin too (the API's signup).

    The same ``idempotency_key`` with the same request returns the same tenant
    (with a new API token when asked, since tokens are only ever shown once),
    but only while the replay grants nothing its first caller could not still
    have: within 24 hours, before anyone signed in to the workspace, and while
    the admin's password is still the one sent; after that, SignupAlreadyUsed.

    With ``client_ip`` (a signup from the web or the API), signups are limited
    per address and per admin e-mail (TooManyAttempts); every valid attempt,
    replays included, counts."""
    if client_ip is not None:
        await limits.check_signup_allowed(ip_address=client_ip, admin_email=request.admin_email)
    errors = validate(request)
    if errors:
        raise ValidationFailed(errors)
    if client_ip is not None:
        await limits.count_signup(ip_address=client_ip, admin_email=request.admin_email)
    fingerprint = request.fingerprint()
    if idempotency_key:
        replay = await _replay(idempotency_key, fingerprint, request, api_token=api_token)
        if replay is not None:
            return replay
    if await tenant_by_slug(request.slug) is not None:
        raise Conflict(f"The workspace address '{request.slug}' is already taken.")
    tenant_id = new_id()
    password_hash = await hash_password(request.admin_password)
    tenant = Tenant(
        id=tenant_id,
        slug=request.slug,
        company_name=request.company_name.strip(),
        plan=request.plan,
        status="trial",
        trial_ends_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=defaults.TRIAL_DAYS),
        signup_idempotency_key=idempotency_key,
        signup_fingerprint=fingerprint,
        locale=request.locale,
        user_count=1,
    )
    # The directory entry is the control plane's, written on its own; the
    # workspace is the tenant's, in its own transaction (it may live in another
    # cell). If the workspace cannot be provisioned, the entry is taken back.
    try:
        async with control_scope():
            await tenant.save()
    except Exception as error:
        if not is_unique_violation(error):
            raise
        if idempotency_key:
            replay = await _replay(idempotency_key, fingerprint, request, api_token=api_token)
            if replay is not None:
                return replay
        raise Conflict(f"The workspace address '{request.slug}' is already taken.") from error
    feature_steps: list[tuple[str, str]] = []
    try:
        async with tenant_scope(tenant_id) as scope:
            admin = await _provision_workspace(
                scope, tenant, request, password_hash, actor, feature_steps
            )
            token = ""
            if api_token:
                created = await create_api_token(
                    tenant_id, admin.id, name="Signup", actor=_admin_actor(admin)
                )
                token = created.token
    except BaseException:
        await Tenant.delete().where(Tenant.id == tenant_id)
        raise
    await record_provisioning(tenant_id, [*_provisioning_steps(tenant, admin), *feature_steps])
    return ProvisionedTenant(tenant=tenant, admin=admin, api_token=token)


def _provisioning_steps(tenant: Tenant, admin: User) -> list[tuple[str, str]]:
    return [
        ("tenant", f"Workspace {tenant.slug} created on plan {tenant.plan}"),
        ("admin", f"Administrator {admin.email} created"),
        ("roles", ", ".join(defaults.ROLES)),
        ("pipeline", f"{len(defaults.PIPELINE_STAGES)} pipeline stages"),
        ("ticket_slas", f"{len(defaults.TICKET_SLAS)} ticket SLAs"),
    ]


def _role(key: str, name: str, description: str) -> Role:
    """A role with the grants the features' manifests give it by default."""
    permissions, known, sees_all = role_defaults(key)
    return Role(
        key=key,
        name=name,
        description=description,
        permissions=permissions,
        known_features=known,
        sees_all_records=sees_all,
    )


def _admin_actor(admin: User) -> Actor:
    return Actor(
        kind="user", id=admin.id, label=admin.email, tenant_id=admin.tenant_id, role="admin"
    )


async def _provision_workspace(
    scope: TenantScope,
    tenant: Tenant,
    request: SignupRequest,
    password_hash: str,
    actor: Actor | None,
    steps: list[tuple[str, str]],
) -> User:
    """The workspace's records; the features' provisioners add their lines to ``steps``."""
    admin = User(
        email=request.admin_email.strip().lower(),
        first_name=request.admin_first_name.strip(),
        last_name=request.admin_last_name.strip(),
        role="admin",
        status="active",
        password_hash=password_hash,
        locale=request.locale,
    )
    await scope.insert(admin)
    await scope.insert_many(
        [_role(key, name, text) for key, (name, text) in defaults.ROLES.items()]
    )
    await scope.insert_many(
        [
            PipelineStage(
                key=s.key,
                name=s.name,
                position=i,
                probability=s.probability,
                is_won=s.is_won,
                is_lost=s.is_lost,
            )
            for i, s in enumerate(defaults.PIPELINE_STAGES)
        ]
    )
    await scope.insert_many(
        [LostReason(name=name, position=i) for i, name in enumerate(defaults.LOST_REASONS)]
    )
    await scope.insert_many(
        [
            TicketSla(priority=p, first_response_minutes=first, resolution_minutes=resolution)
            for p, (first, resolution) in defaults.TICKET_SLAS.items()
        ]
    )
    for feature in all_features():
        for provisioner in feature.provisioners:
            step = await provisioner(scope, tenant, admin)
            if step is not None:
                steps.append(step)
    await audit.record(
        scope,
        actor or _admin_actor(admin),
        "tenant.provision",
        object_type="tenant",
        object_id=tenant.id,
        changes={"slug": tenant.slug, "plan": tenant.plan},
    )
    return admin


async def _replay(
    idempotency_key: str, fingerprint: str, request: SignupRequest, *, api_token: bool
) -> ProvisionedTenant | None:
    """The tenant a first request with this key made, for a retry of it; None
    when there is none. Refused (SignupAlreadyUsed) once the replay could
    grant more than the first caller may still have: after REPLAY_WINDOW,
    once a session was opened in the workspace, or once the admin's password
    is no longer the one sent (or the admin is no longer an active admin)."""
    tenant = await Tenant.objects().where(Tenant.signup_idempotency_key == idempotency_key).first()
    if tenant is None:
        return None
    if tenant.signup_fingerprint != fingerprint:
        raise Conflict("This Idempotency-Key was already used with a different signup request.")
    if tenant.created_at <= dt.datetime.now(dt.UTC) - REPLAY_WINDOW:
        raise SignupAlreadyUsed(REPLAY_REFUSED)
    async with tenant_scope(tenant.id) as scope:
        admin = await scope.objects(User).where(User.role == "admin").order_by(User.id).first()
        if admin is None:  # the first request is still provisioning the workspace
            raise Conflict("This signup is still being processed; retry in a moment.")
        signed_in = await scope.select(UserSession, UserSession.id).limit(1)
        if (
            signed_in
            or admin.status != "active"
            or admin.email != request.admin_email.strip().lower()
        ):
            raise SignupAlreadyUsed(REPLAY_REFUSED)
        if not await verify_password(admin.password_hash, request.admin_password):
            raise SignupAlreadyUsed(REPLAY_REFUSED)
        token = ""
        if api_token:
            created = await create_api_token(
                tenant.id, admin.id, name="Signup (retried)", actor=_admin_actor(admin)
            )
            token = created.token
    return ProvisionedTenant(tenant=tenant, admin=admin, api_token=token, replayed=True)


REPLAY_REFUSED = (
    "This signup was already completed and its workspace is in use: sign in to it, "
    "or sign up again with a new Idempotency-Key."
)
