"""Passwords (argon2id) and random secrets stored only as hashes."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# argon2id at OWASP's recommended minimum (19 MiB, 2 passes, 1 lane): about 20 ms
# here, against about 100 ms for the library default (64 MiB, 3 passes, 4 lanes),
# which alone broke the signup latency target. Hashes made with other costs still
# verify, and are upgraded at the next sign-in (see needs_rehash).
_hasher = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)

# A hash to verify against when the account does not exist, so that a missing
# account takes as long to refuse as a wrong password.
_DUMMY_HASH = _hasher.hash("comptoir-timing-equaliser")

COMMON_PASSWORDS = frozenset(
    {
        "password",
        "password1",
        "password123",
        "motdepasse",
        "azerty",
        "azertyuiop",
        "qwerty",
        "qwertyuiop",
        "123456789",
        "1234567890",
        "0123456789",
        "soleil",
        "bonjour",
        "iloveyou",
        "admin1234",
        "welcome123",
        "changeme",
        "letmein",
        "comptoir",
        "motdepasse1",
        "azerty123",
        "000000000",
        "111111111",
    }
)
MIN_PASSWORD_LENGTH = 10


async def hash_password(password: str) -> str:
    """Hash off the event loop: argon2 is deliberately slow and would stall
    every other request of the process."""
    return await asyncio.to_thread(_hasher.hash, password)


def _verify(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


async def verify_password(password_hash: str | None, password: str) -> bool:
    return await asyncio.to_thread(_verify, password_hash, password)


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def password_problem(password: str, *, email: str = "", company: str = "") -> str | None:
    """Why a password is too weak, or None. Length and a blocklist, as NIST
    SP 800-63B advises, rather than composition rules."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"must be at least {MIN_PASSWORD_LENGTH} characters long"
    if len(password) > 256:
        return "must be at most 256 characters long"
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or len(set(lowered)) < 4:
        return "is too common or too easy to guess"
    local_part = email.split("@")[0].lower()
    if (local_part and len(local_part) >= 4 and local_part in lowered) or (
        company and company.lower() == lowered
    ):
        return "must not contain your e-mail address or company name"
    return None


def new_secret(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


def digest(secret: str) -> str:
    """SHA-256 of a high-entropy secret (tokens, session ids): enough, since
    such secrets cannot be guessed, and fast enough to check on every request."""
    return hashlib.sha256(secret.encode()).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
