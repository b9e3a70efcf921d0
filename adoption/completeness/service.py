"""Data completeness: the rules (named writes, versioned), and what the pages
show beside the scores: stale records, process conformance, one person's
incomplete records, and the figures kept per day."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import structlog

from comptoir.adoption.completeness.objects import (
    DEFAULT_STALE_DAYS,
    MAX_WEIGHT,
    CompletenessObject,
    Rules,
    completeness_objects,
    default_rules,
    object_named,
)
from comptoir.adoption.completeness.scores import (
    expected_flags,
    forget_figures,
    report_in,
    rule_history,
    rules_in_force,
)
from comptoir.adoption.completeness.tables import (
    CompletenessRuleSet,
    CompletenessSnapshot,
    StageRequirement,
)
from comptoir.adoption.telemetry.clock import zone
from comptoir.platform import events
from comptoir.platform.audit import service as audit
from comptoir.platform.auth.actor import Actor
from comptoir.platform.auth.tables import User
from comptoir.platform.db.scope import TenantScope, tenant_scope
from comptoir.platform.directory.tables import Tenant
from comptoir.platform.errors import ValidationFailed
from comptoir.platform.jobs.kinds import JobContext, JobKind
from comptoir.tenants.opportunities.tables import Opportunity, PipelineStage

log = structlog.get_logger(__name__)
MAX_STALE_DAYS = 3650
LIVE_STATUSES = ("trial", "active")
TENANT_BATCH = 500
STAGE_OBJECT = "opportunities"


# --- Rules ---------------------------------------------------------------------


def check_rules(expected: Mapping[str, Any], stale_days: Any) -> dict[str, dict[str, int]]:
    """The expected fields cleaned ({object: {field: weight}}), or
    ValidationFailed naming each problem ("expected.contacts.fax": …)."""
    errors: dict[str, str] = {}
    cleaned: dict[str, dict[str, int]] = {}
    if not isinstance(expected, Mapping):
        raise ValidationFailed({"expected": "must be an object of objects and their fields"})
    for key, fields in expected.items():
        obj = object_named(str(key))
        if obj is None:
            errors[f"expected.{key}"] = "is not an object whose completeness is measured"
            continue
        if not isinstance(fields, Mapping):
            errors[f"expected.{key}"] = "must map each expected field to its weight"
            continue
        cleaned[obj.key] = {}
        for name, weight in fields.items():
            if obj.field(str(name)) is None:
                errors[f"expected.{key}.{name}"] = "is not a field of this object"
            elif (
                isinstance(weight, bool)
                or not isinstance(weight, int)
                or not 1 <= weight <= MAX_WEIGHT
            ):
                errors[f"expected.{key}.{name}"] = f"must be a whole weight from 1 to {MAX_WEIGHT}"
            else:
                cleaned[obj.key][str(name)] = weight
    if (
        isinstance(stale_days, bool)
        or not isinstance(stale_days, int)
        or not 1 <= stale_days <= MAX_STALE_DAYS
    ):
        errors["stale_days"] = f"must be a whole number of days from 1 to {MAX_STALE_DAYS}"
    if errors:
        raise ValidationFailed(errors)
    return cleaned


async def _write_version(
    scope: TenantScope,
    expected: Mapping[str, Mapping[str, int]],
    stale_days: int,
    *,
    changed_by: uuid.UUID | None,
    note: str = "",
) -> CompletenessRuleSet:
    current = await rules_in_force(scope)
    rule_set = CompletenessRuleSet(
        version=current.version + 1,
        expected={k: dict(v) for k, v in expected.items()},
        stale_days=stale_days,
        changed_by=changed_by,
        note=note[:200],
    )
    await scope.insert(rule_set)
    return rule_set


async def provision_rules(scope: TenantScope, tenant: Tenant, admin: User) -> tuple[str, str]:
    """Signup: the first rule version, with the default expected fields."""
    await _write_version(
        scope, default_rules(), DEFAULT_STALE_DAYS, changed_by=None, note="defaults"
    )
    fields = sum(len(v) for v in default_rules().values())
    return "completeness", f"{fields} expected fields"


async def change_rules(
    tenant_id: uuid.UUID,
    expected: Mapping[str, Any],
    stale_days: Any,
    *,
    actor: Actor,
    note: str = "",
) -> Rules:
    """Replace the expected fields (objects left out keep theirs) and the
    stale delay: a new rule version, from now on."""
    cleaned = check_rules(expected, stale_days)
    async with tenant_scope(tenant_id) as scope:
        current = await rules_in_force(scope)
        merged = {key: dict(value) for key, value in current.expected.items()}
        merged.update(cleaned)
        if merged == {k: dict(v) for k, v in current.expected.items()} and (
            stale_days == current.stale_days
        ):
            return current
        rule_set = await _write_version(
            scope, merged, int(stale_days), changed_by=actor.id, note=note
        )
        await audit.record(
            scope,
            actor,
            "completeness.rules",
            object_type="completeness_rules",
            object_id=rule_set.id,
            changes={"version": rule_set.version, "expected": merged, "stale_days": stale_days},
        )
        events.emit(
            events.DomainEvent(
                name="completeness.rules_changed",
                tenant_id=tenant_id,
                actor_id=actor.id,
                actor_role=actor.role,
                object_type="completeness_rules",
                object_id=str(rule_set.id),
                module="admin",
                data={"version": rule_set.version},
            )
        )
        return await rules_in_force(scope)


async def current_rules(tenant_id: uuid.UUID) -> Rules:
    async with tenant_scope(tenant_id) as scope:
        return await rules_in_force(scope)


async def rule_versions(tenant_id: uuid.UUID) -> list[Rules]:
    async with tenant_scope(tenant_id) as scope:
        return await rule_history(scope)


# --- Stage requirements ----------------------------------------------------------


def stage_object() -> CompletenessObject:
    obj = object_named(STAGE_OBJECT)
    assert obj is not None
    return obj


async def stage_requirements(scope: TenantScope) -> dict[uuid.UUID, list[str]]:
    rows = await scope.select(StageRequirement).output(load_json=True)
    return {row["stage_id"]: [str(f) for f in row["fields"] or []] for row in rows}


async def set_stage_requirements(
    tenant_id: uuid.UUID, stage_id: uuid.UUID | str, fields: Sequence[str], *, actor: Actor
) -> list[str]:
    """The opportunity fields a stage requires (an empty list: none)."""
    obj = stage_object()
    wanted: list[str] = []
    errors: dict[str, str] = {}
    for index, name in enumerate(fields):
        if obj.field(str(name)) is None:
            errors[f"fields[{index}]"] = "is not a field of an opportunity"
        elif name not in wanted:
            wanted.append(str(name))
    if errors:
        raise ValidationFailed(errors)
    async with tenant_scope(tenant_id) as scope:
        stage = await scope.get(PipelineStage, stage_id)
        row = (
            await scope.objects(StageRequirement)
            .where(StageRequirement.stage_id == stage.id)
            .first()
        )
        before = [str(f) for f in (row.fields if row is not None else [])]
        if before == wanted:
            return wanted
        if row is None:
            await scope.insert(StageRequirement(stage_id=stage.id, fields=wanted))
        else:
            await scope.update(
                StageRequirement,
                {StageRequirement.fields: wanted, StageRequirement.updated_at: _now()},
            ).where(StageRequirement.id == row.id)
        await audit.record(
            scope,
            actor,
            "completeness.stage",
            object_type="pipeline_stage",
            object_id=stage.id,
            changes={"fields": [before, wanted]},
        )
        return wanted


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# --- Stale records and conformance ------------------------------------------------


@dataclass(frozen=True)
class RecordGap:
    """A record on the completeness pages: what it is, who owns it, what it lacks."""

    object: str
    id: uuid.UUID
    name: str
    owner_id: uuid.UUID | None
    updated_at: dt.datetime | None
    missing: tuple[str, ...] = ()
    stage_id: uuid.UUID | None = None


@dataclass(frozen=True)
class StaleFigures:
    object: str
    days: int
    count: int
    oldest: list[RecordGap]


async def stale_records(scope: TenantScope, rules: Rules, *, limit: int = 10) -> list[StaleFigures]:
    """Per object that has open records: how many were not updated in the
    tenant's stale delay, the oldest first."""
    cutoff = _now() - dt.timedelta(days=rules.stale_days)
    found = []
    for obj in completeness_objects():
        if obj.open_sql is None:
            continue
        where = f" WHERE tenant_id = {{}} AND {obj.open_sql} AND updated_at < {{}}"
        visible = scope.visible_owner_ids()
        args: list[Any] = [scope.tenant_id, cutoff]
        if visible is not None:
            where += " AND owner_id IN (" + ", ".join("{}" for _ in visible) + ")"
            args.extend(visible)
        counted = await scope.raw(
            obj.table, f"SELECT COUNT(*) AS n FROM {obj.tablename}{where}", *args
        )
        rows = await scope.raw(
            obj.table,
            f"SELECT id, {obj.name_sql} AS name, owner_id, updated_at FROM {obj.tablename}"
            f"{where} ORDER BY updated_at LIMIT {int(limit)}",
            *args,
        )
        found.append(
            StaleFigures(
                object=obj.key,
                days=rules.stale_days,
                count=int(counted[0]["n"] or 0) if counted else 0,
                oldest=[
                    RecordGap(
                        obj.key,
                        _uuid(r["id"]),
                        str(r["name"] or ""),
                        _uuid_or_none(r["owner_id"]),
                        _datetime(r["updated_at"]),
                    )
                    for r in rows
                ],
            )
        )
    return found


