"""Sign-in throttling, kept in the database so that every process of the
installation shares it.

Three counters, so that nobody can lock a real owner out of their account
(ASVS 2.2.1):

- per address: an address that fails too often, on any accounts, is refused
  for a while;
- per account and address: one address that keeps guessing one account's
  password is refused for a while, for that account only;
- per account, whatever the address: failures only slow the next attempts
  down (a growing delay, capped); a correct password still signs in. An
  address the account signed in from recently is trusted and not slowed
  down, so an attack elsewhere costs the owner nothing at their usual place.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from comptoir.platform.auth.tables import LoginThrottle
from comptoir.platform.db.integrity import is_unique_violation
from comptoir.platform.errors import TooManyAttempts


@dataclass(frozen=True)
class ThrottlePolicy:
    max_failures: int
    window: dt.timedelta
    lockout: dt.timedelta


@dataclass(frozen=True)
class Slowdown:
    """A growing delay: none for the first ``free_failures`` failures within
    ``window``, then ``first_delay`` seconds, doubling with each failure, at
    most ``max_delay``."""

    free_failures: int
    window: dt.timedelta
    first_delay: float
    max_delay: float

    def delay(self, failures: int) -> float:
        if failures < self.free_failures:
            return 0.0
        return float(min(self.first_delay * 2 ** (failures - self.free_failures), self.max_delay))


# Kept for callers that still lock whole accounts (the console's staff sign-in).
ACCOUNT_POLICY = ThrottlePolicy(5, dt.timedelta(minutes=15), dt.timedelta(minutes=15))
ADDRESS_POLICY = ThrottlePolicy(30, dt.timedelta(minutes=15), dt.timedelta(minutes=15))
PAIR_POLICY = ThrottlePolicy(5, dt.timedelta(minutes=15), dt.timedelta(minutes=15))
ACCOUNT_SLOWDOWN = Slowdown(
    free_failures=5, window=dt.timedelta(hours=1), first_delay=1.0, max_delay=10.0
)
# An address the account signed in from is trusted this long.
TRUSTED_FOR = dt.timedelta(days=30)

# How the process waits; tests replace it to record the delays instead.
sleep: Callable[[float], Awaitable[None]] = asyncio.sleep


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def account_key(scope_name: str, email: str) -> str:
    return f"account:{scope_name}:{email.strip().lower()}"


def address_key(ip_address: str) -> str:
    return f"address:{ip_address}"


def pair_key(account: str, ip_address: str) -> str:
    """One account tried from one address."""
    return f"pair:{account}:{ip_address}"[:300]


def _trusted_key(account: str, ip_address: str) -> str:
    return f"trusted:{account}:{ip_address}"[:300]


async def check(key: str) -> None:
    """Refuse at once while the key is locked out."""
    row = await LoginThrottle.objects().where(LoginThrottle.key == key).first()
    now = _now()
    if row is not None and row.locked_until is not None and row.locked_until > now:
        retry_after = int((row.locked_until - now).total_seconds()) + 1
        raise TooManyAttempts(
            "Too many failed sign-in attempts. Try again in a few minutes.",
            retry_after=retry_after,
        )


async def record_failure(key: str, policy: ThrottlePolicy | Slowdown) -> None:
    try:
        await _count_failure(key, policy)
    except Exception as error:
        # Two failures at once may both try to create the row: count again on it.
        if not is_unique_violation(error):
            raise
        await _count_failure(key, policy)


async def _count_failure(key: str, policy: ThrottlePolicy | Slowdown) -> None:
    now = _now()
    row = await LoginThrottle.objects().where(LoginThrottle.key == key).first()
    if row is None:
        row = LoginThrottle(key=key, failures=0, window_started_at=now)
    if now - row.window_started_at > policy.window:
        row.failures = 0
        row.window_started_at = now
        row.locked_until = None
    row.failures += 1
    if isinstance(policy, ThrottlePolicy) and row.failures >= policy.max_failures:
        row.locked_until = now + policy.lockout
    await row.save()


async def failures(key: str, window: dt.timedelta) -> int:
    """Failures counted against ``key`` in its current window."""
    row = await LoginThrottle.objects().where(LoginThrottle.key == key).first()
    if row is None or _now() - row.window_started_at > window:
        return 0
    return int(row.failures)


async def clear(key: str) -> None:
    await LoginThrottle.delete().where(LoginThrottle.key == key)


async def is_trusted(account: str, ip_address: str) -> bool:
    key = _trusted_key(account, ip_address)
    row = await LoginThrottle.objects().where(LoginThrottle.key == key).first()
    return row is not None and _now() - row.window_started_at <= TRUSTED_FOR


async def trust(account: str, ip_address: str) -> None:
    """Remember that ``account`` signed in from this address just now."""
    key = _trusted_key(account, ip_address)
    now = _now()
    updated = await (
        LoginThrottle.update({LoginThrottle.window_started_at: now})
        .where(LoginThrottle.key == key)
        .returning(LoginThrottle.id)
    )
    if updated:
        return
    try:
        await LoginThrottle(key=key, failures=0, window_started_at=now).save()
    except Exception as error:
        if not is_unique_violation(error):  # a concurrent sign-in wrote it first
            raise


async def check_sign_in(account: str, ip_address: str) -> None:
    """Before a password is checked: refuse a locked address or a locked
    (account, address) pair; slow an attacked account down unless this
    address is one it signed in from recently. Never refuses for the
    account alone."""
    await check(address_key(ip_address))
    await check(pair_key(account, ip_address))
    delay = ACCOUNT_SLOWDOWN.delay(await failures(account, ACCOUNT_SLOWDOWN.window))
    if delay and not await is_trusted(account, ip_address):
        await sleep(delay)


async def sign_in_failed(account: str, ip_address: str) -> None:
    await record_failure(pair_key(account, ip_address), PAIR_POLICY)
    await record_failure(address_key(ip_address), ADDRESS_POLICY)
    await record_failure(account, ACCOUNT_SLOWDOWN)


async def signed_in(account: str, ip_address: str) -> None:
    """A correct password: this address's count for the account starts over
    and the address is trusted. The account's own count is kept, so that an
    attacker elsewhere stays slowed down."""
    await clear(pair_key(account, ip_address))
    await trust(account, ip_address)
