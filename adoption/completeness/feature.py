"""The data completeness feature's manifest."""

from comptoir.platform.features import Feature
from comptoir.adoption.completeness.tables import (
    CompletenessRuleSet,
    CompletenessSnapshot,
    StageRequirement,
)

FEATURE = Feature(
    name="completeness",
    label="Data completeness",
    area="adoption",
    tables=(CompletenessRuleSet, StageRequirement, CompletenessSnapshot),
)
