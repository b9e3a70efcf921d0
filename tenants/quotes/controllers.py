"""/api/v1/quotes: the record API (drafts only are changed or deleted), the
status actions (send, accept, reject), duplicate, and the PDF at
``/api/v1/quotes/{id}.pdf``. No ``from __future__ import annotations``:
Litestar reads the handlers' annotations."""

from decimal import Decimal
from typing import Annotated, Any

from litestar import Request, Response, get, patch, post, put
from litestar.di import NamedDependency
from litestar.params import Body, FromPath, JSONBody, Parameter

from comptoir.platform.auth.callers import ApiCaller
from comptoir.platform.db.pagination import Page
from comptoir.platform.features import requires
from comptoir.platform.fields import sent_values
from comptoir.platform.web.lists import Cursor, Limit, PageOf, Search, Sort, list_query, page_of
from comptoir.platform.web.record_api import RecordApi, record_controller
from comptoir.tenants.quotes import pdf, service
from comptoir.tenants.quotes.schemas import (
    AcceptIn,
    QuoteFields,
    QuoteLineOut,
    QuoteOut,
    QuoteSummaryOut,
    QuoteUpdate,
    VatShareOut,
)
from comptoir.tenants.quotes.totals import CENT, rate_text

PDF_SUFFIX = ".pdf"
SENT_IS_FINAL = " A quote that is no longer a draft answers 409: duplicate it to revise it."

QUOTES_API = RecordApi(
    feature="quotes",
    singular="quote",
    tag="Quotes",
    fields=QuoteFields,
    update=QuoteUpdate,
    out=QuoteOut,
    spec=service.QUOTE_LIST,
    list_records=service.list_quotes,
    get_record=service.get_quote,
    create_record=service.create_quote,
    update_record=service.update_quote,
    delete_record=service.delete_quote,
    searched="the number, the title and the account's name",
)


MONEY = ("total_net", "total_vat", "total_gross")


def _cents(value: Any) -> Decimal:
    """Money as the API writes it, two decimals ("132.50"), whatever the
    database hands back (SQLite keeps no trailing zeros)."""
    return Decimal(str(value)).quantize(CENT)


def _plain(value: Any) -> Decimal:
    """A quantity or a percentage without trailing zeros ("1.5", "10")."""
    return Decimal(rate_text(value))


def summary_row(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, **{name: _cents(row[name]) for name in MONEY}}


def quote_out(view: service.QuoteView) -> QuoteOut:
    quote = view.quote
    fields = {name: getattr(quote, name) for name in QuoteSummaryOut.__struct_fields__}
    fields.update({name: _cents(fields[name]) for name in MONEY})
    return QuoteOut(
        **fields,
        payment_terms=quote.payment_terms,
        notes=quote.notes,
        lines=[
            QuoteLineOut(
                position=line.position,
                description=line.description,
                quantity=_plain(line.quantity),
                unit_price=_cents(line.unit_price),
                discount_percent=_plain(line.discount_percent),
                vat_rate=rate_text(line.vat_rate),
                total_net=_cents(line.total_net),
                total_vat=_cents(line.total_vat),
            )
            for line in view.lines
        ],
        vat_breakdown=[
            VatShareOut(rate=share.rate, base=_cents(share.base), vat=_cents(share.vat))
            for share in view.amounts.breakdown
        ],
    )


def pdf_response(filename: str, body: bytes, *, inline: bool = False) -> Response[bytes]:
    disposition = "inline" if inline else "attachment"
    return Response(
        content=body,
        media_type=pdf.PDF_TYPE,
        headers={
            "Content-Disposition": f'{disposition}; filename="{filename}"',
            "Cache-Control": "private, no-store",
        },
    )


Status = Annotated[
    str | None,
    Parameter(
        description="draft, sent, accepted, rejected or expired.",
        pattern="^(draft|sent|accepted|rejected|expired)$",
        required=False,
    ),
]
IdFilter = Annotated[str | None, Parameter(max_length=40, required=False)]


