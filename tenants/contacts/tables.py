"""Contacts: the people a company sells to and serves."""

from piccolo.columns import UUID, Boolean, Date, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow

from comptoir.platform.db.base import OwnedTable


class Contact(OwnedTable, tablename="contacts"):
    first_name = Varchar(length=100, default="")
    last_name = Varchar(length=100, default="")
    email = Varchar(length=254, default="")
    phone = Varchar(length=40, default="")  # work phone
    mobile = Varchar(length=40, default="")
    job_title = Varchar(length=120, default="")
    company_name = Varchar(length=200, default="")
    account_id = UUID(null=True, default=None, index=True)
    address = Varchar(length=300, default="")
    postcode = Varchar(length=10, default="")
    city = Varchar(length=100, default="")
    country = Varchar(length=100, default="")
    # Marketing consent (RGPD): given or not, when, from where; when withdrawn.
    marketing_consent = Boolean(default=False)
    consent_at = Timestamptz(null=True, default=None)
    consent_source = Varchar(length=100, default="")
    consent_withdrawn_at = Timestamptz(null=True, default=None)
    preferred_channel = Varchar(length=10, default="")  # email, phone, mail, none
    birth_date = Date(null=True, default=None)
    gender = Varchar(length=20, default="")
    family_situation = Varchar(length=30, default="")
    children = Integer(null=True, default=None)
    profession_category = Varchar(length=2, default="")  # INSEE PCS group, "1".."8"
    interests = Varchar(length=500, default="")  # tags, comma-separated
    notes = Text(default="")
    updated_at = Timestamptz(default=TimestamptzNow())
    # Lower-cased, accent-free copy of the searchable fields, kept by the service.
    search_text = Text(default="")
