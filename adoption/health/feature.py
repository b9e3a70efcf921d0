"""The adoption health feature's manifest: a score per tenant recomputed
every hour into the control plane, and the console's adoption pages."""

from comptoir.adoption.health.pages import HealthConsole
from comptoir.adoption.health.service import HEALTH
from comptoir.adoption.health.tables import HealthSnapshot
from comptoir.platform.features import ConsoleLink, Feature

FEATURE = Feature(
    name="adoption_health",
    label="Adoption health",
    area="adoption",
    tables=(HealthSnapshot,),
    page_routes=(HealthConsole,),
    job_kinds=(HEALTH,),
    console_nav=(
        ConsoleLink(
            key="adoption", label="Adoption health", path="/console/adoption", icon="chart"
        ),
    ),
    console_tenant_links=(
        ConsoleLink(
            key="adoption",
            label="Adoption",
            path="/console/tenants/{tenant_id}/adoption",
            icon="chart",
        ),
    ),
)
