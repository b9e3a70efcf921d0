"""The API tokens feature's manifest (the tokens themselves are the platform's)."""

from comptoir.platform.auth.controllers import TokenController
from comptoir.platform.features import Feature, NavEntry
from comptoir.tenants.api_tokens.pages import TokenPages

FEATURE = Feature(
    name="api_tokens",
    label="API tokens",
    api_routes=(TokenController,),
    page_routes=(TokenPages,),
    nav=(
        NavEntry(
            key="admin-tokens",
            label="API tokens",
            path="/admin/tokens",
            icon="key",
            action="manage",
            group="admin",
            order=20,
        ),
    ),
    audit_labels={
        "api_token.create": "Created an API token",
        "api_token.revoke": "Revoked an API token",
    },
    permissions={"admin": frozenset({"view", "create", "delete", "manage"})},
    flashes={"token_revoked": ("success", "API token revoked.")},
)
