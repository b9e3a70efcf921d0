"""What a domain event means for adoption figures: its module, the role it
counts under, and whether it is *use* of the CRM (a value event).

Every event is recorded, whatever feature emits it (future modules' events
flow in with no change here). A value event is one a user did, except:

- signing in (``user.signed_in``): a login alone is not use;
- viewing the home page (``page.viewed`` of the ``workspace`` pages, where
  every sign-in lands): the same login seen from the browser.

Every other page view *is* use: reading the pipeline or a contact's history
is how a manager or an after-sales agent works the CRM. Events without an
actor (jobs, the system) are recorded but are nobody's use."""

from __future__ import annotations

MODULES = ("sales", "marketing", "service", "admin", "training")
ROLES = ("admin", "key_user", "end_user")
LOGIN_EVENTS = frozenset({"user.signed_in"})
PAGE_VIEW = "page.viewed"
# Page views that are not use: the pages a sign-in lands on.
LANDING_PAGES = frozenset({"workspace"})
# Keys of an event's data that carry a row count (imports, exports).
QUANTITY_KEYS = ("rows", "row_count", "quantity", "count")


def module_of(module: str) -> str:
    """The adoption module of an event: "" (the platform) counts as admin."""
    return module if module in MODULES else "admin"


def role_of(role: str | None) -> str:
    return role if role in ROLES else ""


def is_value_event(event: str, object_type: str, has_actor: bool) -> bool:
    if not has_actor or event in LOGIN_EVENTS:
        return False
    return not (event == PAGE_VIEW and object_type in LANDING_PAGES)


def _quoted(names: frozenset[str]) -> str:
    return ", ".join("'" + name.replace("'", "''") + "'" for name in sorted(names))


def value_sql() -> str:
    """``is_value_event`` as an SQL expression over ``usage_events`` (1 or 0),
    for the rollups and the live part of the figures."""
    return (
        "CASE WHEN user_id IS NULL"
        f" OR event IN ({_quoted(LOGIN_EVENTS)})"
        f" OR (event = '{PAGE_VIEW}' AND object_type IN ({_quoted(LANDING_PAGES)}))"
        " THEN 0 ELSE 1 END"
    )
