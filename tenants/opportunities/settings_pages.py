"""The pipeline's settings page: stages (add, rename, probability, order,
retire, restore, delete) and lost reasons (add, rename, retire, restore)."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from comptoir.platform.errors import ValidationFailed
from comptoir.platform.features import requires
from comptoir.tenants.opportunities import stages
from comptoir.tenants.opportunities.stages import stage_kind
from comptoir.tenants.opportunities.tables import LostReason
from comptoir.tenants.workspace.deps import WorkspacePage, provide_workspace_page
from comptoir.tenants.workspace.rendering import form_errors, render_page, see_other


async def _settings(
    page: WorkspacePage,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> Template:
    all_stages = await stages.tenant_stages(page.tenant.id)
    return render_page(
        page,
        "opportunities/settings.html",
        section="admin-pipeline",
        status=status,
        stages=all_stages,
        kinds={s.id: stage_kind(s) for s in all_stages},
        reasons=await stages.tenant_reasons(page.tenant.id),
        errors=errors or {},
        values=values or {},
    )


def _probability(raw: str) -> int:
    value = raw.strip()
    if not value.isdigit() or not 0 <= int(value) <= 100:
        raise ValidationFailed({"probability": "must be a whole number from 0 to 100"})
    return int(value)


class PipelineSettingsPages(Controller):
    """Stages (add, rename, probability, order, retire, restore, delete) and
    lost reasons (add, rename, retire, restore)."""

    path = "/w/{slug:str}/admin/pipeline"
    include_in_schema = False
    dependencies = {"page": Provide(provide_workspace_page)}

    def _back(self, page: WorkspacePage) -> Redirect:
        return see_other(f"{page.base}/admin/pipeline", flash="pipeline_saved")

    @get("/", name="admin-pipeline", opt=requires("opportunities", "manage"))
    async def settings(self, page: NamedDependency[WorkspacePage]) -> Template:
        return await _settings(page)

    @post("/stages", name="admin-pipeline-stage-create", opt=requires("opportunities", "manage"))
    async def create_stage(
        self, page: NamedDependency[WorkspacePage], data: URLEncodedBody[dict[str, str]]
    ) -> Template | Redirect:
        kind = data.get("kind", "open")
        try:
            values = {
                "name": data.get("name", ""),
                "probability": _probability(data.get("probability", "0") or "0"),
                "is_won": kind == "won",
                "is_lost": kind == "lost",
            }
            await stages.create_stage(page.tenant.id, values, actor=page.actor)
        except ValidationFailed as error:
            return await _settings(
                page, errors=form_errors(error), values={**data, "form": "stage"}, status=422
            )
        return self._back(page)

    @post(
        "/stages/{stage_id:str}",
        name="admin-pipeline-stage-update",
        opt=requires("opportunities", "manage"),
    )
    async def update_stage(
        self,
        page: NamedDependency[WorkspacePage],
        stage_id: FromPath[str],
        data: URLEncodedBody[dict[str, str]],
    ) -> Template | Redirect:
        stage = await stages.get_stage(page.tenant.id, stage_id)
        try:
            values = {
                "name": data.get("name", ""),
                "probability": _probability(data.get("probability", "")),
            }
            await stages.update_stage(page.tenant.id, stage.id, values, actor=page.actor)
        except ValidationFailed as error:
            errors = {f"{stage.id}.{k}": v for k, v in form_errors(error).items()}
            return await _settings(page, errors=errors, status=422)
        return self._back(page)

    @post(
        "/stages/{stage_id:str}/position",
        name="admin-pipeline-stage-position",
        opt=requires("opportunities", "manage"),
    )
    async def stage_position(
        self,
        page: NamedDependency[WorkspacePage],
        stage_id: FromPath[str],
        data: URLEncodedBody[dict[str, str]],
    ) -> Redirect:
        """One place up or down."""
        stage = await stages.get_stage(page.tenant.id, stage_id)
        step = -1 if data.get("direction") == "up" else 1
        position = max(stage.position + step, 0)
        await stages.update_stage(
            page.tenant.id, stage.id, {"position": position}, actor=page.actor
        )
        return self._back(page)

    @post(
        "/stages/{stage_id:str}/retire",
        name="admin-pipeline-stage-retire",
        opt=requires("opportunities", "manage"),
    )
    async def retire_stage(
        self, page: NamedDependency[WorkspacePage], stage_id: FromPath[str]
    ) -> Template | Redirect:
        try:
            await stages.retire_stage(page.tenant.id, stage_id, actor=page.actor)
        except ValidationFailed as error:
            return await _settings(page, errors=form_errors(error), status=422)
        return self._back(page)

    @post(
        "/stages/{stage_id:str}/restore",
        name="admin-pipeline-stage-restore",
        opt=requires("opportunities", "manage"),
    )
    async def restore_stage(
        self, page: NamedDependency[WorkspacePage], stage_id: FromPath[str]
    ) -> Redirect:
        await stages.restore_stage(page.tenant.id, stage_id, actor=page.actor)
        return self._back(page)

    @post(
        "/stages/{stage_id:str}/delete",
        name="admin-pipeline-stage-delete",
        opt=requires("opportunities", "manage"),
    )
    async def delete_stage(
        self, page: NamedDependency[WorkspacePage], stage_id: FromPath[str]
    ) -> Template | Redirect:
        try:
            await stages.delete_stage(page.tenant.id, stage_id, actor=page.actor)
        except ValidationFailed as error:
            return await _settings(page, errors=form_errors(error), status=422)
        return self._back(page)

    @post("/reasons", name="admin-pipeline-reason-create", opt=requires("opportunities", "manage"))
    async def create_reason(
        self, page: NamedDependency[WorkspacePage], data: URLEncodedBody[dict[str, str]]
    ) -> Template | Redirect:
        try:
            await stages.create_reason(
                page.tenant.id, {"name": data.get("name", "")}, actor=page.actor
            )
        except ValidationFailed as error:
            errors = {f"reason.{k}": v for k, v in form_errors(error).items()}
            return await _settings(
                page, errors=errors, values={"reason_name": data.get("name", "")}, status=422
            )
        return self._back(page)

    @post(
        "/reasons/{reason_id:str}",
        name="admin-pipeline-reason-update",
        opt=requires("opportunities", "manage"),
    )
    async def rename_reason(
        self,
        page: NamedDependency[WorkspacePage],
        reason_id: FromPath[str],
        data: URLEncodedBody[dict[str, str]],
    ) -> Template | Redirect:
        reason: LostReason = await stages.get_reason(page.tenant.id, reason_id)
        try:
            await stages.rename_reason(
                page.tenant.id, reason.id, {"name": data.get("name", "")}, actor=page.actor
            )
        except ValidationFailed as error:
            errors = {f"{reason.id}.{k}": v for k, v in form_errors(error).items()}
            return await _settings(page, errors=errors, status=422)
        return self._back(page)

    @post(
        "/reasons/{reason_id:str}/retire",
        name="admin-pipeline-reason-retire",
        opt=requires("opportunities", "manage"),
    )
    async def retire_reason(
        self, page: NamedDependency[WorkspacePage], reason_id: FromPath[str]
    ) -> Redirect:
        await stages.set_reason_retired(page.tenant.id, reason_id, True, actor=page.actor)
        return self._back(page)

    @post(
        "/reasons/{reason_id:str}/restore",
        name="admin-pipeline-reason-restore",
        opt=requires("opportunities", "manage"),
    )
    async def restore_reason(
        self, page: NamedDependency[WorkspacePage], reason_id: FromPath[str]
    ) -> Redirect:
        await stages.set_reason_retired(page.tenant.id, reason_id, False, actor=page.actor)
        return self._back(page)
