"""The quotes feature's manifest."""

from comptoir.platform.features import Feature
from comptoir.tenants.quotes.tables import Quote, QuoteLine, QuoteSequence

FEATURE = Feature(
    name="quotes",
    label="Quotes",
    module="sales",
    tables=(
        Quote,
        QuoteLine,
        QuoteSequence,
    ),
)
