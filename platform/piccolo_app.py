"""Piccolo app of the platform area: tenant directory, identities, audit, outbox."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from comptoir.platform.audit.tables import AuditEntry, StaffAuditEntry
from comptoir.platform.auth.tables import (
    ApiToken,
    LoginThrottle,
    PasswordReset,
    StaffSession,
    StaffUser,
    User,
    UserSession,
)
from comptoir.platform.directory.tables import ProvisioningEvent, Tenant
from comptoir.platform.outbox.tables import OutboxMessage

APP_CONFIG = AppConfig(
    app_name="platform",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[
        Tenant,
        ProvisioningEvent,
        StaffUser,
        StaffSession,
        StaffAuditEntry,
        LoginThrottle,
        User,
        UserSession,
        ApiToken,
        AuditEntry,
        OutboxMessage,
        PasswordReset,
    ],
    migration_dependencies=[],
    commands=[],
)
