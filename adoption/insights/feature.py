"""The insights feature's manifest: per-person timelines and adoption
quartiles, for admins and key-users."""

from comptoir.adoption.insights.controllers import InsightsController
from comptoir.adoption.insights.pages import InsightsPages
from comptoir.platform.features import Feature, NavEntry

FEATURE = Feature(
    name="insights",
    label="Adoption insights",
    area="adoption",
    api_routes=(InsightsController,),
    page_routes=(InsightsPages,),
    nav=(
        NavEntry(
            key="adoption-people",
            label="Adoption by person",
            path="/adoption/people",
            icon="users",
            group="admin",
            order=54,
        ),
    ),
    permissions={"admin": frozenset({"view"}), "key_user": frozenset({"view"})},
)
