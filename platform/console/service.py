"""Staff accounts of the provider's ops team, signing them in to the console,
and the staff audit log."""

from __future__ import annotations

import datetime as dt
import hmac
import re
import time
import uuid
from dataclasses import dataclass

import pyotp

from comptoir.platform.audit import service as audit
from comptoir.platform.audit.tables import StaffAuditEntry
from comptoir.platform.auth import throttle
from comptoir.platform.auth.credentials import (
    digest,
    hash_password,
    new_secret,
    password_problem,
    verify_password,
)
from comptoir.platform.auth.tables import StaffSession, StaffUser
from comptoir.platform.db.scope import control_scope
from comptoir.platform.errors import Conflict, NotAuthenticated, TooManyAttempts, ValidationFailed
from comptoir.platform.settings import get_settings

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
TOTP_ISSUER = "Comptoir console"
# The demo's staff account, published in the demo's start-up message.
DEMO_STAFF_EMAIL = "ops@comptoir.localhost"
DEMO_STAFF_PASSWORD = "console-comptoir-2026"  # noqa: S105 (published demo login)


@dataclass(frozen=True)
class CreatedStaff:
    staff: StaffUser
    totp_secret: str

    @property
    def provisioning_uri(self) -> str:
        return pyotp.TOTP(self.totp_secret).provisioning_uri(
            name=self.staff.email, issuer_name=TOTP_ISSUER
        )


async def create_staff(email: str, password: str, *, name: str = "") -> CreatedStaff:
    email = email.strip().lower()
    errors: dict[str, str] = {}
    if not EMAIL_PATTERN.match(email):
        errors["email"] = "must be a valid e-mail address"
    problem = password_problem(password, email=email)
    if problem:
        errors["password"] = problem
    if errors:
        raise ValidationFailed(errors)
    if await StaffUser.exists().where(StaffUser.email == email):
        raise Conflict(f"A staff account for {email} already exists.")
    secret = pyotp.random_base32()
    staff = StaffUser(
        email=email,
        name=name.strip() or email.split("@")[0],
        password_hash=await hash_password(password),
        totp_secret=secret,
    )
    await staff.save()
    await audit.record_staff(staff.id, staff.email, "staff.create")
    return CreatedStaff(staff=staff, totp_secret=secret)


# ---- signing staff in -------------------------------------------------------

STAFF_SESSION_HOURS = 12
STAFF_SESSION_TOUCH = dt.timedelta(minutes=1)
SIGN_IN_FAILED = "Incorrect e-mail, password or code."
THROTTLE_SCOPE = "console"
STAFF_ACTIONS = (
    "staff.login",
    "staff.login_failed",
    "staff.logout",
    "staff.create",
    "tenant.suspend",
    "tenant.reactivate",
    "staff.impersonate",
    "staff.impersonate_end",
    "outbox.read",
    "job.retry",
    "job.cancel",
)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def totp_step(secret: str, code: str) -> int | None:
    """The 30-second time step whose code this is, accepting the previous and
    the next step for clock drift; None if the code matches none of them."""
    code = code.replace(" ", "").strip()
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = int(time.time()) // totp.interval
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def totp_matches(secret: str, code: str) -> bool:
    return totp_step(secret, code) is not None


async def _claim_totp_step(staff: StaffUser, step: int) -> bool:
    """Record ``step`` as used, unless it (or a later one) already was: a code
    seen once, by an eavesdropper too, cannot sign in again."""
    claimed = await (
        StaffUser.update({StaffUser.last_totp_step: step})
        .where(StaffUser.id == staff.id)
        .where(StaffUser.last_totp_step.is_null() | (StaffUser.last_totp_step < step))
        .returning(StaffUser.id)
    )
    return bool(claimed)


async def authenticate_staff(email: str, password: str, code: str, *, ip_address: str) -> StaffUser:
    """The active staff account with this password and a current TOTP code, or
    NotAuthenticated with one message whatever was wrong. Failures lock the
    address and the (account, address) pair, and only slow the account down
    elsewhere (as for workspace users: a real owner is never locked out). Every
    refusal is written to the staff audit log with the e-mail tried and the
    address (never the password), and why it was refused."""
    email = email.strip().lower()
    account = throttle.account_key(THROTTLE_SCOPE, email)
    try:
        await throttle.check_sign_in(account, ip_address)
    except TooManyAttempts:
        await _record_failed_sign_in(None, email, "throttled", ip_address=ip_address)
        raise
    staff = await StaffUser.objects().where(StaffUser.email == email).first() if email else None
    password_ok = await verify_password(staff.password_hash if staff else None, password)
    step = totp_step(staff.totp_secret, code) if staff is not None else None
    refusal = ""
    if staff is None:
        refusal = "unknown account"
    elif not staff.is_active:
        refusal = "account deactivated"
    elif not password_ok:
        refusal = "wrong password"
    elif step is None:
        refusal = "wrong code"
    elif not await _claim_totp_step(staff, step):
        refusal = "code already used"
    if refusal:
        await throttle.sign_in_failed(account, ip_address)
        await _record_failed_sign_in(
            staff.id if staff else None, email, refusal, ip_address=ip_address
        )
        raise NotAuthenticated(SIGN_IN_FAILED)
    assert staff is not None
    await throttle.signed_in(account, ip_address)
    return staff


