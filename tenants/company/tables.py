"""The tenant's own company identity, printed on its quotes."""

from piccolo.columns import Integer, Text, Varchar

from comptoir.platform.db.base import TenantTable


class CompanyProfile(TenantTable, tablename="company_profiles"):
    """One row per tenant (unique), made on first save."""

    legal_name = Varchar(length=200, default="")
    legal_form = Varchar(length=60, default="")
    address = Varchar(length=300, default="")
    postcode = Varchar(length=10, default="")
    city = Varchar(length=100, default="")
    country = Varchar(length=100, default="France")
    siren = Varchar(length=9, default="")
    vat_number = Varchar(length=20, default="")
    phone = Varchar(length=40, default="")
    email = Varchar(length=254, default="")
    website = Varchar(length=300, default="")
    iban = Varchar(length=40, default="")
    bic = Varchar(length=11, default="")
    quote_validity_days = Integer(default=30)
    payment_terms = Text(default="")
