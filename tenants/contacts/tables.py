"""Contacts: the people a company sells to and serves."""

from piccolo.columns import UUID, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow

from comptoir.platform.db.base import OwnedTable


class Contact(OwnedTable, tablename="contacts"):
    first_name = Varchar(length=100, default="")
    last_name = Varchar(length=100, default="")
    email = Varchar(length=254, default="")
    phone = Varchar(length=40, default="")
    job_title = Varchar(length=120, default="")
    company_name = Varchar(length=200, default="")
    account_id = UUID(null=True, default=None, index=True)
    notes = Text(default="")
    updated_at = Timestamptz(default=TimestamptzNow())
    # Lower-cased, accent-free copy of the searchable fields, kept by the service.
    search_text = Text(default="")
