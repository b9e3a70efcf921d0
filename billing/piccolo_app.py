"""Piccolo app of the billing area: the tables of its features."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from comptoir.billing.feature_list import BILLING_FEATURES

APP_CONFIG = AppConfig(
    app_name="billing",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[table for feature in BILLING_FEATURES for table in feature.tables],
    migration_dependencies=["comptoir.platform.piccolo_app", "comptoir.tenants.piccolo_app"],
    commands=[],
)
