"""The pipeline: its stages, the reasons a deal is lost, opportunities and the
history of their moves between stages."""

from decimal import Decimal

from piccolo.columns import (
    UUID,
    BigInt,
    Boolean,
    Date,
    Integer,
    Numeric,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow

from comptoir.platform.db.base import OwnedTable, TenantTable


class PipelineStage(TenantTable, tablename="pipeline_stages"):
    key = Varchar(length=40)  # unique per tenant
    name = Varchar(length=100)
    position = Integer(default=0)
    probability = Integer(default=0)  # percent, the default of an opportunity on it
    is_won = Boolean(default=False)
    is_lost = Boolean(default=False)
    # A retired stage takes no new opportunity; those already on it keep it.
    retired_at = Timestamptz(null=True, default=None)


class LostReason(TenantTable, tablename="lost_reasons"):
    name = Varchar(length=100)
    position = Integer(default=0)
    retired_at = Timestamptz(null=True, default=None)


class Opportunity(OwnedTable, tablename="opportunities"):
    name = Varchar(length=200)
    account_id = UUID(null=True, default=None)
    contact_id = UUID(null=True, default=None)
    amount = Numeric(digits=(14, 2), default=Decimal("0"))
    probability = Integer(default=0)  # percent
    expected_close_date = Date(null=True, default=None)
    stage_id = UUID(default=None)
    status = Varchar(length=10, default="open")  # open, won, lost
    lost_reason_id = UUID(null=True, default=None)
    won_at = Date(null=True, default=None)
    closed_at = Timestamptz(null=True, default=None)
    notes = Text(default="")
    updated_at = Timestamptz(default=TimestamptzNow())
    # Lower-cased, accent-free copy of the searchable fields, kept by the service.
    search_text = Text(default="")


class OpportunityStageChange(TenantTable, tablename="opportunity_stage_changes"):
    """One move of an opportunity between stages (or statuses), for analysis."""

    opportunity_id = UUID(default=None)
    from_stage_id = UUID(null=True, default=None)
    to_stage_id = UUID(default=None)
    from_status = Varchar(length=10, default="")
    to_status = Varchar(length=10, default="open")
    changed_by = UUID(null=True, default=None)
    changed_at = Timestamptz(default=TimestamptzNow())


class OpportunityTotal(TenantTable, tablename="opportunity_totals"):
    """The pipeline's figures, kept up to date by every write of an
    opportunity: how many, their amount and weighted amount, per owner, stage,
    status and month of expected close. The board's column totals and the
    forecast sum a few hundred of these rows instead of every opportunity."""

    owner_key = Varchar(length=36, default="")  # the owner's id, "" for none
    stage_id = UUID(default=None)
    status = Varchar(length=10, default="open")
    close_month = Varchar(length=7, default="")  # YYYY-MM of expected close, "" for none
    records = Integer(default=0)  # how many opportunities
    amount_cents = BigInt(default=0)
    weighted = BigInt(default=0)  # sum of amount in cents * probability (percent)
