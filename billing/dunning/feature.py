"""Dunning's manifest: collecting card invoices, the hourly sweep (retries,
transfer reminders, suspension), and what they write in audit logs."""

from comptoir.billing.dunning.service import run_sweep
from comptoir.billing.payments.collect import COLLECT, COLLECT_ATTEMPTS, run_collection
from comptoir.platform.features import Feature
from comptoir.platform.jobs.kinds import JobKind

SWEEP = "billing.dunning"

FEATURE = Feature(
    name="dunning",
    label="Dunning",
    area="billing",
    job_kinds=(
        JobKind(
            name=COLLECT,
            handler=run_collection,
            max_attempts=COLLECT_ATTEMPTS,
            timeout=90.0,
            description="Charge a card invoice through the gateway (retried if it is unreachable).",
        ),
        JobKind(
            name=SWEEP,
            handler=run_sweep,
            periodic="7 * * * *",  # every hour, at :07 UTC
            max_attempts=3,
            timeout=600.0,
            description="Retry card payments, remind of late transfers, suspend after grace.",
        ),
    ),
    audit_labels={
        "billing.invoice_paid": "An invoice was paid",
        "billing.payment_failed": "A payment failed",
        "billing.transfer_reminder": "A reminder of an overdue transfer was sent",
        "billing.suspended": "The workspace was suspended for an unpaid invoice",
        "billing.reactivated": "The subscription is in good standing again",
    },
)
