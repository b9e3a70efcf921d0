"""How many workspaces one can sign up: per client address and per admin
e-mail, counted in the shared throttle table (so every process of the
installation counts together). Provisioning hashes a password and writes a
whole workspace; without a limit, one address could fill the directory."""

from __future__ import annotations

import datetime as dt

from comptoir.platform.auth import throttle
from comptoir.platform.errors import TooManyAttempts

# Enough for a team trying a few workspaces, not for a script.
ADDRESS_POLICY = throttle.ThrottlePolicy(10, dt.timedelta(hours=1), dt.timedelta(hours=1))
ADMIN_EMAIL_POLICY = throttle.ThrottlePolicy(3, dt.timedelta(hours=24), dt.timedelta(hours=24))
TOO_MANY_SIGNUPS = "Too many signups from here or for this e-mail address. Try again later."


def _keys(ip_address: str, admin_email: str) -> tuple[str, str]:
    return (
        f"signup:{throttle.address_key(ip_address)}",
        f"signup:email:{admin_email.strip().lower()[:254]}",
    )


async def check_signup_allowed(*, ip_address: str, admin_email: str) -> None:
    """TooManyAttempts (429) while this address or this admin e-mail has
    reached its limit."""
    for key in _keys(ip_address, admin_email):
        try:
            await throttle.check(key)
        except TooManyAttempts as error:
            raise TooManyAttempts(TOO_MANY_SIGNUPS, retry_after=error.retry_after) from None


async def count_signup(*, ip_address: str, admin_email: str) -> None:
    """Count one signup attempt (valid, whether or not it succeeds) against
    the address and the admin e-mail."""
    address, email = _keys(ip_address, admin_email)
    await throttle.record_failure(address, ADDRESS_POLICY)
    await throttle.record_failure(email, ADMIN_EMAIL_POLICY)
