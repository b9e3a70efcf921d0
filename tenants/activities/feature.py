"""The activities feature's manifest."""

from comptoir.platform.features import Feature
from comptoir.tenants.activities.tables import Activity, FollowUpSettings

FEATURE = Feature(
    name="activities",
    label="Activities",
    module="sales",
    tables=(
        Activity,
        FollowUpSettings,
    ),
)
