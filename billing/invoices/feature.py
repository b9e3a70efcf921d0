"""The invoices feature's manifest: invoices and credit notes, the billing run
(``comptoir billing run`` and its daily job) and the invoices API."""

from comptoir.billing.invoices.cli import billing
from comptoir.billing.invoices.controllers import InvoiceController
from comptoir.billing.invoices.run import DAILY_RUN_JOB, run_daily
from comptoir.billing.invoices.tables import BillingRun, Invoice, InvoiceLine, InvoiceSequence
from comptoir.platform.features import Feature
from comptoir.platform.jobs.kinds import JobKind

FEATURE = Feature(
    name="invoices",
    label="Invoices",
    area="billing",
    api_routes=(InvoiceController,),
    tables=(Invoice, InvoiceLine, InvoiceSequence, BillingRun),
    job_kinds=(
        JobKind(
            name=DAILY_RUN_JOB,
            handler=run_daily,
            periodic="15 2 * * *",
            max_attempts=5,
            timeout=1200,
            description="End the trials that are over and invoice the current month "
            "(idempotent: what is invoiced already is left alone).",
        ),
    ),
    cli_commands=(billing,),
)
