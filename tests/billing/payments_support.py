"""Fixtures of the payment tests: the Stripe fake, Stripe configured against
it, and helpers to deliver signed webhooks and run the billing jobs.

Test modules import the fixtures they use from here, by their ``*_fixture``
names (pytest finds fixtures in a module's namespace, under their ``name``)."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from comptoir.billing.gateways.config import reset_gateways
from comptoir.platform.settings import reset_settings
from tests.billing.stripe_fake import StripeFake, running_stripe_fake, signature

WEBHOOK_SECRET = "whsec_test_comptoir_0123456789abcdef"
API_KEY = "sk_test_comptoir_fake"


@pytest.fixture(scope="session", name="stripe_server")
def stripe_server_fixture() -> Iterator[StripeFake]:
    with running_stripe_fake() as fake:
        yield fake


@pytest.fixture(name="stripe_fake")
def stripe_fake_fixture(stripe_server: StripeFake) -> Iterator[StripeFake]:
    """Stripe configured (key, webhook secret, the fake's address), emptied."""
    stripe_server.reset()
    saved = {name: os.environ.get(name) for name in _STRIPE_ENV}
    os.environ.update(
        STRIPE_API_KEY=API_KEY,
        STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
        STRIPE_API_BASE=stripe_server.api_base,
    )
    _reset()
    try:
        yield stripe_server
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        _reset()


@pytest.fixture(name="webhook_secret_only")
def webhook_secret_only_fixture() -> Iterator[str]:
    """Only the webhook secret set (no API key: bank transfer collects)."""
    saved = {name: os.environ.get(name) for name in _STRIPE_ENV}
    os.environ["STRIPE_WEBHOOK_SECRET"] = WEBHOOK_SECRET
    _reset()
    try:
        yield WEBHOOK_SECRET
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        _reset()


_STRIPE_ENV = ("STRIPE_API_KEY", "STRIPE_WEBHOOK_SECRET", "STRIPE_API_BASE")


def _reset() -> None:
    reset_settings()
    reset_gateways()


def signed(event: dict[str, Any], *, secret: str = WEBHOOK_SECRET) -> tuple[bytes, dict[str, str]]:
    payload = json.dumps(event).encode()
    return payload, {
        "Stripe-Signature": signature(payload, secret),
        "Content-Type": "application/json",
    }


async def deliver(
    client: httpx.AsyncClient, event: dict[str, Any], *, secret: str = WEBHOOK_SECRET
) -> httpx.Response:
    """POST a webhook as Stripe would (signed with the test secret)."""
    payload, headers = signed(event, secret=secret)
    return await client.post("/webhooks/stripe", content=payload, headers=headers)


def utc(year: int, month: int, day: int, hour: int = 9) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=dt.UTC)
