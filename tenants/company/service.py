"""The tenant's company profile: read (defaults until first saved) and saved
whole, one row per tenant, checked like an account's SIREN plus a French VAT
number and bank details."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from typing import Any

import msgspec

from comptoir.platform import events
from comptoir.platform.audit import service as audit
from comptoir.platform.auth.actor import Actor
from comptoir.platform.db.scope import TenantScope, tenant_scope
from comptoir.platform.errors import ValidationFailed
from comptoir.platform.fields import changed_values
from comptoir.platform.ids import new_id
from comptoir.tenants.accounts.service import luhn_valid
from comptoir.tenants.company.schemas import CompanyFields
from comptoir.tenants.company.tables import CompanyProfile

FIELDS = tuple(CompanyFields.__struct_fields__)
# A field left out takes its declared default (a Struct's class attributes are
# descriptors, not defaults).
DEFAULTS: dict[str, Any] = {
    field.name: field.default if field.default is not msgspec.NODEFAULT else ""
    for field in msgspec.structs.fields(CompanyFields)
}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
VAT_NUMBER = re.compile(r"^FR[0-9A-HJ-NP-Z]{2}\d{9}$")
IBAN = re.compile(r"^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$")
BIC = re.compile(r"^[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?$")


def _compact(value: Any) -> str:
    return re.sub(r"\s+", "", str(value or "")).upper()


def clean(values: Mapping[str, Any]) -> dict[str, Any]:
    """Spaces out of identifiers, upper-case codes, trimmed text."""
    cleaned = {name: values.get(name, DEFAULTS[name]) for name in FIELDS}
    for name in ("siren", "vat_number", "iban", "bic"):
        cleaned[name] = _compact(cleaned[name])
    for name, value in cleaned.items():
        if isinstance(value, str) and name != "payment_terms":
            cleaned[name] = value.strip()
    return cleaned


def check(values: Mapping[str, Any]) -> dict[str, str]:
    """{field: message} for each rule the (cleaned) values break."""
    errors: dict[str, str] = {}
    siren = str(values.get("siren") or "")
    if siren and (len(siren) != 9 or not siren.isdigit() or not luhn_valid(siren)):
        errors["siren"] = "must be a valid SIREN: 9 digits with a correct check digit"
    vat = str(values.get("vat_number") or "")
    if vat:
        if not VAT_NUMBER.match(vat):
            errors["vat_number"] = "must be FR, a 2-character key and the 9 digits of the SIREN"
        elif not luhn_valid(vat[4:]):
            errors["vat_number"] = "must end with a valid SIREN"
        elif vat[2:4].isdigit() and int(vat[2:4]) != (12 + 3 * (int(vat[4:]) % 97)) % 97:
            errors["vat_number"] = "has a key that does not match its SIREN"
        elif siren and vat[4:] != siren:
            errors["vat_number"] = "must end with the company's SIREN"
    email = str(values.get("email") or "")
    if email and not EMAIL.match(email):
        errors["email"] = "must be a valid e-mail address"
    iban = str(values.get("iban") or "")
    if iban and (not IBAN.match(iban) or not _iban_valid(iban)):
        errors["iban"] = "must be a valid IBAN"
    bic = str(values.get("bic") or "")
    if bic and not BIC.match(bic):
        errors["bic"] = "must be a valid BIC: 8 or 11 letters and digits"
    days = values.get("quote_validity_days")
    if not isinstance(days, int) or not 1 <= days <= 365:
        errors["quote_validity_days"] = "must be between 1 and 365 days"
    return errors


def _iban_valid(iban: str) -> bool:
    """ISO 13616: the rearranged IBAN, letters as numbers, is 1 modulo 97."""
    moved = iban[4:] + iban[:4]
    return int("".join(str(int(char, 36)) for char in moved)) % 97 == 1


async def profile_in(scope: TenantScope) -> CompanyProfile:
    """The saved profile, or the defaults (not saved) before the first save."""
    found = await scope.objects(CompanyProfile).first()
    return found if found is not None else CompanyProfile(tenant_id=scope.tenant_id)


async def get_profile(tenant_id: uuid.UUID) -> CompanyProfile:
    async with tenant_scope(tenant_id) as scope:
        return await profile_in(scope)


async def save_profile(
    tenant_id: uuid.UUID, values: Mapping[str, Any], *, actor: Actor
) -> CompanyProfile:
    """Replace the profile with ``values`` (every field; those missing take
    their defaults). The first save makes the row: two first saves at once
    meet on the unique index, and the second one updates the row instead."""
    cleaned = clean(values)
    errors = check(cleaned)
    if errors:
        raise ValidationFailed(errors)
    async with tenant_scope(tenant_id) as scope:
        await scope.raw(
            CompanyProfile,
            "INSERT INTO company_profiles (id, tenant_id, created_at) "
            "VALUES ({}, {}, CURRENT_TIMESTAMP) ON CONFLICT DO NOTHING",
            new_id(),
            scope.tenant_id,
        )
        profile = await scope.objects(CompanyProfile).first()
        if profile is None:  # pragma: no cover - the row was just made
            raise RuntimeError("company profile missing after insert")
        before = profile.to_dict()
        for name, value in cleaned.items():
            setattr(profile, name, value)
        changes = changed_values(before, cleaned)
        if changes:
            await scope.save(profile)
            await audit.record(
                scope, actor, "company.update", object_type="company", changes=changes
            )
            events.emit(
                events.DomainEvent(
                    name="company.updated",
                    tenant_id=tenant_id,
                    actor_id=actor.id,
                    actor_role=actor.role,
                    object_type="company",
                    object_id=str(profile.id),
                )
            )
        return profile
