"""/api/v1/billing/invoices: a workspace's invoices and credit notes, and each
one's PDF at ``/api/v1/billing/invoices/{id}.pdf``. No ``from __future__
import annotations``: Litestar reads the handlers' annotations."""

from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath

from comptoir.billing.invoices import pdf, service
from comptoir.billing.invoices.schemas import InvoiceOut
from comptoir.billing.invoices.views import invoice_out
from comptoir.platform.auth.callers import ApiCaller
from comptoir.platform.features import requires
from comptoir.platform.web.lists import Cursor, Limit, PageOf

PDF_SUFFIX = ".pdf"


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


class InvoiceController(Controller):
    path = "/api/v1/billing/invoices"
    tags = ["Billing"]

    @get(
        "/",
        summary="List invoices",
        description="The workspace's invoices and credit notes, newest first, each with its "
        "lines. Numbers form one gapless sequence across all customers (FA… invoices, AV… "
        "credit notes). Each line's net and VAT are rounded half-up to the cent, then summed.",
        opt=requires("billing", "view"),
    )
    async def list_invoices(
        self, caller: NamedDependency[ApiCaller], cursor: Cursor = None, limit: Limit = 50
    ) -> PageOf[InvoiceOut]:
        views, next_cursor = await service.invoices_page(
            caller.tenant.id, cursor=cursor, limit=limit
        )
        return PageOf(items=[invoice_out(view) for view in views], next_cursor=next_cursor)

    @get(
        "/{invoice_id:str}",
        summary="Read an invoice",
        description="`/api/v1/billing/invoices/{id}.pdf` answers the invoice (or credit note) "
        "as a PDF with the mandatory French mentions.",
        opt=requires("billing", "view"),
    )
    async def read_invoice(
        self, caller: NamedDependency[ApiCaller], invoice_id: FromPath[str]
    ) -> InvoiceOut | Response[bytes]:
        if invoice_id.endswith(PDF_SUFFIX):
            filename, body = await pdf.invoice_pdf(caller.tenant.id, invoice_id[: -len(PDF_SUFFIX)])
            return pdf_response(filename, body)
        return invoice_out(await service.invoice_of_tenant(caller.tenant.id, invoice_id))
