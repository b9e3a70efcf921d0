"""The Stripe webhooks' manifest: the endpoint and the job that applies events."""

from comptoir.billing.webhooks.controllers import stripe_webhook
from comptoir.billing.webhooks.handlers import run_process_event
from comptoir.billing.webhooks.service import PROCESS_ATTEMPTS, PROCESS_EVENT
from comptoir.platform.features import Feature
from comptoir.platform.jobs.kinds import JobKind

FEATURE = Feature(
    name="stripe_webhooks",
    label="Stripe webhooks",
    area="billing",
    page_routes=(stripe_webhook,),
    job_kinds=(
        JobKind(
            name=PROCESS_EVENT,
            handler=run_process_event,
            max_attempts=PROCESS_ATTEMPTS,
            timeout=60.0,
            description="Apply a Stripe event to the ledger (retried while its record is unknown).",
        ),
    ),
)
