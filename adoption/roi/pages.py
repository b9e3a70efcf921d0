"""The ROI page: the results per module (or what is missing to compute
them) and, for admins, the baseline form."""

from decimal import Decimal
from typing import Any

from litestar import Controller, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import URLEncodedBody
from litestar.response import Redirect, Template

from comptoir.adoption.roi import service
from comptoir.adoption.roi.controllers import roi_out
from comptoir.platform.errors import ValidationFailed
from comptoir.platform.features import requires
from comptoir.tenants.workspace.deps import WorkspacePage, provide_workspace_page
from comptoir.tenants.workspace.rendering import form_errors, render_page, see_other


def _(message: str) -> str:
    """Marks an English label for extraction; it is translated when shown."""
    return message


MODULE_LABELS = {"sales": _("Sales"), "service": _("After-sales"), "marketing": _("Marketing")}
STATUS_LABELS = {
    "measured": _("Measured"),
    "no_data": _("No measured data"),
    "no_baseline": _("Baseline missing"),
}


def _form_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


async def _page(
    page: WorkspacePage,
    *,
    data: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Template:
    report = await service.roi_report(page.tenant.id)
    out = roi_out(report)
    values = (
        data
        if data is not None
        else {
            spec.name: _form_value(getattr(report.baseline, spec.name))
            for spec in service.BASELINE_FIELDS
        }
    )
    sections: dict[str, list[service.BaselineField]] = {}
    for spec in service.BASELINE_FIELDS:
        sections.setdefault(spec.section, []).append(spec)
    return render_page(
        page,
        "adoption/roi.html",
        section="adoption-roi",
        status=status,
        roi=out,
        sections=sections,
        values=values,
        errors=errors or {},
        editable=page.can("roi.manage"),
        module_labels=MODULE_LABELS,
        status_labels=STATUS_LABELS,
        window_days=service.WINDOW_DAYS,
    )


class RoiPages(Controller):
    path = "/w/{slug:str}/adoption/roi"
    include_in_schema = False
    dependencies = {"page": Provide(provide_workspace_page)}

    @get("/", name="adoption-roi", opt=requires("roi", "view"))
    async def overview(self, page: NamedDependency[WorkspacePage]) -> Template:
        return await _page(page)

    @post("/baseline", name="adoption-roi-baseline", opt=requires("roi", "manage"))
    async def save(
        self, page: NamedDependency[WorkspacePage], data: URLEncodedBody[dict[str, str]]
    ) -> Template | Redirect:
        try:
            await service.save_baseline(page.tenant.id, data, actor=page.actor)
        except ValidationFailed as error:
            return await _page(page, data=data, errors=form_errors(error), status=422)
        return see_other(f"{page.base}/adoption/roi", flash="roi_saved")
