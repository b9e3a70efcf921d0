"""Piccolo app of the adoption area: the tables of its features."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from comptoir.adoption.feature_list import ADOPTION_FEATURES

APP_CONFIG = AppConfig(
    app_name="adoption",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[table for feature in ADOPTION_FEATURES for table in feature.tables],
    migration_dependencies=["comptoir.platform.piccolo_app", "comptoir.tenants.piccolo_app"],
    commands=[],
)
