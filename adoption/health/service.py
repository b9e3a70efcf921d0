"""Computing and reading the tenants' health snapshots (control plane)."""

from __future__ import annotations

import datetime as dt
import importlib
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import structlog

from comptoir.adoption.health.score import HealthInputs, band, health_score
from comptoir.adoption.health.tables import HealthSnapshot
from comptoir.adoption.rollups.service import each_tenant
from comptoir.adoption.telemetry.clock import today, zone
from comptoir.adoption.usage.summary import usage_summary
from comptoir.platform.db.scope import control_scope
from comptoir.platform.directory.tables import Tenant
from comptoir.platform.jobs.kinds import JobContext, JobKind

log = structlog.get_logger(__name__)
DAY = dt.timedelta(days=1)
LISTED = 300

Share = Callable[[uuid.UUID], Awaitable[float | None]]


def _share_source(module: str, name: str) -> Share | None:
    """The completeness or training share another feature provides, if it exists."""
    try:
        found = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return None
    return found if callable(found) else None


async def _share(module: str, name: str, tenant_id: uuid.UUID) -> float | None:
    source = _share_source(module, name)
    if source is None:
        return None
    try:
        value = await source(tenant_id)
    except Exception as error:  # a component without data is left out, never fatal
        log.exception("health.component_failed", component=name, error=repr(error))
        return None
    return None if value is None else max(0.0, min(1.0, float(value)))


async def health_inputs(
    tenant_id: uuid.UUID, timezone: str | None, *, now: dt.datetime | None = None
) -> HealthInputs:
    last = today(zone(timezone), now)
    summary = await usage_summary(tenant_id, last - 29 * DAY, last, now=now)
    week_before = next((d.wau for d in summary.days if d.day == last - 7 * DAY), 0)
    return HealthInputs(
        seats=summary.seats,
        mau=summary.mau,
        stickiness=summary.stickiness if summary.seats else None,
        completeness=await _share(
            "comptoir.adoption.completeness.scores", "tenant_completeness", tenant_id
        ),
        training=await _share(
            "comptoir.adoption.training.progress", "tenant_training_completion", tenant_id
        ),
        wau=summary.wau,
        wau_week_before=week_before,
    )


async def compute_health(
    tenant_id: uuid.UUID, timezone: str | None = None, *, now: dt.datetime | None = None
) -> HealthSnapshot:
    """The tenant's health now, stored as its one snapshot."""
    inputs = await health_inputs(tenant_id, timezone, now=now)
    score = health_score(inputs)
    snapshot = HealthSnapshot(
        for_tenant_id=tenant_id,
        computed_at=now or dt.datetime.now(dt.UTC),
        day=today(zone(timezone), now),
        score=score,
        band=band(score),
        seats=inputs.seats,
        mau=inputs.mau,
        seat_activation=inputs.seat_activation,
        stickiness=inputs.stickiness,
        completeness=inputs.completeness,
        training=inputs.training,
        trend=inputs.trend if inputs.seats else None,
    )
    async with control_scope():
        await HealthSnapshot.delete().where(HealthSnapshot.for_tenant_id == tenant_id)
        await snapshot.save()
    return snapshot


async def compute_all(*, now: dt.datetime | None = None) -> int:
    async def one(tenant: dict[str, Any]) -> None:
        await compute_health(tenant["id"], tenant["timezone"], now=now)

    return await each_tenant(one, label="health")


async def run_health(context: JobContext) -> None:
    await compute_all()


HEALTH = JobKind(
    name="adoption.health",
    handler=run_health,
    periodic="20 * * * *",
    description="Recompute every tenant's adoption health score.",
    timeout=1500.0,
)


@dataclass(frozen=True)
class TenantHealth:
    tenant: dict[str, Any]
    snapshot: dict[str, Any] | None


async def tenants_by_health(band_filter: str = "") -> list[TenantHealth]:
    """Tenants with a snapshot, lowest score first (at most ``LISTED``), then
    those not scored yet."""
    query = HealthSnapshot.select().order_by(HealthSnapshot.score).limit(LISTED)
    if band_filter:
        query = query.where(HealthSnapshot.band == band_filter)
    snapshots = list(await query)
    scored = [row["for_tenant_id"] for row in snapshots]
    tenants: dict[Any, dict[str, Any]] = {}
    if scored:
        rows = await Tenant.select(
            Tenant.id, Tenant.slug, Tenant.company_name, Tenant.plan, Tenant.status
        ).where(Tenant.id.is_in(scored))
        tenants = {row["id"]: row for row in rows}
    listed = [
        TenantHealth(tenants[row["for_tenant_id"]], row)
        for row in snapshots
        if row["for_tenant_id"] in tenants
    ]
    if not band_filter:
        query_unscored = (
            Tenant.select(Tenant.id, Tenant.slug, Tenant.company_name, Tenant.plan, Tenant.status)
            .where(Tenant.id.not_in(scored) if scored else Tenant.id.is_not_null())
            .order_by(Tenant.created_at, ascending=False)
            .limit(LISTED)
        )
        listed.extend(TenantHealth(row, None) for row in await query_unscored)
    return listed


async def snapshot_of(tenant_id: uuid.UUID) -> dict[str, Any] | None:
    rows = await HealthSnapshot.select().where(HealthSnapshot.for_tenant_id == tenant_id)
    return rows[0] if rows else None
