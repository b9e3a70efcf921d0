"""What provisioning creates besides users and the pipeline: ticket SLAs."""

from piccolo.columns import Integer, Varchar

from comptoir.platform.db.base import TenantTable


class TicketSla(TenantTable, tablename="ticket_slas"):
    priority = Varchar(length=20)  # low, normal, high, urgent; unique per tenant
    first_response_minutes = Integer()
    resolution_minutes = Integer()
