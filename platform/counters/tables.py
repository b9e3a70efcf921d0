"""Record counts kept up to date by the services, so that no page has to
run an exact COUNT(*) over a big table."""

from piccolo.columns import BigInt, Varchar

from comptoir.platform.db.base import TenantTable


class RecordCount(TenantTable, tablename="record_counts"):
    """How many records of one kind one owner has ('' for no owner).
    Unique per (tenant, object, owner_key); ``total`` is the count."""

    object = Varchar(length=40)
    owner_key = Varchar(length=36, default="")
    total = BigInt(default=0)
