"""Piccolo configuration (PICCOLO_CONF points here): the engine and every app."""

from comptoir.platform.db.engine import get_engine
from piccolo.conf.apps import AppRegistry

DB = get_engine()

APP_REGISTRY = AppRegistry(apps=["comptoir.platform.piccolo_app", "comptoir.tenants.piccolo_app"])
