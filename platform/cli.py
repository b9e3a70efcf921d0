"""The ``comptoir`` command."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Awaitable
from pathlib import Path
from typing import TypeVar

import click

T = TypeVar("T")


def run(coroutine: Awaitable[T]) -> T:
    async def wrapper() -> T:
        from comptoir.platform.db.engine import close_pool, get_engine, start_pool

        engine = get_engine()
        await start_pool(engine, max_size=4)
        try:
            return await coroutine
        finally:
            await close_pool(engine)

    return asyncio.run(wrapper())


def fail(message: str) -> None:
    click.secho(message, fg="red", err=True)
    sys.exit(1)


@click.group()
def main() -> None:
    """Comptoir: hosted CRM workspaces."""
    from comptoir.platform.logs import configure_logging

    configure_logging()


APP_FACTORY = "comptoir.platform.app:create_asgi_app"


def _record_listen_address(host: str, port: int) -> None:
    """Links in pages and e-mails use the bound address unless COMPTOIR_BASE_URL is set
    (the settings read these; worker processes inherit them)."""
    from comptoir.platform.settings import reset_settings

    os.environ["COMPTOIR_LISTEN_HOST"] = host
    os.environ["COMPTOIR_LISTEN_PORT"] = str(port)
    reset_settings()


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(min=1),
    help="Web worker processes sharing the port: one per CPU core.",
)
def serve(host: str, port: int, workers: int) -> None:
    """Serve the web application and the API."""
    import uvicorn

    _record_listen_address(host, port)

    # An import string and factory=True: with several workers, each process
    # builds its own app (and its own database pool). log_config=None:
    # uvicorn's loggers go through ours (JSON); requests are logged by the
    # app's own middleware, with tenant and user.
    uvicorn.run(
        APP_FACTORY,
        factory=True,
        workers=workers,
        host=host,
        port=port,
        log_config=None,
        access_log=False,
        proxy_headers=True,
    )


@main.command()
@click.option("--once", is_flag=True, help="Run every job that is due, then exit.")
def worker(once: bool) -> None:
    """Run the job queue (e-mail, periodic jobs, retries). Several workers may
    run side by side: each job is claimed by exactly one of them."""
    from comptoir.platform.jobs.worker import run_worker

    asyncio.run(run_worker(once=once))


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
def demo(host: str, port: int) -> None:
    """Migrate, seed two demo tenants and a staff account, then serve."""
    os.environ.setdefault("COMPTOIR_DEMO", "1")
    _record_listen_address(host, port)
    from comptoir.platform.db.migrate import migrate
    from comptoir.platform.settings import get_settings
    from comptoir.tenants.demo import seed_demo

    async def prepare() -> list[str]:
        await migrate()
        return await seed_demo(base_url=get_settings().base_url)

    lines = run(prepare())
    click.echo("\n".join(lines))
    serve.callback(host=host, port=port, workers=1)  # type: ignore[misc]


@main.group()
def db() -> None:
    """Database schema."""


@db.command("migrate")
def db_migrate() -> None:
    """Apply every migration (as DATABASE_OWNER_URL if set) and the RLS policies."""
    from comptoir.platform.db.migrate import migrate

    run(migrate(quiet=False))
    click.echo("Database is up to date.")


@main.group()
def tenants() -> None:
    """Tenants (workspaces)."""


@tenants.command("create")
@click.option("--company", required=True)
@click.option("--slug", required=True)
@click.option("--admin-email", required=True)
@click.option("--admin-password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option(
    "--plan",
    default="essentiel",
    show_default=True,
    type=click.Choice(["essentiel", "pro", "entreprise"]),
)
def tenants_create(
    company: str, slug: str, admin_email: str, admin_password: str, plan: str
) -> None:
    """Provision a workspace, as a signup would; prints its admin's API token last."""
    from comptoir.platform.auth.actor import Actor
    from comptoir.platform.errors import ComptoirError
    from comptoir.tenants.signup.service import SignupRequest, provision_tenant

    request = SignupRequest(
        company_name=company,
        slug=slug,
        admin_email=admin_email,
        admin_password=admin_password,
        plan=plan,
    )
    try:
        result = run(provision_tenant(request, actor=Actor.system("cli"), api_token=True))
    except ComptoirError as error:
        fail(f"Could not create the tenant: {error.detail}")
        return
    click.echo(f"Created {result.tenant.slug} ({result.tenant.id}) on plan {plan}.")
    click.echo(result.api_token)


@tenants.command("list")
def tenants_list() -> None:
    """List tenants."""
    from comptoir.platform.directory.tables import Tenant

    rows = run(Tenant.objects().order_by(Tenant.created_at).run())
    for t in rows:
        click.echo(
            f"{t.slug:30} {t.plan:11} {t.status:10} users={t.user_count:<4} {t.created_at:%Y-%m-%d}"
        )


