"""The quotes feature's manifest."""

from comptoir.platform.features import (
    EVERY_ACTION,
    WORK_ACTIONS,
    Feature,
    NavEntry,
    RecordPanel,
)
from comptoir.tenants.quotes.controllers import QuoteController
from comptoir.tenants.quotes.history import QUOTE_EXPIRY, quote_history, quote_panel
from comptoir.tenants.quotes.listeners import on_account_changes
from comptoir.tenants.quotes.pages import QuotePages
from comptoir.tenants.quotes.tables import Quote, QuoteLine, QuoteSequence

FEATURE = Feature(
    name="quotes",
    label="Quotes",
    module="sales",
    api_routes=(QuoteController,),
    page_routes=(QuotePages,),
    tables=(
        Quote,
        QuoteLine,
        QuoteSequence,
    ),
    nav=(NavEntry(key="quotes", label="Quotes", path="/quotes", icon="file", order=30),),
    audit_labels={
        "quote.create": "Created a quote",
        "quote.update": "Changed a quote",
        "quote.lines": "Changed a quote's lines",
        "quote.delete": "Deleted a quote",
        "quote.send": "Sent a quote",
        "quote.accept": "Recorded a quote as accepted",
        "quote.reject": "Recorded a quote as rejected",
        "quote.expire": "A quote expired",
    },
    permissions={
        "admin": EVERY_ACTION,
        "key_user": EVERY_ACTION - {"manage"},
        "end_user": WORK_ACTIONS,
    },
    events=(
        "quote.created",
        "quote.updated",
        "quote.deleted",
        "quote.sent",
        "quote.accepted",
        "quote.rejected",
        "quote.expired",
    ),
    job_kinds=(QUOTE_EXPIRY,),
    listeners=(on_account_changes,),
    flashes={
        "quote_created": ("success", "Quote saved as a draft."),
        "quote_saved": ("success", "Changes saved."),
        "quote_deleted": ("success", "Quote deleted."),
        "quote_sent": ("success", "Quote sent to its contact."),
        "quote_accepted": ("success", "Quote recorded as accepted."),
        "quote_rejected": ("success", "Quote recorded as rejected."),
        "quote_duplicated": ("success", "A new draft was made from the quote."),
    },
    record_panels=(
        RecordPanel(
            key="quotes",
            label="Quotes",
            subjects=frozenset({"contact", "account", "opportunity"}),
            load=quote_panel,
            template="quotes/_panel.html",
            order=40,
        ),
    ),
    timeline=quote_history,
)
