"""Running background jobs in a test, as a worker would after the request."""

from __future__ import annotations

import datetime as dt

from comptoir.platform.feature_list import AUTH
from comptoir.platform.jobs.worker import run_due_jobs
from comptoir.platform.outbox.feature import FEATURE as OUTBOX


async def deliver_mail(*, now: dt.datetime | None = None) -> int:
    """Run the due e-mail jobs (mail is never sent during a request), after
    the jobs that write e-mail (password reset links); returns how many
    e-mail jobs ran."""
    await write_mail(now=now)
    return await run_due_jobs(kinds=OUTBOX.job_kinds, now=now)


async def write_mail(*, now: dt.datetime | None = None) -> int:
    """Run the due jobs that write e-mail into the outbox (password reset
    links), not the ones that send it; returns how many ran."""
    return await run_due_jobs(kinds=AUTH.job_kinds, now=now)