async def _record_failed_sign_in(
    staff_id: uuid.UUID | None, email: str, refusal: str, *, ip_address: str
) -> None:
    await audit.record_staff(
        staff_id,
        email[:254],
        "staff.login_failed",
        detail={"email": email[:254], "refused": refusal},
        ip_address=ip_address[:64],
    )


@dataclass(frozen=True)
class OpenedStaffSession:
    token: str
    session: StaffSession

    @property
    def max_age(self) -> int:
        return STAFF_SESSION_HOURS * 3600


async def sign_in_staff(
    email: str, password: str, code: str, *, ip_address: str, user_agent: str
) -> OpenedStaffSession:
    """Check the credentials, then open a 12-hour console session (only the
    token's digest is stored) and write the staff audit log."""
    staff = await authenticate_staff(email, password, code, ip_address=ip_address)
    token = new_secret()
    now = _now()
    session = StaffSession(
        token_hash=digest(token),
        staff_id=staff.id,
        created_at=now,
        expires_at=now + dt.timedelta(hours=STAFF_SESSION_HOURS),
        ip_address=ip_address[:64],
        user_agent=user_agent[:300],
    )
    async with control_scope():
        await session.save()
        await StaffUser.update({StaffUser.last_login_at: now}).where(StaffUser.id == staff.id)
        await audit.record_staff(staff.id, staff.email, "staff.login", ip_address=ip_address)
    return OpenedStaffSession(token=token, session=session)


@dataclass(frozen=True)
class StaffIdentity:
    """The staff member behind a console request."""

    staff: StaffUser
    session: StaffSession
    ip_address: str = ""

    @property
    def label(self) -> str:
        return self.staff.email


async def load_staff_session(token: str) -> tuple[StaffSession, StaffUser] | None:
    """The live console session behind a cookie; None when unknown, expired,
    revoked, or its account was deactivated."""
    if not token:
        return None
    session = await StaffSession.objects().where(StaffSession.token_hash == digest(token)).first()
    now = _now()
    if session is None or session.revoked_at is not None or session.expires_at <= now:
        return None
    staff = await StaffUser.objects().where(StaffUser.id == session.staff_id).first()
    if staff is None or not staff.is_active:
        return None
    return session, staff


async def sign_out_staff(token: str, *, ip_address: str = "") -> None:
    found = await load_staff_session(token)
    if found is None:
        return
    session, staff = found
    async with control_scope():
        await StaffSession.update({StaffSession.revoked_at: _now()}).where(
            StaffSession.id == session.id
        )
        await audit.record_staff(staff.id, staff.email, "staff.logout", ip_address=ip_address)


@dataclass(frozen=True)
class DemoHint:
    email: str
    password: str
    code: str


async def demo_login_hint() -> DemoHint | None:
    """In the demo only: the demo staff account and its current TOTP code, so
    that a visitor without an authenticator app can sign in."""
    if not get_settings().demo:
        return None
    staff = await StaffUser.objects().where(StaffUser.email == DEMO_STAFF_EMAIL).first()
    if staff is None:
        return None
    totp = pyotp.TOTP(staff.totp_secret)
    step = int(time.time()) // totp.interval
    if staff.last_totp_step is not None and staff.last_totp_step >= step:
        step = staff.last_totp_step + 1  # this step's code was used: show the next one
    return DemoHint(email=staff.email, password=DEMO_STAFF_PASSWORD, code=totp.generate_otp(step))


async def staff_audit_log(
    *, limit: int = 100, cursor: uuid.UUID | None = None, action: str = ""
) -> tuple[list[StaffAuditEntry], uuid.UUID | None]:
    """The staff audit log, newest first, with the id to continue from."""
    query = (
        StaffAuditEntry.objects()
        .order_by(StaffAuditEntry.id, ascending=False)
        .output(load_json=True)
    )
    if cursor is not None:
        query = query.where(StaffAuditEntry.id < cursor)
    if action:
        query = query.where(StaffAuditEntry.action == action)
    rows = await query.limit(limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].id if more and rows else None)
