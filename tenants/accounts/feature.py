"""The accounts feature's manifest."""

from comptoir.platform.features import EVERY_ACTION, WORK_ACTIONS, Feature, NavEntry
from comptoir.tenants.accounts.controllers import AccountController, AccountTimelineController
from comptoir.tenants.accounts.pages import AccountPages
from comptoir.tenants.accounts.tables import Account

FEATURE = Feature(
    name="accounts",
    label="Accounts",
    api_routes=(AccountController, AccountTimelineController),
    page_routes=(AccountPages,),
    tables=(Account,),
    nav=(NavEntry(key="accounts", label="Accounts", path="/accounts", icon="building", order=10),),
    audit_labels={
        "account.create": "Created an account",
        "account.update": "Changed an account",
        "account.delete": "Deleted an account",
    },
    permissions={
        "admin": EVERY_ACTION,
        "key_user": EVERY_ACTION - {"manage"},
        "end_user": WORK_ACTIONS,
    },
    events=("account.created", "account.updated", "account.deleted"),
    flashes={
        "account_created": ("success", "Account created."),
        "account_assigned_away": (
            "success",
            "Account created and given to its territory's owner: it is no longer in your list.",
        ),
        "account_saved": ("success", "Changes saved."),
        "account_deleted": ("success", "Account deleted."),
    },
)
