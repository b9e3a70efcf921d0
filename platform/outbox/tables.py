"""E-mail waiting to be delivered, kept after delivery as a record of what was sent."""

from piccolo.columns import Integer, Text, Timestamptz, Varchar

from comptoir.platform.db.base import TenantTable


class OutboxMessage(TenantTable, tablename="outbox_messages"):
    kind = Varchar(length=40, default="")
    to_address = Varchar(length=254)
    subject = Varchar(length=300)
    body_text = Text()
    body_html = Text(default="")
    status = Varchar(length=20, default="pending")  # held, pending, sending, sent, failed
    attempts = Integer(default=0)
    last_error = Text(default="")
    sent_at = Timestamptz(null=True, default=None)
    # When a sender claimed it (status "sending"); a claim older than a few
    # minutes belongs to a sender that died, and is released.
    claimed_at = Timestamptz(null=True, default=None)
