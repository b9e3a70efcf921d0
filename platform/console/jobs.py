"""Background jobs as staff see them: what is queued, failing or dead, for one
tenant or all, and retrying or cancelling one (written to the staff audit log)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from comptoir.platform.audit import service as audit
from comptoir.platform.auth.tables import StaffUser
from comptoir.platform.db.pagination import decode_cursor, encode_cursor
from comptoir.platform.db.scope import control_scope
from comptoir.platform.directory.tables import Tenant
from comptoir.platform.jobs import job_queue as queue
from comptoir.platform.jobs.tables import (
    AVAILABLE,
    CANCELLED,
    DEAD,
    RETRYABLE,
    RUNNING,
    SUCCEEDED,
    Job,
)

PAGE_SIZE = 50
TENANT_PAGE_LIMIT = 20
# What the console filters by, and the job states each filter shows.
FILTERS: dict[str, tuple[str, ...]] = {
    "queued": (AVAILABLE, RUNNING),
    "failed": (RETRYABLE,),
    "dead": (DEAD,),
    "succeeded": (SUCCEEDED,),
    "cancelled": (CANCELLED,),
}
# What needs an eye: on the tenant page, and the console's default filter.
ATTENTION = (AVAILABLE, RUNNING, RETRYABLE, DEAD)
COUNT_CAP = 999  # figures past this show as "999+": never count a big table


@dataclass(frozen=True)
class JobPage:
    items: list[Job]
    next_cursor: str | None
    state: str  # the filter, "" for every state
    tenant: Tenant | None


def states_of(state_filter: str) -> tuple[str, ...] | None:
    """The states a filter shows; None for every state."""
    return FILTERS.get(state_filter)


async def list_jobs(
    *,
    state: str = "",
    tenant: Tenant | None = None,
    cursor: str | None = None,
    limit: int = PAGE_SIZE,
) -> JobPage:
    """Jobs newest first (UUIDv7 ids), one page, by state filter and tenant."""
    state = state if state in FILTERS else ""
    select = Job.objects().order_by(Job.id, ascending=False)
    states = states_of(state)
    if states:
        select = select.where(Job.state.is_in(list(states)))
    if tenant is not None:
        select = select.where(Job.for_tenant_id == tenant.id)
    after = decode_cursor(cursor)
    if after is not None:
        select = select.where(Job.id < after)
    rows = await select.limit(limit + 1).output(load_json=True)
    more = len(rows) > limit
    rows = rows[:limit]
    return JobPage(
        items=rows,
        next_cursor=encode_cursor(rows[-1].id) if more and rows else None,
        state=state,
        tenant=tenant,
    )


async def tenant_jobs(tenant_id: uuid.UUID, limit: int = TENANT_PAGE_LIMIT) -> list[Job]:
    """The tenant's jobs that need an eye (queued, failing, dead), newest first."""
    return list(
        await Job.objects()
        .where((Job.for_tenant_id == tenant_id) & Job.state.is_in(list(ATTENTION)))
        .order_by(Job.id, ascending=False)
        .limit(limit)
        .output(load_json=True)
    )


async def state_counts() -> dict[str, str]:
    """How many jobs are queued, failing and dead, each count stopping at
    COUNT_CAP (the backlog may be large; the page need not be exact)."""
    figures: dict[str, str] = {}
    for name in ("queued", "failed", "dead"):
        capped = Job.select(Job.id).where(Job.state.is_in(list(FILTERS[name]))).limit(COUNT_CAP + 1)
        rows = await capped.output(as_list=True)
        figures[name] = f"{COUNT_CAP}+" if len(rows) > COUNT_CAP else str(len(rows))
    return figures


async def tenant_slugs(jobs: list[Job]) -> dict[uuid.UUID, str]:
    """The slug of each tenant these jobs are for, in one query."""
    ids = list({job.for_tenant_id for job in jobs if job.for_tenant_id is not None})
    if not ids:
        return {}
    rows = await Tenant.select(Tenant.id, Tenant.slug).where(Tenant.id.is_in(ids))
    return {row["id"]: row["slug"] for row in rows}


async def retry_job(job_id: str, *, staff: StaffUser, ip: str) -> Job:
    """Run a failed, dead or cancelled job again; recorded in the staff audit
    log in the same transaction."""
    async with control_scope():
        job = await queue.retry(job_id)
        await audit.record_staff(
            staff.id,
            staff.email,
            "job.retry",
            target_tenant=job.for_tenant_id,
            detail={"job": str(job.id), "kind": job.kind, "attempts": job.attempts},
            ip_address=ip,
        )
    return job


async def cancel_job(job_id: str, *, staff: StaffUser, ip: str) -> Job:
    """Cancel a job waiting to run; recorded in the staff audit log in the
    same transaction."""
    async with control_scope():
        job = await queue.cancel(job_id)
        await audit.record_staff(
            staff.id,
            staff.email,
            "job.cancel",
            target_tenant=job.for_tenant_id,
            detail={"job": str(job.id), "kind": job.kind},
            ip_address=ip,
        )
    return job
