"""The ops console at /console."""

from typing import Any

CONSOLE_ROUTES: list[Any] = []