def _uuid(value: Any) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _uuid_or_none(value: Any) -> uuid.UUID | None:
    return None if value is None else _uuid(value)


def _datetime(value: Any) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value
    parsed = dt.datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


@dataclass(frozen=True)
class StageConformance:
    """Opportunities that reached a stage without the fields it requires."""

    stage_id: uuid.UUID
    stage: str
    required: list[str]
    moved: int  # opportunities that moved to the stage
    missing: int  # of which lack a required field now
    examples: list[RecordGap]

    @property
    def rate(self) -> float | None:
        return (self.moved - self.missing) / self.moved if self.moved else None


async def conformance(scope: TenantScope, *, limit: int = 10) -> list[StageConformance]:
    """Per stage with required fields: the opportunities its history shows
    moving into it (``opportunity_stage_changes``) and, of those, the ones
    whose required fields are empty. The values checked are the record's
    current ones: a field filled in since then makes it conform again."""
    obj = stage_object()
    required = await stage_requirements(scope)
    stages = {
        row["id"]: row for row in await scope.select(PipelineStage).order_by(PipelineStage.position)
    }
    found = []
    for stage_id, row in stages.items():
        fields = [f for f in required.get(stage_id, []) if obj.field(f) is not None]
        if not fields:
            continue
        complete = " AND ".join(f"({spec.filled})" for f in fields if (spec := obj.field(f)))
        moved_where = (
            " WHERE tenant_id = {} AND id IN (SELECT opportunity_id FROM "
            "opportunity_stage_changes WHERE tenant_id = {} AND to_stage_id = {})"
        )
        args: list[Any] = [scope.tenant_id, scope.tenant_id, stage_id]
        visible = scope.visible_owner_ids()
        if visible is not None:
            moved_where += " AND owner_id IN (" + ", ".join("{}" for _ in visible) + ")"
            args.extend(visible)
        flags = ", ".join(
            f"CASE WHEN {spec.filled} THEN 1 ELSE 0 END AS f_{f}"
            for f in fields
            if (spec := obj.field(f))
        )
        counted = await scope.raw(
            Opportunity,
            f"SELECT COUNT(*) AS moved, SUM(CASE WHEN {complete} THEN 0 ELSE 1 END) AS missing "
            f"FROM opportunities{moved_where}",
            *args,
        )
        rows = await scope.raw(
            Opportunity,
            f"SELECT id, name, owner_id, updated_at, stage_id, {flags} FROM opportunities"
            f"{moved_where} AND NOT ({complete}) ORDER BY updated_at DESC LIMIT {int(limit)}",
            *args,
        )
        found.append(
            StageConformance(
                stage_id=stage_id,
                stage=str(row["name"]),
                required=fields,
                moved=int(counted[0]["moved"] or 0) if counted else 0,
                missing=int(counted[0]["missing"] or 0) if counted else 0,
                examples=[
                    RecordGap(
                        "opportunities",
                        _uuid(r["id"]),
                        str(r["name"] or ""),
                        _uuid_or_none(r["owner_id"]),
                        _datetime(r["updated_at"]),
                        missing=tuple(f for f in fields if not r[f"f_{f}"]),
                        stage_id=_uuid_or_none(r["stage_id"]),
                    )
                    for r in rows
                ],
            )
        )
    return found


