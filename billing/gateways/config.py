"""Which gateway collects payments, chosen by configuration: Stripe when
``STRIPE_API_KEY`` is set, bank transfer otherwise.

``STRIPE_API_BASE`` (default Stripe's own) lets the tests point the real
library at a local fake; it is read with the rest of the environment, once."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache

from comptoir.billing.gateways.bank_transfer import BankTransferGateway
from comptoir.billing.gateways.base import PaymentGateway
from comptoir.billing.gateways.stripe_gateway import StripeGateway
from comptoir.platform.settings import get_settings


@dataclass(frozen=True)
class GatewaySettings:
    stripe_api_key: str | None
    stripe_webhook_secret: str | None
    stripe_api_base: str | None

    @property
    def stripe_enabled(self) -> bool:
        return bool(self.stripe_api_key)


@lru_cache(maxsize=1)
def gateway_settings() -> GatewaySettings:
    settings = get_settings()
    return GatewaySettings(
        stripe_api_key=settings.stripe_api_key,
        stripe_webhook_secret=settings.stripe_webhook_secret,
        stripe_api_base=(os.environ.get("STRIPE_API_BASE") or "").strip().rstrip("/") or None,
    )


_gateways: dict[GatewaySettings, PaymentGateway] = {}


def configured_gateway() -> PaymentGateway:
    """The gateway new payment methods and charges go through (one per
    configuration, kept: the Stripe client holds a connection pool)."""
    config = gateway_settings()
    found = _gateways.get(config)
    if found is None:
        if config.stripe_api_key:
            found = StripeGateway(
                config.stripe_api_key,
                webhook_secret=config.stripe_webhook_secret,
                api_base=config.stripe_api_base,
            )
        else:
            found = BankTransferGateway()
        _gateways[config] = found
    return found


def reset_gateways() -> None:
    """Forget the configuration and the gateways (tests change the environment)."""
    gateway_settings.cache_clear()
    _gateways.clear()
