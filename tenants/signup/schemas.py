"""Signup payloads of the API."""

from typing import Annotated

import msgspec

from comptoir.platform.directory.tables import Tenant


class SignupIn(msgspec.Struct, forbid_unknown_fields=True):
    company_name: Annotated[str, msgspec.Meta(max_length=200)]
    slug: Annotated[str, msgspec.Meta(max_length=100)]
    admin_email: Annotated[str, msgspec.Meta(max_length=254)]
    admin_password: Annotated[str, msgspec.Meta(max_length=256)]
    plan: str = "essentiel"
    admin_first_name: Annotated[str, msgspec.Meta(max_length=100)] = ""
    admin_last_name: Annotated[str, msgspec.Meta(max_length=100)] = ""
    locale: str = "fr"


class TenantOut(msgspec.Struct):
    id: str
    slug: str
    status: str
    plan: str
    company_name: str
    trial_ends_at: str | None

    @classmethod
    def of(cls, tenant: Tenant) -> "TenantOut":
        return cls(
            id=str(tenant.id),
            slug=tenant.slug,
            status=tenant.status,
            plan=tenant.plan,
            company_name=tenant.company_name,
            trial_ends_at=tenant.trial_ends_at.isoformat() if tenant.trial_ends_at else None,
        )


class SignupOut(msgspec.Struct):
    tenant: TenantOut
    api_token: str
    admin_user_id: str
    workspace_url: str
