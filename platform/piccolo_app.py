"""Piccolo app of the platform area: the tables of its features (tenant
directory, identities, audit, counters, outbox, jobs)."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from comptoir.platform.feature_list import PLATFORM_FEATURES

APP_CONFIG = AppConfig(
    app_name="platform",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[table for feature in PLATFORM_FEATURES for table in feature.tables],
    migration_dependencies=[],
    commands=[],
)
