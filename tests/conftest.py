"""Test set-up: the environment first, then a database per engine.

Tests that take the ``db`` fixture (directly or through ``client``) run once on
SQLite and once on PostgreSQL. PostgreSQL gets a fresh database per run, is
used through the application's own non-owner role, and is mandatory with
CI=true; elsewhere its tests are skipped with the reason."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

_tmp = Path(tempfile.mkdtemp(prefix="comptoir-tests-"))
os.environ["DATABASE_URL"] = f"sqlite:///{_tmp / 'test.sqlite3'}"
os.environ.pop("DATABASE_OWNER_URL", None)
os.environ["COMPTOIR_SECRET_KEY"] = "test-secret-key-not-for-production-0123456789"
os.environ["COMPTOIR_BASE_URL"] = "https://testserver.local"
os.environ.pop("COMPTOIR_DEMO", None)
os.environ.pop("STRIPE_API_KEY", None)
os.environ.pop("SMTP_URL", None)

from tests.support.fixtures import *  # noqa: E402, F403
