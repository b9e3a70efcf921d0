"""What provisioning creates besides users: pipeline stages and ticket SLAs."""

from piccolo.columns import Boolean, Integer, Varchar

from comptoir.platform.db.base import TenantTable


class PipelineStage(TenantTable, tablename="pipeline_stages"):
    key = Varchar(length=40)  # unique per tenant
    name = Varchar(length=100)
    position = Integer(default=0)
    probability = Integer(default=0)  # percent
    is_won = Boolean(default=False)
    is_lost = Boolean(default=False)


class TicketSla(TenantTable, tablename="ticket_slas"):
    priority = Varchar(length=20)  # low, normal, high, urgent; unique per tenant
    first_response_minutes = Integer()
    resolution_minutes = Integer()
