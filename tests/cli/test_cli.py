"""The ``comptoir`` command, run as a real process against its own SQLite file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

COMPTOIR = str(Path(sys.executable).with_name("comptoir"))
PASSWORD = "Une-phrase-de-passe-solide"


@pytest.fixture
def cli(tmp_path: Path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
        "COMPTOIR_SECRET_KEY": "cli-test-secret",
    }
    env.pop("DATABASE_OWNER_URL", None)
    env.pop("SMTP_URL", None)

    def run(
        *args: str, input_text: str | None = None, ok: bool = True
    ) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [COMPTOIR, *args],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            input=input_text,
            timeout=120,
            check=False,
        )
        if ok:
            assert result.returncode == 0, result.stderr + result.stdout
        return result

    run("db", "migrate")
    return run


def test_tenant_lifecycle_from_the_command_line(cli, tmp_path: Path) -> None:
    created = cli(
        "tenants",
        "create",
        "--company",
        "Fromagerie Vallet",
        "--slug",
        "vallet",
        "--admin-email",
        "anne@vallet.fr",
        "--admin-password",
        PASSWORD,
        "--plan",
        "pro",
    )
    token_line = created.stdout.strip().splitlines()[-1]
    assert token_line.startswith("cpt_")

    token = cli("tokens", "create", "--tenant", "vallet", "--email", "anne@vallet.fr")
    assert token.stdout.strip().splitlines()[-1].startswith("cpt_")
    assert token.stdout.strip().splitlines()[-1] != token_line

    listed = cli("tenants", "list").stdout
    assert "vallet" in listed and "pro" in listed and "trial" in listed

    assert "suspended" in cli("tenants", "suspend", "vallet", "--reason", "unpaid").stdout
    assert "trial" in cli("tenants", "reactivate", "vallet").stdout

    out = tmp_path / "export.json"
    cli("tenants", "export", "vallet", "--output", str(out))
    exported = json.loads(out.read_text(encoding="utf-8"))
    assert exported["tenant"]["slug"] == "vallet"
    assert [u["email"] for u in exported["users"]] == ["anne@vallet.fr"]
    assert all("password_hash" not in u for u in exported["users"])
    actions = [e["action"] for e in exported["audit_log"]]
    assert "tenant.suspend" in actions and "tenant.reactivate" in actions

    erased = cli("tenants", "erase", "vallet", "--yes")
    assert "Erased vallet" in erased.stdout
    assert "vallet" not in cli("tenants", "list").stdout


def test_cli_errors_are_readable(cli) -> None:
    bad = cli(
        "tenants",
        "create",
        "--company",
        "X",
        "--slug",
        "Bad Slug",
        "--admin-email",
        "x@y.fr",
        "--admin-password",
        PASSWORD,
        ok=False,
    )
    assert bad.returncode == 1
    assert "slug" in bad.stderr
    missing = cli("tokens", "create", "--tenant", "nope", "--email", "a@b.fr", ok=False)
    assert missing.returncode == 1 and "No tenant" in missing.stderr


def test_staff_create_prints_a_totp_secret(cli) -> None:
    created = cli("staff", "create", "--email", "ops@exemple.fr", "--password", PASSWORD)
    assert "secret:" in created.stdout
    assert "otpauth://totp/" in created.stdout
    again = cli("staff", "create", "--email", "ops@exemple.fr", "--password", PASSWORD, ok=False)
    assert again.returncode == 1 and "already exists" in again.stderr


def test_worker_runs_one_pass_and_exits(cli) -> None:
    cli(
        "tenants",
        "create",
        "--company",
        "Atelier Roux",
        "--slug",
        "roux",
        "--admin-email",
        "jo@roux.fr",
        "--admin-password",
        PASSWORD,
    )
    result = cli("worker", "--once")
    assert result.returncode == 0
