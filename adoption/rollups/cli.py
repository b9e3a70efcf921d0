"""``comptoir adoption rollup``: the rollups up to date now."""

from __future__ import annotations

import click


@click.group("adoption")
def adoption() -> None:
    """Adoption figures: usage rollups."""


@adoption.command("rollup")
def rollup() -> None:
    """Bring every tenant's usage rollups up to date now."""
    from comptoir.adoption.rollups.service import rollup_all
    from comptoir.platform.cli import run

    tenants = run(rollup_all())
    click.echo(f"Rollups up to date for {tenants} tenant(s).")
