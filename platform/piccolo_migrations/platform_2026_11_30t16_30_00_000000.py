from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.querystring import QueryString

from comptoir.platform.outbox.redaction import redact

ID = "2026-11-30T16:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "e-mail sent before redaction keeps no live link"

BATCH = 500


async def scrub_sent_email() -> None:
    """Messages sent before the outbox cut the links of what it keeps still
    hold live password-reset and invitation links: cut them now, as the send
    job does for every message it sends. Runs as the owner, which row-level
    security does not restrict; a batch at a time."""
    engine = engine_finder()
    assert engine is not None
    after = ""
    while True:
        rows = await engine.run_querystring(
            QueryString(
                "SELECT id, body_text, body_html FROM outbox_messages "
                "WHERE status = 'sent' AND CAST(id AS TEXT) > {} "
                "ORDER BY CAST(id AS TEXT) LIMIT {}",
                after,
                BATCH,
            )
        )
        if not rows:
            return
        for row in rows:
            text, html = row["body_text"] or "", row["body_html"] or ""
            if redact(text) != text or redact(html) != html:
                await engine.run_querystring(
                    QueryString(
                        "UPDATE outbox_messages SET body_text = {}, body_html = {} "
                        "WHERE CAST(id AS TEXT) = {}",
                        redact(text),
                        redact(html),
                        str(row["id"]),
                    )
                )
        after = str(rows[-1]["id"])


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="platform", description=DESCRIPTION)
    manager.add_raw(scrub_sent_email)
    return manager
