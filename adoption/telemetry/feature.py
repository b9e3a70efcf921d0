"""The usage telemetry feature's manifest."""

from comptoir.adoption.telemetry.tables import UsageEvent
from comptoir.platform.features import Feature

FEATURE = Feature(
    name="telemetry",
    label="Usage telemetry",
    area="adoption",
    tables=(UsageEvent,),
)
