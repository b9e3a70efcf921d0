"""The home-page boxes: one's training progress, and one's records that
miss expected fields (with links to complete them)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from comptoir.adoption.completeness.objects import CompletenessObject, completeness_objects
from comptoir.adoption.completeness.scores import rules_in_force
from comptoir.adoption.completeness.service import RecordGap, incomplete_records
from comptoir.adoption.training.progress import UserProgress, progress_in
from comptoir.platform.auth.tables import User
from comptoir.platform.db.scope import tenant_scope
from comptoir.platform.directory.tables import Tenant


async def training_panel(tenant: Tenant, user: User) -> UserProgress | None:
    """The user's progress, or None when their role has no program."""
    async with tenant_scope(tenant.id) as scope:
        found = await progress_in(scope.unrestricted(), user_ids=[user.id], include_disabled=True)
    if not found or not found[0].steps:
        return None
    return found[0]


@dataclass(frozen=True)
class IncompleteRecords:
    total: int
    records: list[RecordGap]
    objects: dict[str, CompletenessObject]

    def labels(self, gap: RecordGap) -> list[str]:
        obj = self.objects[gap.object]
        return [spec.label for name in gap.missing if (spec := obj.field(name)) is not None]


async def incomplete_panel(tenant: Tenant, user: User) -> IncompleteRecords | None:
    """The user's records missing an expected field, or None when none does."""
    async with tenant_scope(tenant.id) as scope:
        rules = await rules_in_force(scope)
        total, records = await incomplete_records(scope.unrestricted(), user.id, rules)
    if not total:
        return None
    objects: dict[str, Any] = {obj.key: obj for obj in completeness_objects()}
    return IncompleteRecords(total=total, records=records, objects=objects)