# --- One person's incomplete records ------------------------------------------------


async def incomplete_records(
    scope: TenantScope, owner_id: uuid.UUID, rules: Rules, *, limit: int = 5
) -> tuple[int, list[RecordGap]]:
    """How many of their records miss an expected field, and the latest of them."""
    total = 0
    found: list[RecordGap] = []
    for obj in completeness_objects():
        weights = rules.weights(obj)
        flags = expected_flags(obj, weights)
        if not flags:
            continue
        missing_any = " OR ".join(f"(({a}) AND NOT ({f}))" for _, a, f in flags)
        columns = ", ".join(
            f"CASE WHEN ({a}) AND NOT ({f}) THEN 1 ELSE 0 END AS m{i}"
            for i, (_, a, f) in enumerate(flags)
        )
        where = f" WHERE tenant_id = {{}} AND owner_id = {{}} AND ({missing_any})"
        counted = await scope.raw(
            obj.table,
            f"SELECT COUNT(*) AS n FROM {obj.tablename}{where}",
            scope.tenant_id,
            owner_id,
        )
        total += int(counted[0]["n"] or 0) if counted else 0
        rows = await scope.raw(
            obj.table,
            f"SELECT id, {obj.name_sql} AS name, owner_id, updated_at, {columns} "
            f"FROM {obj.tablename}{where} ORDER BY updated_at DESC LIMIT {int(limit)}",
            scope.tenant_id,
            owner_id,
        )
        found.extend(
            RecordGap(
                obj.key,
                _uuid(r["id"]),
                str(r["name"] or ""),
                _uuid_or_none(r["owner_id"]),
                _datetime(r["updated_at"]),
                missing=tuple(name for i, (name, _, _) in enumerate(flags) if r[f"m{i}"]),
            )
            for r in rows
        )
    found.sort(
        key=lambda gap: gap.updated_at or dt.datetime.min.replace(tzinfo=dt.UTC), reverse=True
    )
    return total, found[:limit]


