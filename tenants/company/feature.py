"""The company feature's manifest."""

from comptoir.platform.features import EVERY_ACTION, Feature, NavEntry
from comptoir.tenants.company.controllers import CompanyController
from comptoir.tenants.company.pages import CompanyPages
from comptoir.tenants.company.tables import CompanyProfile

FEATURE = Feature(
    name="company",
    label="Company profile",
    api_routes=(CompanyController,),
    page_routes=(CompanyPages,),
    tables=(CompanyProfile,),
    nav=(
        NavEntry(
            key="admin-company",
            label="Company profile",
            path="/admin/company",
            icon="building",
            action="manage",
            group="admin",
            order=15,
        ),
    ),
    audit_labels={"company.update": "Changed the company profile"},
    permissions={
        "admin": EVERY_ACTION,
        "key_user": frozenset({"view"}),
        "end_user": frozenset({"view"}),
    },
    events=("company.updated",),
    flashes={"company_saved": ("success", "Company profile saved.")},
)
