"""The monthly adoption report: e-mailed over SMTP to the tenant's
administrators with the previous month's figures, once per month."""

from __future__ import annotations

import httpx

from comptoir.adoption.reports.service import MONTHLY_REPORT, Month, send_monthly_reports
from tests.adoption.test_usage_support import at, event, record, roll
from tests.support.fixtures import Workspace
from tests.support.jobs import deliver_mail
from tests.support.pages import add_person
from tests.support.smtp import Mailbox


async def test_the_report_goes_once_to_each_admin_with_the_key_figures(
    client: httpx.AsyncClient, workspace: Workspace, mailbox: Mailbox
) -> None:
    rep = await add_person(client, workspace)
    t = workspace.tenant_id
    await record(
        event(t, rep, "2026-01-05 10:00"),
        event(t, rep, "2026-01-31 23:30"),  # 1 February in Paris: not January's
        event(t, workspace.admin_user_id, "2026-01-20 10:00", "quote.sent", role="admin"),
        event(
            t,
            rep,
            "2026-01-21 10:00",
            "ticket.status_changed",
            module="service",
            object_type="ticket",
        ),
    )
    await roll(t, "2026-02-01 06:00")
    now = at("2026-02-01 06:00")
    assert await send_monthly_reports(now=now) == 1
    await deliver_mail()
    received = mailbox.to(workspace.admin_email)
    assert len(received) == 1
    message = received[0]
    assert "janvier 2026" in message["Subject"]
    body = Mailbox.text_of(message)
    assert "Utilisateurs actifs dans le mois : 2 (+2 par rapport au mois précédent)" in body
    assert f"/w/{workspace.slug}/adoption?from=2026-01-01&to=2026-01-31" in body
    # The job runs again (a retry, a second worker): nothing more is sent.
    await send_monthly_reports(now=now)
    await send_monthly_reports(month=Month.parse("2026-01"), now=now)
    await deliver_mail()
    assert len(mailbox.to(workspace.admin_email)) == 1
    assert not mailbox.to(f"{rep}@exemple.fr")


def test_months() -> None:
    import datetime as dt

    assert Month.before(dt.date(2026, 3, 1)).key == "2026-02"
    assert Month.before(dt.date(2026, 3, 1)).last == dt.date(2026, 2, 28)
    assert Month.parse("2024-02").last == dt.date(2024, 2, 29)
    assert Month.before(dt.date(2026, 1, 15)) == Month(dt.date(2025, 12, 1), dt.date(2025, 12, 31))
    assert MONTHLY_REPORT.periodic == "0 6 1 * *"  # 06:00 UTC on the 1st
