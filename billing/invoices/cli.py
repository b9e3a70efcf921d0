"""``comptoir billing run --period YYYY-MM``: invoice that month in advance
(plus last month's added seats); re-running it changes nothing."""

from __future__ import annotations

import click

from comptoir.billing.periods import InvalidPeriod, Period, current_period


def _period(ctx: click.Context, param: click.Parameter, value: str | None) -> Period:
    if value is None:
        return current_period()
    try:
        return Period.parse(value)
    except InvalidPeriod as error:
        raise click.BadParameter(str(error)) from error


@click.group()
def billing() -> None:
    """Billing: invoice subscriptions."""


@billing.command("run")
@click.option(
    "--period",
    callback=_period,
    metavar="YYYY-MM",
    help="The month to invoice (default: the current month, UTC).",
)
def run_command(period: Period) -> None:
    """Invoice every subscription for PERIOD in advance, plus last month's
    prorated seats. Safe to re-run (or to restart after a crash)."""
    from comptoir.billing.invoices.run import billing_run
    from comptoir.platform.cli import run

    result = run(billing_run(period))
    click.echo(
        f"Billing run {result.period}: {result.invoices_created} invoices created, "
        f"{result.subscriptions_seen} subscriptions invoiced, {result.trials_ended} trials "
        f"ended, in {result.seconds:.2f} s."
    )
