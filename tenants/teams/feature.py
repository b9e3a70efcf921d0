"""The teams feature's manifest: teams and the workspace's sharing rule."""

from comptoir.platform.features import Feature, NavEntry
from comptoir.tenants.teams.controllers import SharingController, TeamController
from comptoir.tenants.teams.pages import TeamPages
from comptoir.tenants.teams.tables import Team

FEATURE = Feature(
    name="teams",
    label="Teams and sharing",
    api_routes=(TeamController, SharingController),
    page_routes=(TeamPages,),
    tables=(Team,),
    nav=(
        NavEntry(
            key="admin-teams",
            label="Teams and sharing",
            path="/admin/teams",
            icon="users",
            action="manage",
            group="admin",
            order=15,
        ),
    ),
    audit_labels={
        "team.create": "Created a team",
        "team.update": "Renamed a team",
        "team.delete": "Deleted a team",
        "tenant.sharing_rule": "Changed who sees which records",
    },
    permissions={
        "admin": frozenset({"view", "manage"}),
        "key_user": frozenset({"view"}),
        "end_user": frozenset({"view"}),
    },
    flashes={
        "team_created": ("success", "Team created."),
        "team_deleted": ("success", "Team deleted; its members have no team now."),
        "team_member_saved": ("success", "Team changed."),
        "sharing_saved": ("success", "Sharing rule saved."),
    },
)
