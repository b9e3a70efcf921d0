"""The usage feature's manifest: the adoption summary API and dashboard,
for administrators and key users (end users see their own progress on their
home page, not the workspace's figures)."""

from comptoir.adoption.usage.controllers import UsageController
from comptoir.platform.features import Feature

FEATURE = Feature(
    name="usage",
    label="Adoption",
    area="adoption",
    api_routes=(UsageController,),
    permissions={"admin": frozenset({"view"}), "key_user": frozenset({"view"})},
)
