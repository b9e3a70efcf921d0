"""A feature's manifest: everything the rest of the product needs to know about it.

Each feature (contacts, accounts, users, the outbox, …) is one folder that
exposes one ``Feature``. The app factory mounts its routes, the Piccolo app of
its area lists its tables, the tenant-table registry (RLS, export, erase) reads
them, the navigation shows its entries to the roles allowed to see them, the
job worker runs its job kinds, and the generic test suites walk all of it.
Adding a feature is one folder, its templates, its migration and one line in
its area's list of features."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from piccolo.table import Table

from comptoir.platform.events import Subscriber
from comptoir.platform.jobs.kinds import JobKind

if TYPE_CHECKING:
    import click

    from comptoir.platform.auth.tables import User
    from comptoir.platform.db.scope import TenantScope
    from comptoir.platform.directory.tables import Tenant

# What a role may do with a feature's records. "manage" covers the feature's
# settings (stages, teams, roles…), "export" bulk reads out of the product.
ACTIONS = ("view", "create", "edit", "delete", "export", "manage")
ROLES = ("admin", "key_user", "end_user")
EVERY_ACTION = frozenset(ACTIONS)
WORK_ACTIONS = frozenset({"view", "create", "edit", "delete"})
# Roles that see every record whatever the tenant's sharing rule.
SEES_ALL_RECORDS = frozenset({"admin", "key_user"})


PERMISSION = "permission"
# Any signed-in user of the workspace may use the route (their own account).
SIGNED_IN = ""


def requires(feature: str, action: str) -> dict[str, Any]:
    """A route's ``opt``: it needs ``action`` on ``feature``. Every API route
    and workspace page declares one (``signed_in()`` for one's own things);
    the request's identity dependency checks it, the permission suite walks it."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    return {PERMISSION: f"{feature}.{action}"}


# A route's ``opt`` key: it stays open to the workspace's admins while the
# tenant is suspended (its billing pages, where an unpaid invoice is settled)
# and the sign-in page lets admins in to reach them.
OPEN_WHEN_SUSPENDED = "open_when_suspended"


def open_when_suspended(opt: dict[str, Any]) -> dict[str, Any]:
    """``opt`` (e.g. ``requires(...)``) for a route admins may use while suspended."""
    return {**opt, OPEN_WHEN_SUSPENDED: True}


def public() -> dict[str, Any]:
    """A route's ``opt``: no workspace user is needed (sign-in, signup, landing)."""
    return {PERMISSION: None}


def signed_in() -> dict[str, Any]:
    """A route's ``opt``: every signed-in user of the workspace may use it."""
    return {PERMISSION: SIGNED_IN}


@dataclass(frozen=True)
class NavEntry:
    """A link in the workspace sidebar, shown to whoever may ``action`` the feature."""

    key: str  # the page's "section", which the link highlights
    label: str  # an English msgid, translated at render time
    path: str  # relative to the workspace base, e.g. "/contacts"
    icon: str
    action: str = "view"
    group: str = "work"  # "work" (the CRM) or "admin" (administration)
    order: int = 100


@dataclass(frozen=True)
class ConsoleLink:
    """A link the ops console shows for a feature: in its sidebar (``path``
    absolute, e.g. "/console/billing") or on each tenant's page (``path`` with
    ``{tenant_id}``, e.g. "/console/tenants/{tenant_id}/billing")."""

    key: str  # the console page's "nav" value, which the link highlights
    label: str  # an English msgid
    path: str
    icon: str = "layers"


@dataclass(frozen=True)
class RecordPanel:
    """A box on another record's page (a contact's, an account's, an
    opportunity's) listing this feature's records linked to it: an account's
    opportunities, a contact's quotes… The record page shows the panels of the
    features the viewer may ``view``, in ``order``."""

    key: str
    label: str  # an English msgid
    subjects: frozenset[str]  # the record kinds it appears on: "contact", "account", …
    # (tenant_id, subject, subject_id) -> the rows the template lists; runs in
    # the request's tenant transaction (through ``tenant_scope``).
    load: Callable[[uuid.UUID, str, uuid.UUID], Awaitable[Sequence[Any]]]
    template: str  # a partial that renders ``items`` (and ``subject``, ``subject_id``)
    order: int = 100


@dataclass(frozen=True)
class HomePanel:
    """A box on the signed-in user's home page (their training progress, what
    they left incomplete…), shown when the user may ``permission`` ("" for
    everyone), in ``order``."""

    key: str
    # (tenant, user) -> what the template shows, or None to hide the box;
    # runs in the request's tenant transaction.
    load: Callable[[Tenant, User], Awaitable[Any]]
    template: str  # a partial that renders ``panel`` (what ``load`` returned)
    permission: str = ""
    order: int = 100


@dataclass(frozen=True)
class TimelineEntry:
    """One line of a record's history."""

    at: dt.datetime
    kind: str  # "activity", "change", "quote", … (the icon and the filter)
    title: str  # already translated, or user text
    body: str = ""
    actor_id: uuid.UUID | None = None
    link: str = ""  # relative to the workspace base, e.g. "/activities/0193…"


# (tenant_id, subject, subject_id, limit) -> the newest entries of a record's history.
TimelineSource = Callable[[uuid.UUID, str, uuid.UUID, int], Awaitable[Sequence[TimelineEntry]]]

# (scope, tenant, admin) -> a line of the provisioning log, (step, detail), or None.
# Runs inside the signup's one transaction: if it raises, nothing is provisioned.
Provisioner = Callable[["TenantScope", "Tenant", "User"], Awaitable[tuple[str, str] | None]]

# tenant -> the modules ("sales", "marketing", "service") its plan enables, or
# None when this feature has no say. A route of a feature whose module is not
# enabled answers 403 (ModuleNotInPlan).
Entitlement = Callable[["Tenant"], Collection[str] | None]

# Started with every process that serves requests or runs jobs, and left
# (awaited) on a clean shutdown: e.g. a buffer flushed in the background.
Lifespan = Callable[[], AbstractAsyncContextManager[None]]


@dataclass(frozen=True)
class Feature:
    name: str
    label: str
    area: str = "tenants"  # the Piccolo app (and import package) it belongs to
    api_routes: Sequence[Any] = ()
    page_routes: Sequence[Any] = ()
    tables: Sequence[type[Table]] = ()
    nav: Sequence[NavEntry] = ()
    # audit action -> English label, e.g. "contact.create" -> "Contact created"
    audit_labels: Mapping[str, str] = field(default_factory=dict)
    # role -> the actions it has on this feature, as provisioned for new
    # workspaces; a workspace's Role rows are what is checked afterwards.
    permissions: Mapping[str, frozenset[str]] = field(default_factory=dict)
    events: Sequence[str] = ()
    job_kinds: Sequence[JobKind] = ()
    # One-shot messages its pages show after a redirect: key -> (kind, English text).
    flashes: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    # Called with the domain events of each committed transaction.
    listeners: Sequence[Subscriber] = ()
    # The module it belongs to in adoption figures: "sales", "marketing",
    # "service", or "" for the platform and administration.
    module: str = ""
    # Boxes on other records' pages, and what it adds to their history.
    record_panels: Sequence[RecordPanel] = ()
    timeline: TimelineSource | None = None
    # Run when a tenant is provisioned, in its transaction (default records).
    provisioners: Sequence[Provisioner] = ()
    entitlement: Entitlement | None = None
    lifespans: Sequence[Lifespan] = ()
    # Sub-commands of ``comptoir`` (click commands or groups).
    cli_commands: Sequence[click.Command] = ()
    home_panels: Sequence[HomePanel] = ()
    # Where a suspended workspace's admins are sent to settle it, relative to
    # the workspace base ("/admin/billing"); its routes are open_when_suspended.
    suspended_landing: str = ""
    # Called once for each demo tenant ``comptoir demo`` creates, after the
    # CRM records are seeded: the feature's own demo data (invoices, usage…).
    demo_seeders: Sequence[Callable[[Tenant], Awaitable[None]]] = ()
    # Console pages it adds (its routes go in ``page_routes``).
    console_nav: Sequence[ConsoleLink] = ()
    console_tenant_links: Sequence[ConsoleLink] = ()

    def permission(self, action: str) -> str:
        """The permission string checked for ``action`` on this feature."""
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}")
        return f"{self.name}.{action}"


def default_grants(features: Sequence[Feature]) -> dict[str, frozenset[str]]:
    """Role -> permissions ("contacts.view", …) for a new workspace: the one
    place where roles are mapped to actions, read from the manifests."""
    grants: dict[str, set[str]] = {role: set() for role in ROLES}
    for feature in features:
        for role, actions in feature.permissions.items():
            if role not in grants:
                raise ValueError(f"{feature.name}: unknown role {role!r}")
            grants[role].update(feature.permission(action) for action in actions)
    return {role: frozenset(perms) for role, perms in grants.items()}
