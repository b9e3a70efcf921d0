"""Staff accounts of the provider's ops team."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyotp
from comptoir.platform.audit import service as audit
from comptoir.platform.auth.credentials import hash_password, password_problem
from comptoir.platform.auth.tables import StaffUser
from comptoir.platform.errors import Conflict, ValidationFailed

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
TOTP_ISSUER = "Comptoir console"


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
        password_hash=hash_password(password),
        totp_secret=secret,
    )
    await staff.save()
    await audit.record_staff(staff.id, staff.email, "staff.create")
    return CreatedStaff(staff=staff, totp_secret=secret)
