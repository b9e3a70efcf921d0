"""The job queue's manifest (tables and its own periodic jobs)."""

from comptoir.platform.features import Feature
from comptoir.platform.jobs.job_queue import prune_finished_jobs
from comptoir.platform.jobs.kinds import JobKind
from comptoir.platform.jobs.tables import Job

PRUNE = "jobs.prune"

FEATURE = Feature(
    name="jobs",
    label="Background jobs",
    area="platform",
    tables=(Job,),
    job_kinds=(
        JobKind(
            name=PRUNE,
            handler=prune_finished_jobs,
            periodic="17 3 * * *",  # every night, 03:17 UTC
            max_attempts=3,
            description="Delete jobs finished more than two weeks ago.",
        ),
    ),
)
