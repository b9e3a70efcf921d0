"""/api/v1/settings/company: the seller identity printed on quotes. No
``from __future__ import annotations``: Litestar reads the handlers' annotations."""

from typing import Any

from litestar import Controller, get, put
from litestar.di import NamedDependency
from litestar.params import JSONBody

from comptoir.platform.auth.callers import ApiCaller
from comptoir.platform.features import requires
from comptoir.platform.fields import sent_values
from comptoir.tenants.company import service
from comptoir.tenants.company.schemas import CompanyFields, CompanyOut


def profile_out(profile: Any) -> CompanyOut:
    return CompanyOut(**{name: getattr(profile, name) for name in CompanyOut.__struct_fields__})


class CompanyController(Controller):
    path = "/api/v1/settings/company"
    tags = ["Settings"]

    @get("/", summary="Read the company profile", opt=requires("company", "view"))
    async def read_profile(self, caller: NamedDependency[ApiCaller]) -> CompanyOut:
        return profile_out(await service.get_profile(caller.tenant.id))

    @put(
        "/",
        summary="Replace the company profile",
        description="The seller identity printed on quotes. Every field is replaced (one left "
        "out takes its default); `siren` is checked (Luhn), `vat_number` must be FR, its key "
        "and the SIREN; `quote_validity_days` from 1 to 365.",
        opt=requires("company", "manage"),
    )
    async def replace_profile(
        self, caller: NamedDependency[ApiCaller], data: JSONBody[CompanyFields]
    ) -> CompanyOut:
        profile = await service.save_profile(
            caller.tenant.id, sent_values(data), actor=caller.actor
        )
        return profile_out(profile)