# --- Kept figures --------------------------------------------------------------------------

MEASURED_EVENTS = frozenset(
    f"{obj.singular}.{verb}"
    for obj in completeness_objects()
    for verb in ("created", "updated", "deleted")
) | {"opportunity.stage_changed", "opportunity.won", "opportunity.lost"}


async def on_records_changed(batch: Sequence[events.DomainEvent]) -> None:
    """Listener: a measured record changed, the kept figures are redone soon."""
    tenants = {event.tenant_id for event in batch if event.name in MEASURED_EVENTS}
    for tenant_id in tenants:
        try:
            await forget_figures(tenant_id)
        except Exception:  # figures never undo the write itself
            log.exception("completeness.forget_failed", tenant_id=str(tenant_id))


# --- Figures kept per day ---------------------------------------------------------------


async def record_snapshot(tenant_id: uuid.UUID, day: dt.date) -> int:
    """Keep the day's figures (everyone's and each owner's, per object) with
    the rule version in force; a re-run of the same day replaces them."""
    async with tenant_scope(tenant_id) as scope:
        everyone = scope.unrestricted()
        report = await report_in(everyone, fresh=True)
        rows: list[CompletenessSnapshot] = []
        for key, figures in report.objects.items():
            rows.append(_snapshot(day, key, "all", report.rules.version, figures))
        for owner in report.owners:
            for key, figures in owner.objects.items():
                owner_key = str(owner.owner_id) if owner.owner_id else ""
                rows.append(_snapshot(day, key, owner_key, report.rules.version, figures))
        await everyone.delete(CompletenessSnapshot).where(CompletenessSnapshot.day == day)
        await everyone.insert_many(rows)
        return len(rows)