class QuoteController(record_controller(QUOTES_API, "/api/v1/quotes")):  # type: ignore[misc]
    @get(
        "/",
        summary="List quotes",
        description=QUOTES_API.list_description() + " Items carry no lines: read a quote for them.",
        opt=requires("quotes", "view"),
    )
    async def list_records(
        self,
        caller: NamedDependency[ApiCaller],
        request: Request[Any, Any, Any],
        q: Search = None,
        cursor: Cursor = None,
        limit: Limit = 50,
        sort: Sort = None,
        status: Status = None,
        account_id: IdFilter = None,
        contact_id: IdFilter = None,
        opportunity_id: IdFilter = None,
        owner_id: IdFilter = None,
    ) -> PageOf[QuoteSummaryOut]:
        query = list_query(request, q=q, cursor=cursor, limit=limit, sort=sort)
        found = await service.list_quotes(caller.tenant.id, query)
        rows = [summary_row(row) for row in found.items]
        return page_of(Page(items=rows, next_cursor=found.next_cursor), QuoteSummaryOut)

    @post(
        "/",
        summary="Create a quote",
        description="A draft. `valid_until` defaults to today plus the company profile's "
        "validity, `payment_terms` to the profile's. Each line's net and VAT are rounded "
        "half-up to the cent, then summed.",
        opt=requires("quotes", "create"),
    )
    async def create_record(
        self, caller: NamedDependency[ApiCaller], data: JSONBody[QuoteFields]
    ) -> QuoteOut:
        view = await service.create_quote(caller.tenant.id, sent_values(data), actor=caller.actor)
        return quote_out(view)

    @get(
        "/{record_id:str}",
        summary="Read a quote",
        description="`/api/v1/quotes/{id}.pdf` answers the quote as a PDF.",
        opt=requires("quotes", "view"),
    )
    async def read_record(
        self, caller: NamedDependency[ApiCaller], record_id: FromPath[str]
    ) -> QuoteOut | Response[bytes]:
        if record_id.endswith(PDF_SUFFIX):
            filename, body = await pdf.quote_pdf(caller.tenant.id, record_id[: -len(PDF_SUFFIX)])
            return pdf_response(filename, body)
        return quote_out(await service.get_quote(caller.tenant.id, record_id))

    @patch(
        "/{record_id:str}",
        summary="Change a draft quote",
        description="Only the fields sent change; `lines`, when sent, replace them all."
        + SENT_IS_FINAL,
        opt=requires("quotes", "edit"),
    )
    async def update_record(
        self,
        caller: NamedDependency[ApiCaller],
        record_id: FromPath[str],
        data: JSONBody[QuoteUpdate],  # type: ignore[valid-type]
    ) -> QuoteOut:
        view = await service.update_quote(
            caller.tenant.id, record_id, sent_values(data), actor=caller.actor
        )
        return quote_out(view)

    @put(
        "/{record_id:str}",
        summary="Replace a draft quote",
        description="Every field and the lines are replaced." + SENT_IS_FINAL,
        opt=requires("quotes", "edit"),
    )
    async def replace_record(
        self,
        caller: NamedDependency[ApiCaller],
        record_id: FromPath[str],
        data: JSONBody[QuoteFields],
    ) -> QuoteOut:
        view = await service.update_quote(
            caller.tenant.id, record_id, sent_values(data), actor=caller.actor
        )
        return quote_out(view)

    @post(
        "/{record_id:str}/send",
        summary="Send a draft quote",
        description="Gives it its number (D-YYYY-NNNNN, gapless per year), its issue date, and "
        "e-mails its PDF to its contact (who needs an e-mail address, else 422 on "
        "`contact_id`).",
        opt=requires("quotes", "edit"),
        status_code=200,
    )
    async def send(self, caller: NamedDependency[ApiCaller], record_id: FromPath[str]) -> QuoteOut:
        return quote_out(await service.send_quote(caller.tenant.id, record_id, actor=caller.actor))

    @post(
        "/{record_id:str}/accept",
        summary="Record that a sent quote was accepted",
        description='`{"win_opportunity": true}` also marks its opportunity won.',
        opt=requires("quotes", "edit"),
        status_code=200,
    )
    async def accept(
        self,
        caller: NamedDependency[ApiCaller],
        record_id: FromPath[str],
        data: Annotated[AcceptIn | None, Body()] = None,
    ) -> QuoteOut:
        win = bool(data and data.win_opportunity)
        view = await service.accept_quote(
            caller.tenant.id, record_id, actor=caller.actor, win_opportunity=win
        )
        return quote_out(view)

    @post(
        "/{record_id:str}/reject",
        summary="Record that a sent quote was rejected",
        opt=requires("quotes", "edit"),
        status_code=200,
    )
    async def reject(
        self, caller: NamedDependency[ApiCaller], record_id: FromPath[str]
    ) -> QuoteOut:
        return quote_out(
            await service.reject_quote(caller.tenant.id, record_id, actor=caller.actor)
        )

    @post(
        "/{record_id:str}/duplicate",
        summary="Duplicate a quote into a new draft",
        description="The way to revise a sent quote: the copy's `revision_of` is the original.",
        opt=requires("quotes", "create"),
    )
    async def duplicate(
        self, caller: NamedDependency[ApiCaller], record_id: FromPath[str]
    ) -> QuoteOut:
        view = await service.duplicate_quote(caller.tenant.id, record_id, actor=caller.actor)
        return quote_out(view)


__all__ = ["QuoteController"]
