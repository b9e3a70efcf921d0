"""Workspace pages at /w/{slug}/, plus the public landing and signup pages."""

from typing import Any

from comptoir.tenants.workspace.admin_pages import AdminPages
from comptoir.tenants.workspace.contact_pages import ContactPages
from comptoir.tenants.workspace.door_pages import DoorPages
from comptoir.tenants.workspace.home_pages import HomePages
from comptoir.tenants.workspace.public_pages import PublicPages

WORKSPACE_ROUTES: list[Any] = [PublicPages, DoorPages, HomePages, ContactPages, AdminPages]
