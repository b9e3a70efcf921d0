"""The invoices feature's manifest: invoices, credit notes and billing runs."""

from comptoir.billing.invoices.tables import BillingRun, Invoice, InvoiceLine, InvoiceSequence
from comptoir.platform.features import Feature

FEATURE = Feature(
    name="invoices",
    label="Invoices",
    area="billing",
    tables=(Invoice, InvoiceLine, InvoiceSequence, BillingRun),
)
