"""Teams: groups of users who see each other's records under own_and_team."""

from piccolo.columns import Varchar

from comptoir.platform.db.base import TenantTable


class Team(TenantTable, tablename="teams"):
    """A group of users; under the own_and_team sharing rule they see each
    other's records. Unique by name per tenant."""

    name = Varchar(length=100)
