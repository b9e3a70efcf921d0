"""The outbox's manifest: its table and the e-mail delivery job."""

from comptoir.platform.features import Feature
from comptoir.platform.jobs.kinds import JobKind
from comptoir.platform.outbox.service import MAX_ATTEMPTS, SEND_EMAIL, send_email
from comptoir.platform.outbox.tables import OutboxMessage

FEATURE = Feature(
    name="outbox",
    label="E-mail",
    area="platform",
    tables=(OutboxMessage,),
    job_kinds=(
        JobKind(
            name=SEND_EMAIL,
            handler=send_email,
            max_attempts=MAX_ATTEMPTS,
            timeout=60,
            description="Deliver one e-mail of a tenant's outbox over SMTP.",
        ),
    ),
)
