"""Staff see queued, failing and dead jobs, per tenant and for all, and retry
or cancel one with a CSRF-protected form written to the staff audit log."""

from __future__ import annotations

import re

import httpx

from comptoir.platform.audit.tables import StaffAuditEntry
from comptoir.platform.ids import parse_id
from comptoir.platform.jobs.job_queue import enqueue, get_job
from comptoir.platform.jobs.kinds import JobContext, JobKind
from comptoir.platform.jobs.worker import run_due_jobs
from tests.support.console import console_csrf, signed_in_staff
from tests.support.fixtures import Workspace


async def broken(context: JobContext) -> None:
    raise RuntimeError("the export server answered 503")


async def fine(context: JobContext) -> None:
    return None


BROKEN = JobKind(name="test.export", handler=broken, max_attempts=1)
FINE = JobKind(name="test.export", handler=fine, max_attempts=1)


async def dead_job(ws: Workspace) -> str:
    """A job of the workspace that failed its only attempt."""
    job_id = await enqueue("test.export", tenant_id=parse_id(ws.tenant_id), max_attempts=1)
    assert await run_due_jobs(kinds=[BROKEN]) == 1
    assert (await get_job(str(job_id))).state == "dead"
    return str(job_id)


def job_ids(html: str) -> list[str]:
    return re.findall(r'data-job="([0-9a-f-]{36})"', html)


async def test_staff_see_a_tenants_dead_job_and_retry_it(
    client: httpx.AsyncClient, workspace: Workspace, other_workspace: Workspace
) -> None:
    mine = await dead_job(workspace)
    theirs = await dead_job(other_workspace)
    queued = await enqueue("test.later", tenant_id=parse_id(workspace.tenant_id), max_attempts=1)
    staff = await signed_in_staff(client)

    page = await client.get(f"/console/tenants/{workspace.tenant_id}")
    assert page.status_code == 200
    assert set(job_ids(page.text)) == {mine, str(queued)}
    assert "the export server answered 503" in page.text
    assert f'action="/console/jobs/{mine}/retry"' in page.text
    assert f'action="/console/jobs/{queued}/cancel"' in page.text

    everything = await client.get("/console/jobs")
    assert set(job_ids(everything.text)) == {mine, theirs, str(queued)}
    assert (
        f">{workspace.slug}<" in everything.text and f">{other_workspace.slug}<" in everything.text
    )
    dead_only = await client.get("/console/jobs?state=dead")
    assert set(job_ids(dead_only.text)) == {mine, theirs}
    one_tenant = await client.get(f"/console/jobs?tenant={other_workspace.tenant_id}")
    assert job_ids(one_tenant.text) == [theirs]

    token = await console_csrf(client, f"/console/tenants/{workspace.tenant_id}")
    back = f"/console/tenants/{workspace.tenant_id}#jobs"
    retried = await client.post(
        f"/console/jobs/{mine}/retry", data={"_csrf_token": token, "next": back}
    )
    assert retried.status_code == 303
    assert retried.headers["location"] == (
        f"/console/tenants/{workspace.tenant_id}?done=retried#jobs"
    )
    assert (await get_job(mine)).state == "available"
    shown = await client.get(retried.headers["location"])
    assert 'data-flash="job-retried"' in shown.text

    entry = await StaffAuditEntry.objects().where(StaffAuditEntry.action == "job.retry").first()
    assert entry is not None and entry.staff_id == staff.staff.id
    assert str(entry.target_tenant) == workspace.tenant_id

    assert await run_due_jobs(kinds=[FINE]) == 1
    assert (await get_job(mine)).state == "succeeded"
    again = await client.post(
        f"/console/jobs/{mine}/retry", data={"_csrf_token": token, "next": back}
    )
    assert again.status_code == 409 and "can be retried" in again.text


async def test_retry_needs_the_csrf_token_and_a_staff_session(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    job_id = await dead_job(workspace)
    anonymous = await client.get("/console/jobs")
    assert anonymous.status_code in (302, 303)
    assert anonymous.headers["location"].startswith("/console/login")

    await signed_in_staff(client)
    forged = await client.post(f"/console/jobs/{job_id}/retry", data={"next": "/console/jobs"})
    assert forged.status_code == 403
    assert (await get_job(job_id)).state == "dead"
    missing = await client.post(
        "/console/jobs/not-a-job/retry",
        data={"_csrf_token": await console_csrf(client, "/console/jobs")},
    )
    assert missing.status_code == 404


async def test_staff_cancel_a_waiting_job(client: httpx.AsyncClient, workspace: Workspace) -> None:
    job_id = await enqueue("test.later", tenant_id=parse_id(workspace.tenant_id), max_attempts=1)
    await signed_in_staff(client)
    token = await console_csrf(client, "/console/jobs")
    cancelled = await client.post(
        f"/console/jobs/{job_id}/cancel", data={"_csrf_token": token, "next": "/console/jobs"}
    )
    assert cancelled.status_code == 303
    assert cancelled.headers["location"] == "/console/jobs?done=cancelled"
    assert (await get_job(str(job_id))).state == "cancelled"
    actions = await StaffAuditEntry.select(StaffAuditEntry.action).output(as_list=True)
    assert "job.cancel" in actions
    evil = await client.post(
        f"/console/jobs/{job_id}/retry",
        data={"_csrf_token": token, "next": "https://evil.example/"},
    )
    assert evil.status_code == 303 and evil.headers["location"].startswith("/console/")


async def test_the_jobs_list_pages_by_fifty(client: httpx.AsyncClient, db) -> None:
    for n in range(53):
        await enqueue("test.later", {"n": n}, max_attempts=1)
    await signed_in_staff(client)
    first = await client.get("/console/jobs?state=queued")
    assert len(job_ids(first.text)) == 50
    assert 'data-stat="queued"' in first.text
    next_link = re.search(r'href="/console/jobs(\?[^"]*cursor=[^"]+)" data-next-page', first.text)
    assert next_link
    second = await client.get("/console/jobs" + next_link.group(1).replace("&amp;", "&"))
    assert len(job_ids(second.text)) == 3
    assert not set(job_ids(first.text)) & set(job_ids(second.text))
