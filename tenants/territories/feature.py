"""The territories feature's manifest."""

from comptoir.platform.features import Feature, NavEntry
from comptoir.tenants.territories.controllers import TerritoryController
from comptoir.tenants.territories.pages import TerritoryPages
from comptoir.tenants.territories.reassign import REASSIGN
from comptoir.tenants.territories.tables import Territory

FEATURE = Feature(
    name="territories",
    label="Territories",
    module="sales",
    api_routes=(TerritoryController,),
    page_routes=(TerritoryPages,),
    tables=(Territory,),
    nav=(
        NavEntry(
            key="admin-territories",
            label="Territories",
            path="/admin/territories",
            icon="globe",
            group="admin",
            order=18,
        ),
    ),
    audit_labels={
        "territory.create": "Created a territory rule",
        "territory.update": "Changed a territory rule",
        "territory.delete": "Deleted a territory rule",
        "territory.reorder": "Reordered the territory rules",
        "territory.reassign_start": "Asked to apply the territory rules to existing accounts",
        "territory.reassign": "Applied the territory rules to a batch of accounts",
    },
    permissions={
        "admin": frozenset({"view", "create", "edit", "delete", "manage"}),
        "key_user": frozenset({"view"}),
    },
    events=("territory.created", "territory.updated", "territory.deleted", "account.assigned"),
    job_kinds=(REASSIGN,),
    flashes={
        "territory_created": ("success", "Rule created."),
        "territory_saved": ("success", "Rule saved."),
        "territory_deleted": ("success", "Rule deleted."),
        "territory_reassign_queued": (
            "success",
            "Reassignment started: accounts move in the background.",
        ),
    },
)
