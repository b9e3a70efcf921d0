"""The users feature's manifest: people, roles, teams and invitations."""

from comptoir.platform.features import EVERY_ACTION, Feature, NavEntry
from comptoir.tenants.users.controllers import InvitationController, UserController
from comptoir.tenants.users.pages import UserPages
from comptoir.tenants.users.tables import Invitation, Role

FEATURE = Feature(
    name="users",
    label="Users",
    api_routes=(UserController, InvitationController),
    page_routes=(UserPages,),
    tables=(Role, Invitation),
    nav=(
        NavEntry(
            key="admin-users",
            label="Users",
            path="/admin/users",
            icon="users",
            action="manage",
            group="admin",
            order=10,
        ),
    ),
    audit_labels={
        "user.create": "Added a user",
        "user.update": "Changed a user",
        "invitation.create": "Invited someone",
        "invitation.revoke": "Revoked an invitation",
        "invitation.accept": "Accepted an invitation",
    },
    permissions={
        "admin": EVERY_ACTION,
        "key_user": frozenset({"view"}),
        "end_user": frozenset({"view"}),
    },
    events=("user.created", "user.updated", "invitation.created", "seats.counted"),
    flashes={
        "user_added": ("success", "User added. They get an e-mail to choose their password."),
        "user_invited": ("success", "Invitation sent."),
        "user_updated": ("success", "User updated."),
        "invitation_revoked": ("success", "Invitation revoked."),
    },
)
