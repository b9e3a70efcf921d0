"""The adoption health feature's manifest."""

from comptoir.adoption.health.tables import HealthSnapshot
from comptoir.platform.features import Feature

FEATURE = Feature(
    name="adoption_health",
    label="Adoption health",
    area="adoption",
    tables=(HealthSnapshot,),
)
