from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Timestamptz
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-30T16:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "sessions remember when the password was last entered"

NULLABLE_TIMESTAMP = {
    "default": None,
    "null": True,
    "primary_key": False,
    "unique": False,
    "index": False,
    "index_method": IndexMethod.btree,
    "choices": None,
    "db_column_name": None,
    "secret": False,
}


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="platform", description=DESCRIPTION)
    manager.add_column(
        table_class_name="UserSession",
        tablename="user_sessions",
        column_name="authenticated_at",
        db_column_name="authenticated_at",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params=dict(NULLABLE_TIMESTAMP),
        schema=None,
    )
    return manager
