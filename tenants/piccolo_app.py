"""Piccolo app of the tenants area: the tables of its features."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from comptoir.tenants.feature_list import TENANT_FEATURES

APP_CONFIG = AppConfig(
    app_name="tenants",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[table for feature in TENANT_FEATURES for table in feature.tables],
    migration_dependencies=["comptoir.platform.piccolo_app"],
    commands=[],
)
