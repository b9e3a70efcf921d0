"""Piccolo app of the tenants area: roles, invitations, provisioning, CRM records."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from comptoir.tenants.contacts.tables import Contact
from comptoir.tenants.signup.tables import PipelineStage, TicketSla
from comptoir.tenants.users.tables import Invitation, Role

APP_CONFIG = AppConfig(
    app_name="tenants",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Role, Invitation, PipelineStage, TicketSla, Contact],
    migration_dependencies=["comptoir.platform.piccolo_app"],
    commands=[],
)
