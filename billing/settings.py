"""The billing settings: who issues the invoices and on which terms, read from
the environment once (tests set the environment, then call ``reset_billing_settings``).

The defaults describe a fictitious demo provider, so ``comptoir demo`` prints
complete invoices with nothing configured."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class ProviderIdentity:
    """The seller printed on every invoice (French mandatory mentions)."""

    legal_name: str
    legal_form: str
    address: str
    postal_code: str
    city: str
    country: str  # ISO 3166-1 alpha-2
    siren: str
    vat_number: str
    rcs: str  # "RCS Lyon 912 345 675"
    share_capital: str  # "10 000 €"
    iban: str
    bic: str
    email: str

    def as_dict(self) -> dict[str, str]:
        return {
            "legal_name": self.legal_name,
            "legal_form": self.legal_form,
            "address": self.address,
            "postal_code": self.postal_code,
            "city": self.city,
            "country": self.country,
            "siren": self.siren,
            "vat_number": self.vat_number,
            "rcs": self.rcs,
            "share_capital": self.share_capital,
            "iban": self.iban,
            "bic": self.bic,
            "email": self.email,
        }


@dataclass(frozen=True)
class BillingSettings:
    provider: ProviderIdentity
    # An invoice on bank-transfer terms is due this many days after its issue.
    payment_terms_days: int = 30
    # When a trial ends without a payment method: False moves the subscription
    # to active on bank-transfer terms, True to past_due until a card is saved.
    card_required_after_trial: bool = False
    trial_days: int = 14
    # Days a past_due subscription keeps its workspace before suspension.
    dunning_grace_days: int = 10
    # Retries of a failed card payment, in days after the first failure.
    dunning_retry_days: tuple[int, ...] = (3, 5, 7)
    vat_rate: str = "20"
    # The late-payment mentions French law requires on invoices (C. com. L441-10).
    late_payment_penalty: str = (
        "Pénalités de retard : trois fois le taux d'intérêt légal, exigibles dès le "
        "lendemain de la date d'échéance."
    )
    recovery_indemnity: str = (
        "Indemnité forfaitaire pour frais de recouvrement en cas de retard de paiement : 40 €."
    )
    early_payment_discount: str = "Pas d'escompte pour paiement anticipé."


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


def _int(name: str, default: int, minimum: int = 0) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    value = int(raw)
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, not {raw!r}")
    return value


def _days(name: str, default: tuple[int, ...]) -> tuple[int, ...]:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    days = tuple(int(part) for part in raw.split(",") if part.strip())
    if not days or any(day <= 0 for day in days) or list(days) != sorted(days):
        raise ValueError(f"{name} must be increasing positive days, e.g. 3,5,7; not {raw!r}")
    return days


def load_billing_settings() -> BillingSettings:
    provider = ProviderIdentity(
        legal_name=_env("BILLING_PROVIDER_NAME", "Comptoir SAS"),
        legal_form=_env("BILLING_PROVIDER_LEGAL_FORM", "SAS"),
        address=_env("BILLING_PROVIDER_ADDRESS", "12 rue de la République"),
        postal_code=_env("BILLING_PROVIDER_POSTAL_CODE", "69002"),
        city=_env("BILLING_PROVIDER_CITY", "Lyon"),
        country=_env("BILLING_PROVIDER_COUNTRY", "FR"),
        siren=_env("BILLING_PROVIDER_SIREN", "912345675"),
        vat_number=_env("BILLING_PROVIDER_VAT_NUMBER", "FR65912345675"),
        rcs=_env("BILLING_PROVIDER_RCS", "RCS Lyon 912 345 675"),
        share_capital=_env("BILLING_PROVIDER_SHARE_CAPITAL", "10 000 €"),
        iban=_env("BILLING_PROVIDER_IBAN", "FR76 3000 4000 0312 3456 7890 143"),
        bic=_env("BILLING_PROVIDER_BIC", "BNPAFRPPXXX"),
        email=_env("BILLING_PROVIDER_EMAIL", "facturation@comptoir.localhost"),
    )
    return BillingSettings(
        provider=provider,
        payment_terms_days=_int("BILLING_PAYMENT_TERMS_DAYS", 30, minimum=0),
        card_required_after_trial=os.environ.get("BILLING_CARD_REQUIRED", "").strip().lower()
        in ("1", "true", "yes"),
        trial_days=_int("BILLING_TRIAL_DAYS", 14, minimum=1),
        dunning_grace_days=_int("BILLING_DUNNING_GRACE_DAYS", 10, minimum=0),
        dunning_retry_days=_days("BILLING_DUNNING_RETRY_DAYS", (3, 5, 7)),
    )


@lru_cache(maxsize=1)
def get_billing_settings() -> BillingSettings:
    return load_billing_settings()


def reset_billing_settings() -> None:
    """Forget the cached settings (tests change the environment, then call this)."""
    get_billing_settings.cache_clear()
