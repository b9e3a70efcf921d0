"""Activities (calls, meetings, e-mails, tasks, notes) and each user's
follow-up settings: the morning reminder and the calendar feed's secret."""

from piccolo.columns import UUID, Boolean, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow

from comptoir.platform.db.base import OwnedTable, TenantTable


class Activity(OwnedTable, tablename="activities"):
    kind = Varchar(length=10, default="task")  # call, meeting, email, task, note
    subject = Varchar(length=200)
    body = Text(default="")
    due_at = Timestamptz(null=True, default=None)
    ends_at = Timestamptz(null=True, default=None)  # meetings
    location = Varchar(length=200, default="")
    done_at = Timestamptz(null=True, default=None)
    contact_id = UUID(null=True, default=None)
    account_id = UUID(null=True, default=None)
    opportunity_id = UUID(null=True, default=None)
    updated_at = Timestamptz(default=TimestamptzNow())
    # Lower-cased, accent-free copy of the searchable fields, kept by the service.
    search_text = Text(default="")


class FollowUpSettings(TenantTable, tablename="follow_up_settings"):
    """One row per user (unique per tenant), made on first use."""

    user_id = UUID(default=None)
    reminder_emails = Boolean(default=True)
    # sha256 of the calendar feed's secret; empty: no feed.
    calendar_token_hash = Varchar(length=64, default="")
    calendar_token_prefix = Varchar(length=16, default="")
    last_reminder_on = Varchar(length=10, default="")  # YYYY-MM-DD of the last reminder sent
