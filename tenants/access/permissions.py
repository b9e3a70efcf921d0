"""Who may do what: one model for the API and the pages.

Each route declares the permission it needs in its ``opt`` (``requires``);
the request's identity dependency (``tenants.access.callers``) checks it
against the grants of the user's ``Role`` row, in the request's transaction.
A role's grants are provisioned from the features' manifests
(``default_grants``); a feature added since the role was written gives it
that feature's defaults."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from comptoir.platform.assembly import all_features
from comptoir.platform.db.scope import TenantScope, Visibility
from comptoir.platform.directory.tables import Tenant
from comptoir.platform.errors import Forbidden, ModuleNotInPlan
from comptoir.platform.features import (
    PERMISSION,
    SEES_ALL_RECORDS,
    SIGNED_IN,
    default_grants,
    requires,
    signed_in,
)
from comptoir.platform.i18n import gettext as _
from comptoir.tenants.users.tables import Role

__all__ = [
    "Grants",
    "check",
    "check_plan",
    "load_grants",
    "module_of",
    "requires",
    "route_permission",
    "signed_in",
]


def route_permission(opt: Mapping[str, Any]) -> str:
    """The permission a route declared; a route that declared none is a bug."""
    if opt.get(PERMISSION) is None:
        raise RuntimeError("this route declares no permission (opt=requires(...))")
    return str(opt[PERMISSION])


@dataclass(frozen=True)
class Grants:
    """What one user may do in their workspace."""

    permissions: frozenset[str]
    sees_all_records: bool

    def can(self, permission: str) -> bool:
        return permission == SIGNED_IN or permission in self.permissions


@cache
def manifest_grants() -> dict[str, frozenset[str]]:
    """Role -> its default grants, from the manifests (read on every request)."""
    return default_grants(all_features())


def role_defaults(role_key: str) -> tuple[list[str], list[str], bool]:
    """A new role row's permissions, known features and see-all flag."""
    grants = manifest_grants().get(role_key, frozenset())
    return sorted(grants), [f.name for f in all_features()], role_key in SEES_ALL_RECORDS


def grants_of(role_key: str, permissions: Any, known: Any, sees_all: Any) -> Grants:
    """A role row's grants, plus the defaults of features it does not know yet."""
    stored = {str(p) for p in (permissions or [])}
    known_names = {str(k) for k in (known or [])}
    defaults = manifest_grants().get(role_key, frozenset())
    for permission in defaults:
        if permission.split(".", 1)[0] not in known_names:
            stored.add(permission)
    return Grants(permissions=frozenset(stored), sees_all_records=bool(sees_all))


async def load_grants(scope: TenantScope, role_key: str) -> Grants:
    row = await (
        scope.select(Role, Role.permissions, Role.known_features, Role.sees_all_records)
        .where(Role.key == role_key)
        .first()
        .output(load_json=True)
    )
    if row is None:
        return Grants(permissions=frozenset(), sees_all_records=False)
    return grants_of(role_key, row["permissions"], row["known_features"], row["sees_all_records"])


@cache
def _modules_by_feature() -> dict[str, str]:
    return {feature.name: feature.module for feature in all_features()}


def module_of(permission: str) -> str:
    """The module ("sales", …, or "" for the platform) of a permission's feature."""
    return _modules_by_feature().get(permission.split(".", 1)[0], "")


def enabled_modules(tenant: Tenant) -> frozenset[str] | None:
    """The modules the tenant's plan enables, as the features that decide it
    say (billing); None when no feature says (every module is open)."""
    enabled: set[str] | None = None
    for feature in all_features():
        if feature.entitlement is None:
            continue
        modules = feature.entitlement(tenant)
        if modules is not None:
            enabled = set(modules) if enabled is None else enabled & set(modules)
    return None if enabled is None else frozenset(enabled)


def check_plan(tenant: Tenant, permission: str) -> None:
    """Refuse a route of a module outside the tenant's plan (ModuleNotInPlan)."""
    module = module_of(permission)
    if not module:
        return
    enabled = enabled_modules(tenant)
    if enabled is not None and module not in enabled:
        raise ModuleNotInPlan(
            _("This module is not included in your plan. An administrator can upgrade it."),
            module=module,
            plan=str(tenant.plan),
        )


def check(grants: Grants, permission: str) -> None:
    if not grants.can(permission):
        raise Forbidden(_("Your role does not allow this. Ask an administrator of the workspace."))


async def visibility_for(
    scope: TenantScope, tenant: Tenant, user_id: Any, team_id: Any, grants: Grants
) -> Visibility | None:
    """Whose records this user sees: everyone's, or under the own_and_team
    rule (and without the see-all right) their own and their team's."""
    if tenant.sharing_rule != "own_and_team" or grants.sees_all_records:
        return None
    if team_id is None:
        return Visibility.of(user_id)
    from comptoir.platform.auth.tables import User

    rows = await scope.select(User, User.id).where(User.team_id == team_id)
    return Visibility.of(user_id, [row["id"] for row in rows])
