"""Territory rules: which owner (or team) a new account without one goes to."""

from piccolo.columns import UUID, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow

from comptoir.platform.db.base import TenantTable


class Territory(TenantTable, tablename="territories"):
    name = Varchar(length=100)
    position = Integer(default=0)  # rules are tried in this order; the first match wins
    # Comma-separated lists; an empty criterion matches every account.
    postcode_prefixes = Text(default="")
    industries = Text(default="")
    min_employees = Integer(null=True, default=None)
    max_employees = Integer(null=True, default=None)
    owner_id = UUID(null=True, default=None)
    team_id = UUID(null=True, default=None)
    updated_at = Timestamptz(default=TimestamptzNow())
