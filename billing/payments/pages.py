"""The payment method of the tenant admin's billing page: add or replace a
card through Stripe Checkout, and the page Checkout sends the admin back to.

The billing page itself (``/w/{slug}/admin/billing``) renders the box
``billing/_payment_method.html`` with ``payment_method`` (a ``PaymentMethodView``)."""

from __future__ import annotations

from typing import Annotated

import structlog
from litestar import Controller, MediaType, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import QueryParameter
from litestar.response import Redirect, Template

from comptoir.billing.gateways.base import CardSetupUnavailable, GatewayUnavailable
from comptoir.billing.payments import methods
from comptoir.platform.errors import ComptoirError
from comptoir.platform.features import OPEN_WHEN_SUSPENDED, requires
from comptoir.tenants.workspace.deps import WorkspacePage, provide_workspace_page
from comptoir.tenants.workspace.rendering import see_other

log = structlog.get_logger(__name__)
OptionalQuery = Annotated[str | None, QueryParameter(required=False)]


class PaymentMethodPages(Controller):
    path = "/w/{slug:str}/admin/billing"
    # Admins settle a suspended workspace here.
    opt = {OPEN_WHEN_SUSPENDED: True}
    include_in_schema = False
    dependencies = {"page": Provide(provide_workspace_page)}

    @post(
        "/payment-method",
        name="billing-payment-method",
        opt=requires("payments", "manage"),
        status_code=200,
    )
    async def add_card(self, page: NamedDependency[WorkspacePage]) -> Redirect | Template:
        """Send the admin to Stripe Checkout to save a card: a page that
        navigates there (our CSP's form-action 'self' would refuse a redirect
        of this POST to another site)."""
        try:
            redirect = await methods.start_card_setup(page.tenant, actor=page.actor)
        except (ComptoirError, CardSetupUnavailable):
            return see_other(f"{page.base}/admin/billing", flash="card_unavailable")
        except GatewayUnavailable as error:
            log.warning("billing.checkout_failed", error=str(error))
            return see_other(f"{page.base}/admin/billing", flash="card_setup_failed")
        return Template(
            template_name="billing/checkout_redirect.html",
            context={"checkout_url": redirect.url, "back_url": f"{page.base}/admin/billing"},
            media_type=MediaType.HTML,
            headers={"Cache-Control": "no-store"},
        )

    @get(
        "/checkout-return",
        name="billing-checkout-return",
        opt=requires("payments", "manage"),
    )
    async def checkout_return(
        self,
        page: NamedDependency[WorkspacePage],
        outcome: OptionalQuery = None,
        session_id: OptionalQuery = None,
    ) -> Redirect:
        """Back from Checkout: saved, abandoned, or not finished yet (the
        webhook will save it)."""
        back = f"{page.base}/admin/billing"
        if outcome != "success" or not session_id:
            return see_other(back, flash="card_setup_canceled")
        try:
            setup = await methods.finish_card_setup(page.tenant, session_id[:255], actor=page.actor)
        except (ComptoirError, CardSetupUnavailable):
            return see_other(back, flash="card_setup_unknown")
        except GatewayUnavailable as error:
            log.warning("billing.checkout_return_failed", error=str(error))
            return see_other(back, flash="card_setup_pending")
        if setup.status == "complete" and setup.payment_method_id:
            return see_other(back, flash="card_saved")
        return see_other(back, flash="card_setup_pending")
