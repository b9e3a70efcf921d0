"""One settings object, read from the environment once (tests set the environment first)."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DEMO_SECRET_FILE = ".comptoir-secret"  # noqa: S105 (a file name)


def _secret_key() -> str:
    """Use COMPTOIR_SECRET_KEY, or a random key kept beside the demo database."""
    key = os.environ.get("COMPTOIR_SECRET_KEY")
    if key:
        return key
    path = Path.cwd() / DEMO_SECRET_FILE
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


@dataclass(frozen=True)
class Settings:
    database_url: str
    owner_database_url: str
    secret_key: str
    smtp_url: str | None
    stripe_api_key: str | None
    stripe_webhook_secret: str | None
    demo: bool
    base_url: str
    mail_from: str = "Comptoir <no-reply@comptoir.localhost>"
    # Workspace sessions end after this long without a request, and in any
    # case this long after the password was entered (ASVS 3.3.1/3.3.2, level 2).
    session_idle_minutes: int = 30
    session_max_hours: int = 12
    # Sensitive actions in the pages (API tokens, roles and status of users)
    # need a password entered this recently in the same session.
    reauth_minutes: int = 10
    impersonation_minutes: int = 30
    invitation_days: int = 7
    templates_dir: Path = field(default=REPO_ROOT / "templates")
    static_dir: Path = field(default=Path(__file__).resolve().parent / "web" / "static")

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith(("postgres://", "postgresql://"))

    @property
    def secure_cookies(self) -> bool:
        """Cookies are marked Secure everywhere except the demo, which serves plain HTTP."""
        return not self.demo


def base_url_for(host: str, port: int) -> str:
    """The address a browser on this machine reaches the server at, bound to host:port.

    A wildcard bind (0.0.0.0, ::) is reached through the loopback address."""
    if host in ("", "0.0.0.0", "::"):  # noqa: S104 (naming the wildcard, not binding it)
        host = "127.0.0.1"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"


def _base_url() -> str:
    """COMPTOIR_BASE_URL, else the address the server was started on (``comptoir serve``
    and ``comptoir demo`` record it in COMPTOIR_LISTEN_HOST / COMPTOIR_LISTEN_PORT), else
    the default 127.0.0.1:8000."""
    configured = os.environ.get("COMPTOIR_BASE_URL", "").strip()
    if configured:
        return configured.rstrip("/")
    port = os.environ.get("COMPTOIR_LISTEN_PORT", "").strip()
    return base_url_for(
        os.environ.get("COMPTOIR_LISTEN_HOST", "").strip() or "127.0.0.1",
        int(port) if port.isdigit() else 8000,
    )


def _positive_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    value = int(raw)
    if value <= 0:
        raise ValueError(f"{name} must be a positive whole number, not {raw!r}")
    return value


def _default_sqlite_url() -> str:
    return f"sqlite:///{Path.cwd() / 'comptoir.sqlite3'}"


def load_settings() -> Settings:
    database_url = os.environ.get("DATABASE_URL") or _default_sqlite_url()
    return Settings(
        database_url=database_url,
        owner_database_url=os.environ.get("DATABASE_OWNER_URL") or database_url,
        secret_key=_secret_key(),
        smtp_url=os.environ.get("SMTP_URL") or None,
        stripe_api_key=os.environ.get("STRIPE_API_KEY") or None,
        stripe_webhook_secret=os.environ.get("STRIPE_WEBHOOK_SECRET") or None,
        demo=os.environ.get("COMPTOIR_DEMO", "") == "1",
        base_url=_base_url(),
        session_idle_minutes=_positive_int("COMPTOIR_SESSION_IDLE_MINUTES", 30),
        session_max_hours=_positive_int("COMPTOIR_SESSION_MAX_HOURS", 12),
        reauth_minutes=_positive_int("COMPTOIR_REAUTH_MINUTES", 10),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()


def reset_settings() -> None:
    """Forget the cached settings (tests change the environment, then call this)."""
    get_settings.cache_clear()
