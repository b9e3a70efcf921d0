"""POST /api/v1/signup."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, post
from litestar.params import HeaderParameter, JSONBody

from comptoir.platform.auth.callers import client_ip
from comptoir.platform.features import public
from comptoir.platform.settings import get_settings
from comptoir.platform.web.openapi import PublicOperation
from comptoir.tenants.signup.schemas import SignupIn, SignupOut, TenantOut
from comptoir.tenants.signup.service import SignupRequest, provision_tenant


class SignupController(Controller):
    path = "/api/v1/signup"
    opt = public()
    tags = ["Signup"]

    @post(
        "/",
        status_code=201,
        summary="Sign a company up",
        description="Provisions a workspace and its administrator in one transaction and "
        "returns an API token for that administrator. Send an Idempotency-Key header to "
        "retry safely: the same key and request return the same tenant and a new token, "
        "within 24 hours and until the workspace is signed in to or its admin's password "
        "changes (409 after that). Signups are limited per address and per admin e-mail "
        "(429).",
        operation_class=PublicOperation,
    )
    async def signup(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[SignupIn],
        idempotency_key: Annotated[
            str | None, HeaderParameter(name="Idempotency-Key", required=False, max_length=200)
        ] = None,
    ) -> Response[SignupOut]:
        result = await provision_tenant(
            SignupRequest(
                company_name=data.company_name,
                slug=data.slug.strip(),
                admin_email=data.admin_email,
                admin_password=data.admin_password,
                plan=data.plan,
                admin_first_name=data.admin_first_name,
                admin_last_name=data.admin_last_name,
                locale=data.locale,
            ),
            idempotency_key=idempotency_key,
            api_token=True,
            client_ip=client_ip(request),
        )
        body = SignupOut(
            tenant=TenantOut.of(result.tenant),
            api_token=result.api_token,
            admin_user_id=str(result.admin.id),
            workspace_url=f"{get_settings().base_url}/w/{result.tenant.slug}/",
        )
        headers = {"Idempotent-Replayed": "true"} if result.replayed else None
        return Response(body, status_code=201, headers=headers)
