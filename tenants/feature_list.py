"""The features of the tenants area, one line each: their manifests say the rest."""

from comptoir.platform.features import Feature
from comptoir.tenants.accounts.feature import FEATURE as ACCOUNTS
from comptoir.tenants.activities.feature import FEATURE as ACTIVITIES
from comptoir.tenants.api_tokens.feature import FEATURE as API_TOKENS
from comptoir.tenants.audit_log.feature import FEATURE as AUDIT_LOG
from comptoir.tenants.company.feature import FEATURE as COMPANY
from comptoir.tenants.contacts.feature import FEATURE as CONTACTS
from comptoir.tenants.opportunities.feature import FEATURE as OPPORTUNITIES
from comptoir.tenants.quotes.feature import FEATURE as QUOTES
from comptoir.tenants.signup.feature import FEATURE as SIGNUP
from comptoir.tenants.teams.feature import FEATURE as TEAMS
from comptoir.tenants.territories.feature import FEATURE as TERRITORIES
from comptoir.tenants.users.feature import FEATURE as USERS
from comptoir.tenants.workspace.feature import FEATURE as WORKSPACE

TENANT_FEATURES: tuple[Feature, ...] = (
    WORKSPACE,
    SIGNUP,
    USERS,
    TEAMS,
    CONTACTS,
    ACCOUNTS,
    OPPORTUNITIES,
    ACTIVITIES,
    QUOTES,
    TERRITORIES,
    COMPANY,
    API_TOKENS,
    AUDIT_LOG,
)
