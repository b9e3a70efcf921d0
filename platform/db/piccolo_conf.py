"""Piccolo configuration (PICCOLO_CONF points here): the engine and every app."""

from piccolo.conf.apps import AppRegistry

from comptoir.platform.db.engine import get_engine

DB = get_engine()

APP_REGISTRY = AppRegistry(apps=["comptoir.platform.piccolo_app", "comptoir.tenants.piccolo_app"])
