"""Administration: the company profile (the seller printed on quotes)."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import URLEncodedBody
from litestar.response import Redirect, Template

from comptoir.platform.errors import ValidationFailed
from comptoir.platform.features import requires
from comptoir.platform.fields import parse_form
from comptoir.tenants.company import service
from comptoir.tenants.company.schemas import CompanyFields
from comptoir.tenants.workspace.deps import WorkspacePage, provide_workspace_page
from comptoir.tenants.workspace.records import form_sections, form_values
from comptoir.tenants.workspace.rendering import form_errors, render_page, see_other

SECTIONS = form_sections(
    CompanyFields,
    [
        ("Company", ["legal_name", "legal_form", "siren", "vat_number"]),
        ("Address", ["address", "postcode", "city", "country"]),
        ("Contact details", ["phone", "email", "website"]),
        ("Quotes and payment", ["quote_validity_days", "payment_terms", "iban", "bic"]),
    ],
)


async def _form(
    page: WorkspacePage,
    *,
    data: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Template:
    profile = await service.get_profile(page.tenant.id)
    return render_page(
        page,
        "company/settings.html",
        section="admin-company",
        status=status,
        sections=SECTIONS,
        values=form_values(CompanyFields, profile, data),
        errors=errors or {},
        editable=page.can("company.manage"),
    )


class CompanyPages(Controller):
    path = "/w/{slug:str}/admin/company"
    include_in_schema = False
    dependencies = {"page": Provide(provide_workspace_page)}

    @get("/", name="admin-company", opt=requires("company", "view"))
    async def settings(self, page: NamedDependency[WorkspacePage]) -> Template:
        return await _form(page)

    @post("/", name="admin-company-save", opt=requires("company", "manage"))
    async def save(
        self, page: NamedDependency[WorkspacePage], data: URLEncodedBody[dict[str, str]]
    ) -> Template | Redirect:
        try:
            values = parse_form(CompanyFields, data)
            await service.save_profile(page.tenant.id, values, actor=page.actor)
        except ValidationFailed as error:
            return await _form(page, data=data, errors=form_errors(error), status=422)
        return see_other(f"{page.base}/admin/company", flash="company_saved")
