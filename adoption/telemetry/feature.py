"""The usage telemetry feature's manifest: every committed domain event is
buffered (listener) and written in batches in the background (lifespan)."""

from comptoir.adoption.telemetry.buffer import record_events, telemetry_writer
from comptoir.adoption.telemetry.tables import LateHour, UsageEvent
from comptoir.platform.features import Feature

FEATURE = Feature(
    name="telemetry",
    label="Usage telemetry",
    area="adoption",
    tables=(UsageEvent, LateHour),
    listeners=(record_events,),
    lifespans=(telemetry_writer,),
)
