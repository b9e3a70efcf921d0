"""The usage feature's manifest: the adoption summary API and dashboard,
for administrators and key users (end users see their own progress on their
home page, not the workspace's figures)."""

from comptoir.adoption.usage.controllers import UsageController
from comptoir.adoption.usage.demo import seed_usage
from comptoir.adoption.usage.pages import UsagePages
from comptoir.platform.features import Feature, NavEntry

FEATURE = Feature(
    name="usage",
    label="Adoption",
    area="adoption",
    api_routes=(UsageController,),
    page_routes=(UsagePages,),
    nav=(
        NavEntry(
            key="adoption",
            label="Adoption",
            path="/adoption",
            icon="chart",
            group="admin",
            order=40,
        ),
    ),
    permissions={"admin": frozenset({"view"}), "key_user": frozenset({"view"})},
    demo_seeders=(seed_usage,),
)
