"""The opportunities feature's manifest."""

from comptoir.platform.features import Feature
from comptoir.tenants.opportunities.tables import (
    LostReason,
    Opportunity,
    OpportunityStageChange,
    PipelineStage,
)

FEATURE = Feature(
    name="opportunities",
    label="Opportunities",
    module="sales",
    tables=(
        PipelineStage,
        LostReason,
        Opportunity,
        OpportunityStageChange,
    ),
)
