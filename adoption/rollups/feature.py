"""The usage rollups feature's manifest: the tables, the periodic jobs and
``comptoir adoption rollup``."""

from comptoir.adoption.rollups.cli import adoption
from comptoir.adoption.rollups.jobs import PURGE, ROLLUP
from comptoir.adoption.rollups.tables import (
    ActiveCounts,
    ActiveUserDay,
    RollupState,
    TenantUsageDay,
    UsageDay,
    UsageHour,
)
from comptoir.platform.features import Feature

FEATURE = Feature(
    name="rollups",
    label="Usage rollups",
    area="adoption",
    tables=(UsageHour, UsageDay, TenantUsageDay, RollupState, ActiveUserDay, ActiveCounts),
    job_kinds=(ROLLUP, PURGE),
    cli_commands=(adoption,),
)
