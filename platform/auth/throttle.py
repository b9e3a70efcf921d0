"""Login throttling per account and per address, kept in the database so that
every process of the installation shares it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from comptoir.platform.auth.tables import LoginThrottle
from comptoir.platform.db.integrity import is_unique_violation
from comptoir.platform.errors import TooManyAttempts


@dataclass(frozen=True)
class ThrottlePolicy:
    max_failures: int
    window: dt.timedelta
    lockout: dt.timedelta


ACCOUNT_POLICY = ThrottlePolicy(5, dt.timedelta(minutes=15), dt.timedelta(minutes=15))
ADDRESS_POLICY = ThrottlePolicy(30, dt.timedelta(minutes=15), dt.timedelta(minutes=15))


def account_key(scope_name: str, email: str) -> str:
    return f"account:{scope_name}:{email.strip().lower()}"


def address_key(ip_address: str) -> str:
    return f"address:{ip_address}"


async def check(key: str) -> None:
    """Refuse at once while the key is locked out."""
    row = await LoginThrottle.objects().where(LoginThrottle.key == key).first()
    now = dt.datetime.now(dt.UTC)
    if row is not None and row.locked_until is not None and row.locked_until > now:
        retry_after = int((row.locked_until - now).total_seconds()) + 1
        raise TooManyAttempts(
            "Too many failed sign-in attempts. Try again in a few minutes.",
            retry_after=retry_after,
        )


async def record_failure(key: str, policy: ThrottlePolicy) -> None:
    try:
        await _count_failure(key, policy)
    except Exception as error:
        # Two failures at once may both try to create the row: count again on it.
        if not is_unique_violation(error):
            raise
        await _count_failure(key, policy)


async def _count_failure(key: str, policy: ThrottlePolicy) -> None:
    now = dt.datetime.now(dt.UTC)
    row = await LoginThrottle.objects().where(LoginThrottle.key == key).first()
    if row is None:
        row = LoginThrottle(key=key, failures=0, window_started_at=now)
    if now - row.window_started_at > policy.window:
        row.failures = 0
        row.window_started_at = now
        row.locked_until = None
    row.failures += 1
    if row.failures >= policy.max_failures:
        row.locked_until = now + policy.lockout
    await row.save()


async def clear(key: str) -> None:
    await LoginThrottle.delete().where(LoginThrottle.key == key)