def _set_status(slug: str, status: str, reason: str) -> None:
    from comptoir.platform.directory.service import set_status, tenant_by_slug

    async def change() -> str:
        tenant = await tenant_by_slug(slug)
        if tenant is None:
            return ""
        await set_status(tenant, status, reason=reason, actor_label="cli")
        return tenant.status

    new_status = run(change())
    if not new_status:
        fail(f"No tenant with slug {slug!r}.")
    click.echo(f"{slug} is now {new_status}.")


@tenants.command("suspend")
@click.argument("slug")
@click.option("--reason", default="", help="Shown in the audit log.")
def tenants_suspend(slug: str, reason: str) -> None:
    """Suspend a tenant (its data is kept)."""
    _set_status(slug, "suspended", reason)


@tenants.command("reactivate")
@click.argument("slug")
def tenants_reactivate(slug: str) -> None:
    """Reactivate a suspended tenant."""
    _set_status(slug, "active", "")


@tenants.command("export")
@click.argument("slug")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write to this file instead of standard output.",
)
def tenants_export(slug: str, output: Path | None) -> None:
    """Export every record of a tenant as JSON."""
    from comptoir.platform.directory.lifecycle import export_tenant

    data = run(export_tenant(slug))
    if data is None:
        fail(f"No tenant with slug {slug!r}.")
    text = json.dumps(data, indent=2, ensure_ascii=False, default=str)
    if output:
        output.write_text(text, encoding="utf-8")
        click.echo(f"Exported {slug} to {output}.")
    else:
        click.echo(text)


@tenants.command("erase")
@click.argument("slug")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def tenants_erase(slug: str, yes: bool) -> None:
    """Erase a tenant and all its data, for good."""
    from comptoir.platform.directory.lifecycle import erase_tenant

    if not yes:
        click.confirm(f"Erase {slug} and all its data for good?", abort=True)
    counts = run(erase_tenant(slug))
    if counts is None:
        fail(f"No tenant with slug {slug!r}.")
    click.echo(f"Erased {slug}: " + ", ".join(f"{k}={v}" for k, v in (counts or {}).items() if v))


@main.group()
def tokens() -> None:
    """API tokens."""


@tokens.command("create")
@click.option("--tenant", "slug", required=True, help="Tenant slug.")
@click.option("--email", required=True, help="The user the token acts as.")
@click.option("--name", default="CLI", show_default=True)
def tokens_create(slug: str, email: str, name: str) -> None:
    """Create an API token; prints it on the last line (it is not stored)."""
    from comptoir.platform.auth.actor import Actor
    from comptoir.platform.auth.service import create_api_token
    from comptoir.platform.auth.tables import User
    from comptoir.platform.db.scope import tenant_scope
    from comptoir.platform.directory.service import tenant_by_slug

    async def create() -> str | None:
        tenant = await tenant_by_slug(slug)
        if tenant is None:
            return None
        async with tenant_scope(tenant.id) as scope:
            user = await scope.objects(User).where(User.email == email.strip().lower()).first()
        if user is None or user.status != "active":  # no token for a disabled user
            return ""
        created = await create_api_token(tenant.id, user.id, name=name, actor=Actor.system("cli"))
        return created.token

    token = run(create())
    if token is None:
        fail(f"No tenant with slug {slug!r}.")
    if token == "":
        fail(f"No active user {email} in {slug}.")
    click.echo(f"Token for {email} in {slug} (shown once, keep it safe):")
    click.echo(token)


@main.group()
def staff() -> None:
    """Staff accounts of the ops console."""


@staff.command("create")
@click.option("--email", required=True)
@click.option("--name", default="")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def staff_create(email: str, name: str, password: str) -> None:
    """Create a staff account; prints the TOTP secret to enrol in an authenticator app."""
    from comptoir.platform.console.service import create_staff
    from comptoir.platform.errors import ComptoirError

    try:
        created = run(create_staff(email, password, name=name))
    except ComptoirError as error:
        fail(f"Could not create the staff account: {error.detail}")
        return
    click.echo(f"Staff account {created.staff.email} created.")
    click.echo("Enrol this TOTP secret in an authenticator app (or scan the URI as a QR code):")
    click.echo(f"  secret: {created.totp_secret}")
    click.echo(f"  uri:    {created.provisioning_uri}")


def add_feature_commands() -> None:
    """The sub-commands the features declare (``billing``, ``adoption``…)."""
    from comptoir.platform.assembly import all_features

    for feature in all_features():
        for command in feature.cli_commands:
            main.add_command(command)


add_feature_commands()