def _snapshot(day: dt.date, key: str, owner_key: str, version: int, figures: Any) -> Any:
    return CompletenessSnapshot(
        day=day,
        object=key,
        owner_key=owner_key,
        version=version,
        records=figures.records,
        scored=figures.scored,
        score=figures.score,
    )


@dataclass(frozen=True)
class DailyScore:
    day: dt.date
    version: int
    score: float | None  # the mean of the objects' scores that day
    objects: dict[str, float | None]


async def score_history(
    tenant_id: uuid.UUID,
    start: dt.date,
    end: dt.date,
    *,
    owner_id: uuid.UUID | None = None,
) -> list[DailyScore]:
    """The kept figures of each day in [start, end], everyone's or one owner's."""
    owner_key = "all" if owner_id is None else str(owner_id)
    async with tenant_scope(tenant_id) as scope:
        rows = await (
            scope.unrestricted()
            .select(CompletenessSnapshot)
            .where(CompletenessSnapshot.owner_key == owner_key)
            .where(CompletenessSnapshot.day >= start)
            .where(CompletenessSnapshot.day <= end)
            .order_by(CompletenessSnapshot.day)
        )
    days: dict[dt.date, DailyScore] = {}
    for row in rows:
        entry = days.setdefault(row["day"], DailyScore(row["day"], int(row["version"]), None, {}))
        entry.objects[row["object"]] = row["score"]
    return [
        DailyScore(d.day, d.version, _mean(list(d.objects.values())), d.objects)
        for d in days.values()
    ]


def _mean(values: Sequence[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return sum(known) / len(known) if known else None


SNAPSHOT_HOUR = 23  # the tenant's local hour its day's figures are kept in


async def snapshot_everywhere(now: dt.datetime | None = None) -> int:
    """The day's figures of every live workspace whose local time is in its
    day's last hour (run hourly: each workspace once a day, dated by its own
    calendar); one that fails does not stop the others, the job fails
    afterwards to be run again."""
    now = now or _now()
    failed = 0
    written = 0
    after: uuid.UUID | None = None
    while True:
        query = (
            Tenant.select(Tenant.id, Tenant.timezone)
            .where(Tenant.status.is_in(list(LIVE_STATUSES)))
            .order_by(Tenant.id)
            .limit(TENANT_BATCH)
        )
        if after is not None:
            query = query.where(Tenant.id > after)
        tenants = await query
        for tenant in tenants:
            local = now.astimezone(zone(tenant["timezone"]))
            if local.hour != SNAPSHOT_HOUR:
                continue
            try:
                written += await record_snapshot(tenant["id"], local.date())
            except Exception:
                log.exception("completeness.snapshot_failed", tenant_id=str(tenant["id"]))
                failed += 1
        if len(tenants) < TENANT_BATCH:
            break
        after = tenants[-1]["id"]
    if failed:
        raise RuntimeError(f"completeness figures failed in {failed} workspace(s)")
    return written


async def snapshot_job(context: JobContext) -> None:
    await snapshot_everywhere()


COMPLETENESS_SNAPSHOT = JobKind(
    name="completeness.snapshot",
    handler=snapshot_job,
    periodic="50 * * * *",
    max_attempts=3,
    timeout=1500.0,
    description=(
        "Keep each workspace's data completeness of the day, with its rule version "
        "(hourly: the workspaces whose day is ending)."
    ),
)
