"""Which records data completeness measures, and how: a registry.

Each kind of record (contacts, accounts, opportunities; tickets when they
come) registers one ``CompletenessObject``: its table, the fields an admin
may expect (read from the feature's msgspec struct, labels included), when a
field applies (a lost reason only on lost opportunities), what "filled"
means for each column, its default expected fields and when one of its
records is stale. Nothing else in this feature names an object: a feature
added later calls ``register`` and its records are measured."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import msgspec
from piccolo.columns import JSON, UUID, Boolean, Date, Integer, Numeric, Timestamptz
from piccolo.columns.column_types import BigInt, DoublePrecision, Real

from comptoir.platform.db.base import OwnedTable
from comptoir.platform.fields import form_fields
from comptoir.tenants.accounts.schemas import AccountFields
from comptoir.tenants.accounts.tables import Account
from comptoir.tenants.contacts.schemas import ContactFields
from comptoir.tenants.contacts.tables import Contact
from comptoir.tenants.opportunities.schemas import OpportunityFields
from comptoir.tenants.opportunities.tables import Opportunity


def _(message: str) -> str:
    """Marks an English label for extraction; it is translated when shown."""
    return message


@dataclass(frozen=True)
class Condition:
    """When a field applies: an SQL predicate over the record's own columns."""

    sql: str
    label: str  # English msgid, e.g. "on lost opportunities"


@dataclass(frozen=True)
class ExpectableField:
    name: str
    label: str  # English msgid
    filled: str  # SQL predicate: the field holds a value
    applies: Condition | None = None


@dataclass(frozen=True)
class CompletenessObject:
    key: str  # "contacts", as in the API's "objects"
    label: str  # English msgid, plural
    singular: str  # "contact", as in record URLs and events
    table: type[OwnedTable]
    fields: tuple[ExpectableField, ...]
    defaults: Mapping[str, int]  # provisioned expected fields -> weight
    name_sql: str  # SQL expression naming a record on the pages
    path: str  # the list page, relative to the workspace base ("/contacts")
    # When an open record is judged stale (an SQL predicate), None if never.
    open_sql: str | None = None

    def field(self, name: str) -> ExpectableField | None:
        return next((f for f in self.fields if f.name == name), None)

    @property
    def tablename(self) -> str:
        return str(self.table._meta.tablename)


def filled_sql(column: Any) -> str | None:
    """What "filled" means for a column, or None when it cannot be empty."""
    name = column._meta.db_column_name
    if isinstance(column, Boolean | JSON):
        return None
    if isinstance(column, Numeric | Integer | BigInt | Real | DoublePrecision):
        # Amounts default to 0, which is "not given" for a deal or a count.
        return f"({name} IS NOT NULL AND {name} <> 0)"
    if isinstance(column, UUID | Date | Timestamptz):
        return f"{name} IS NOT NULL"
    return f"({name} IS NOT NULL AND {name} <> '')"


def fields_of(
    struct: type[msgspec.Struct],
    table: type[OwnedTable],
    *,
    conditions: Mapping[str, Condition] | None = None,
    skip: Sequence[str] = (),
    extra: Sequence[ExpectableField] = (),
) -> tuple[ExpectableField, ...]:
    """The struct's fields that are columns of the table and can be empty."""
    found: list[ExpectableField] = []
    columns = {c._meta.name: c for c in table._meta.columns}
    for spec in form_fields(struct):
        column = columns.get(spec.name)
        if column is None or spec.name in skip:
            continue
        filled = filled_sql(column)
        if filled is None:
            continue
        found.append(
            ExpectableField(spec.name, spec.label, filled, (conditions or {}).get(spec.name))
        )
    return (*found, *extra)


_registry: dict[str, CompletenessObject] = {}


def register(obj: CompletenessObject) -> None:
    _registry[obj.key] = obj


def completeness_objects() -> list[CompletenessObject]:
    return list(_registry.values())


def object_named(key: str) -> CompletenessObject | None:
    return _registry.get(key)


ON_LOST = Condition("status = 'lost'", _("on lost opportunities"))
ON_WON = Condition("status = 'won'", _("on won opportunities"))
WITH_CONSENT = Condition("marketing_consent = TRUE", _("on contacts who gave marketing consent"))

register(
    CompletenessObject(
        key="contacts",
        label=_("Contacts"),
        singular="contact",
        table=Contact,
        fields=fields_of(
            ContactFields,
            Contact,
            conditions={"consent_at": WITH_CONSENT, "consent_source": WITH_CONSENT},
        ),
        defaults={"email": 1, "phone": 1},
        name_sql="TRIM(first_name || ' ' || last_name)",
        path="/contacts",
    )
)
register(
    CompletenessObject(
        key="accounts",
        label=_("Accounts"),
        singular="account",
        table=Account,
        fields=fields_of(AccountFields, Account, skip=("name",)),
        defaults={"industry": 1, "city": 1, "phone": 1},
        name_sql="name",
        path="/accounts",
    )
)
register(
    CompletenessObject(
        key="opportunities",
        label=_("Opportunities"),
        singular="opportunity",
        table=Opportunity,
        fields=fields_of(
            OpportunityFields,
            Opportunity,
            conditions={"lost_reason_id": ON_LOST},
            skip=("name", "probability", "stage_id"),
            extra=(
                ExpectableField(
                    "won_at", _("Won on"), filled_sql(Opportunity.won_at) or "", ON_WON
                ),
            ),
        ),
        defaults={"amount": 1, "expected_close_date": 1, "lost_reason_id": 1},
        name_sql="name",
        path="/opportunities",
        open_sql="status = 'open'",
    )
)


@dataclass(frozen=True)
class Rules:
    """The rule version in force: object -> expected field -> weight."""

    version: int
    expected: Mapping[str, Mapping[str, int]]
    stale_days: int = 30
    changed_at: Any = None
    changed_by: Any = None
    note: str = ""

    def weights(self, obj: CompletenessObject) -> dict[str, int]:
        """The object's expected fields that still exist, with their weights."""
        given = self.expected.get(obj.key, {})
        return {f.name: int(given[f.name]) for f in obj.fields if f.name in given}


def default_rules() -> dict[str, dict[str, int]]:
    return {obj.key: dict(obj.defaults) for obj in completeness_objects()}


MAX_WEIGHT = 10
DEFAULT_STALE_DAYS = 30
