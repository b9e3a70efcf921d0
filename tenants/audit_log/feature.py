"""The audit log feature's manifest (the log itself is the platform's)."""

from comptoir.platform.features import Feature, NavEntry
from comptoir.tenants.audit_log.pages import AuditPages

FEATURE = Feature(
    name="audit_log",
    label="Audit log",
    page_routes=(AuditPages,),
    nav=(
        NavEntry(
            key="admin-audit",
            label="Audit log",
            path="/admin/audit",
            icon="audit",
            group="admin",
            order=30,
        ),
    ),
    permissions={"admin": frozenset({"view", "export"})},
)
