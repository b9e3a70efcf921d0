"""Workspace pages at /w/{slug}/."""

from typing import Any

WORKSPACE_ROUTES: list[Any] = []
