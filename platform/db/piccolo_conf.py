"""Piccolo configuration (PICCOLO_CONF points here): the engine and one app
per area that has features."""

from piccolo.conf.apps import AppRegistry

from comptoir.platform.assembly import areas
from comptoir.platform.db.engine import get_engine

DB = get_engine()

APP_REGISTRY = AppRegistry(apps=[f"comptoir.{area}.piccolo_app" for area in areas()])
