"""The usage rollups feature's manifest."""

from comptoir.adoption.rollups.tables import RollupState, TenantUsageDay, UsageDay, UsageHour
from comptoir.platform.features import Feature

FEATURE = Feature(
    name="rollups",
    label="Usage rollups",
    area="adoption",
    tables=(
        UsageHour,
        UsageDay,
        TenantUsageDay,
        RollupState,
    ),
)
