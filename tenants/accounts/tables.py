"""Accounts: the companies a tenant sells to."""

from piccolo.columns import Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow

from comptoir.platform.db.base import OwnedTable


class Account(OwnedTable, tablename="accounts"):
    name = Varchar(length=200)
    siren = Varchar(length=9, default="")
    industry = Varchar(length=100, default="")
    employees = Integer(null=True, default=None)  # headcount, for territories and segments
    address = Varchar(length=300, default="")
    postcode = Varchar(length=10, default="")
    city = Varchar(length=100, default="")
    website = Varchar(length=300, default="")
    phone = Varchar(length=40, default="")
    notes = Text(default="")
    updated_at = Timestamptz(default=TimestamptzNow())
    # Lower-cased, accent-free copy of the searchable fields, kept by the service.
    search_text = Text(default="")
