"""``comptoir worker`` runs the queue in its own process; ``comptoir serve
--workers N`` starts N web processes from the app factory."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from uvicorn.importer import import_from_string

from comptoir.platform import cli
from comptoir.platform.db.scope import tenant_scope
from comptoir.platform.ids import parse_id
from comptoir.platform.jobs.job_queue import get_job
from comptoir.platform.jobs.tables import Job
from comptoir.platform.outbox.service import queue_email
from tests.support.fixtures import Workspace
from tests.support.smtp import Mailbox

COMPTOIR = str(Path(sys.executable).with_name("comptoir"))


def database_url(db: Any) -> str:
    """The URL of the test database the ``db`` fixture points at."""
    if db.name == "sqlite":
        return f"sqlite:///{db.engine.path}"
    config = db.engine.config
    return f"postgresql://{config['user']}@{config['host']}:{config['port']}/{config['database']}"


async def test_worker_once_delivers_mail_queued_by_the_application(
    db, workspace: Workspace, mailbox: Mailbox, tmp_path: Path
) -> None:
    tenant_id = parse_id(workspace.tenant_id)
    assert tenant_id is not None
    async with tenant_scope(tenant_id) as scope:
        await queue_email(scope, to="lucie@exemple.fr", subject="Bienvenue", body_text="x")
    [job] = await Job.objects().where(Job.kind == "email.send")

    env = {**os.environ, "DATABASE_URL": database_url(db)}
    env.pop("DATABASE_OWNER_URL", None)
    result = await asyncio.to_thread(
        subprocess.run,
        [COMPTOIR, "worker", "--once"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert (await get_job(job.id)).state == "succeeded"
    [message] = mailbox.to("lucie@exemple.fr")
    assert message["Subject"] == "Bienvenue"


def test_serve_starts_n_web_workers_from_the_app_factory(monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    calls: list[tuple[Any, dict[str, Any]]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: calls.append((app, options)))
    runner = CliRunner()
    result = runner.invoke(cli.main, ["serve", "--port", "8123", "--workers", "3"])
    assert result.exit_code == 0, result.output
    [(app, options)] = calls
    assert options["factory"] is True and options["workers"] == 3 and options["port"] == 8123
    assert callable(import_from_string(app))

    result = runner.invoke(cli.main, ["serve"])
    assert result.exit_code == 0 and calls[-1][1]["workers"] == 1
    refused = runner.invoke(cli.main, ["serve", "--workers", "0"])
    assert refused.exit_code != 0
