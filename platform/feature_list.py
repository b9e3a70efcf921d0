"""The platform's own features: what every tenant shares."""

from comptoir.platform.audit.tables import AuditEntry, StaffAuditEntry
from comptoir.platform.auth.password_reset import (
    RESET_LINK_ATTEMPTS,
    RESET_LINK_JOB,
    send_reset_link,
)
from comptoir.platform.auth.tables import (
    ApiToken,
    LoginThrottle,
    PasswordReset,
    StaffSession,
    StaffUser,
    User,
    UserSession,
)
from comptoir.platform.counters.tables import RecordCount
from comptoir.platform.directory.tables import ProvisioningEvent, Tenant
from comptoir.platform.features import Feature
from comptoir.platform.jobs.feature import FEATURE as JOBS
from comptoir.platform.jobs.kinds import JobKind
from comptoir.platform.outbox.feature import FEATURE as OUTBOX


def _console_routes() -> list[object]:
    from comptoir.platform.console.pages import CONSOLE_ROUTES

    return list(CONSOLE_ROUTES)


DIRECTORY = Feature(
    name="directory", label="Tenant directory", area="platform", tables=(Tenant, ProvisioningEvent)
)
AUTH = Feature(
    name="auth",
    label="Sign-in",
    area="platform",
    tables=(User, UserSession, ApiToken, PasswordReset, LoginThrottle),
    job_kinds=(
        JobKind(
            name=RESET_LINK_JOB,
            handler=send_reset_link,
            max_attempts=RESET_LINK_ATTEMPTS,
            timeout=60,
            description="Write a password reset link and queue its e-mail, if the address "
            "is a user's.",
        ),
    ),
)
AUDIT = Feature(name="audit", label="Audit logs", area="platform", tables=(AuditEntry,))
CONSOLE = Feature(
    name="console",
    label="Ops console",
    area="platform",
    page_routes=_console_routes(),
    tables=(StaffUser, StaffSession, StaffAuditEntry),
)
COUNTERS = Feature(name="counters", label="Record counts", area="platform", tables=(RecordCount,))

PLATFORM_FEATURES: tuple[Feature, ...] = (DIRECTORY, AUTH, AUDIT, CONSOLE, COUNTERS, OUTBOX, JOBS)
