"""The pipeline in the workspace: the kanban board (a column per stage, its
totals, drag and drop or the keyboard's "Move to…", the lost reason asked
for), the forecast, the opportunities list, their form and record page,
the opportunity picker of other forms, and the pipeline's settings."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import parse_qs, urlencode, urlsplit

from litestar import Controller, MediaType, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, QueryParameter, URLEncodedBody
from litestar.response import Redirect, Template

from comptoir.platform.db.listing import ListQuery
from comptoir.platform.errors import ValidationFailed
from comptoir.platform.features import requires
from comptoir.platform.ids import parse_id
from comptoir.tenants.opportunities import service, stages
from comptoir.tenants.opportunities.forms import HELPERS, form_values, parse_opportunity_form
from comptoir.tenants.opportunities.schemas import OpportunityFields
from comptoir.tenants.opportunities.stages import stage_kind
from comptoir.tenants.opportunities.tables import LostReason, Opportunity, PipelineStage
from comptoir.tenants.workspace.deps import WorkspacePage, provide_workspace_page
from comptoir.tenants.workspace.records import people, wants_fragment
from comptoir.tenants.workspace.rendering import form_errors, render_page, render_partial, see_other

CARDS_PER_COLUMN = 50
PAGE_SIZE = 25
PICKER_SIZE = 20
Text = Annotated[str, QueryParameter(max_length=200)]
Short = Annotated[str, QueryParameter(max_length=40)]
CursorParam = Annotated[str | None, QueryParameter(max_length=500)]
STATUS_LABELS = {"open": "In progress", "won": "Won", "lost": "Lost"}


@dataclass(frozen=True)
class BoardFilters:
    owner: str = ""  # "mine" or everyone
    q: str = ""

    def owner_id(self, page: WorkspacePage) -> uuid.UUID | None:
        return page.user.id if self.owner == "mine" else None

    def query(self) -> str:
        """The filters as a query string, for the board's own links."""
        return urlencode({k: v for k, v in (("owner", self.owner), ("q", self.q)) if v})


@dataclass
class Column:
    stage: PipelineStage
    kind: str  # open, won, lost
    count: int = 0
    amount: Any = 0
    weighted: Any = 0
    cards: list[dict[str, Any]] = field(default_factory=list)
    next_cursor: str | None = None


def _filters_from(url: str | None) -> BoardFilters:
    """The board's filters as the page that sent a move shows them."""
    if not url:
        return BoardFilters()
    query = parse_qs(urlsplit(url).query)
    owner = query.get("owner", [""])[0]
    return BoardFilters(owner="mine" if owner == "mine" else "", q=query.get("q", [""])[0][:200])


async def _cards(
    page: WorkspacePage, stage_id: uuid.UUID, filters: BoardFilters, cursor: str | None = None
) -> tuple[list[dict[str, Any]], str | None]:
    wanted = {"stage_id": str(stage_id)}
    owner = filters.owner_id(page)
    if owner is not None:
        wanted["owner_id"] = str(owner)
    query = ListQuery(
        q=filters.q or None,
        cursor=cursor,
        sort="-updated_at",
        limit=CARDS_PER_COLUMN,
        filters=wanted,
    )
    found = await service.list_opportunities(page.tenant.id, query)
    return found.items, found.next_cursor


async def _board_context(
    page: WorkspacePage, filters: BoardFilters, **extra: Any
) -> dict[str, Any]:
    """Every column of the board with its first cards and its totals."""
    all_stages = await stages.tenant_stages(page.tenant.id)
    totals = await service.stage_totals(
        page.tenant.id, owner_id=filters.owner_id(page), q=filters.q or None
    )
    columns = []
    for stage in all_stages:
        sums = totals.get(str(stage.id))
        if stage.retired_at is not None and sums is None:
            continue
        column = Column(stage=stage, kind=stage_kind(stage))
        if sums is not None:
            column.count, column.amount, column.weighted = sums.count, sums.amount, sums.weighted
            column.cards, column.next_cursor = await _cards(page, stage.id, filters)
        columns.append(column)
    cards = [card for column in columns for card in column.cards]
    return {
        "columns": columns,
        "targets": [c for c in columns if c.stage.retired_at is None],
        "reasons": [r for r in await stages.tenant_reasons(page.tenant.id) if not r.retired_at],
        "names": await service.link_names(page.tenant.id, cards),
        "people": await people(page),
        "filters": filters,
        **HELPERS,
        "lost_prompt": None,
        **extra,
    }


async def _board(
    page: WorkspacePage,
    request: Request[Any, Any, Any],
    filters: BoardFilters,
    *,
    status: int = 200,
    **extra: Any,
) -> Template:
    context = await _board_context(page, filters, **extra)
    if wants_fragment(request):
        partial = render_partial(page, "opportunities/_board.html", **context)
        partial.status_code = status
        return partial
    today = service.local_today(page.tenant.timezone)
    owner = filters.owner_id(page)
    context["forecast"] = await service.forecast(page.tenant.id, today=today, owner_id=owner)
    return render_page(
        page, "opportunities/pipeline.html", section="pipeline", status=status, **context
    )


@dataclass(frozen=True)
class LostPrompt:
    """The question a move to a lost stage asks: why?"""

    opportunity_id: str
    opportunity_name: str
    stage: PipelineStage
    error: str = ""


class PipelinePages(Controller):
    path = "/w/{slug:str}/pipeline"
    include_in_schema = False
    dependencies = {"page": Provide(provide_workspace_page)}

    @get("/", name="pipeline", opt=requires("opportunities", "view"))
    async def board(
        self,
        request: Request[Any, Any, Any],
        page: NamedDependency[WorkspacePage],
        owner: Short = "",
        q: Text = "",
    ) -> Template:
        """The board, or with htmx only the board (filters, after a move)."""
        filters = BoardFilters(owner="mine" if owner == "mine" else "", q=q.strip())
        return await _board(page, request, filters)

    @get("/cards", name="pipeline-cards", opt=requires("opportunities", "view"))
    async def more_cards(
        self,
        page: NamedDependency[WorkspacePage],
        stage_id: Short = "",
        cursor: CursorParam = None,
        owner: Short = "",
        q: Text = "",
    ) -> Template | Response[str]:
        """The next cards of one column ("Load more"); no column, no cards."""
        if not stage_id:
            return Response("", media_type=MediaType.HTML)
        stage = await stages.get_stage(page.tenant.id, stage_id)
        filters = BoardFilters(owner="mine" if owner == "mine" else "", q=q.strip())
        cards, next_cursor = await _cards(page, stage.id, filters, cursor)
        all_stages = await stages.tenant_stages(page.tenant.id)
        reasons = await stages.tenant_reasons(page.tenant.id)
        return render_partial(
            page,
            "opportunities/_cards.html",
            column=Column(
                stage=stage, kind=stage_kind(stage), cards=cards, next_cursor=next_cursor
            ),
            targets=[s for s in _columns_of(all_stages)],
            reasons=[r for r in reasons if not r.retired_at],
            names=await service.link_names(page.tenant.id, cards),
            people=await people(page),
            filters=filters,
            **HELPERS,
        )

    @post("/move", name="pipeline-move", opt=requires("opportunities", "edit"))
    async def move(
        self,
        request: Request[Any, Any, Any],
        page: NamedDependency[WorkspacePage],
        data: URLEncodedBody[dict[str, str]],
    ) -> Template | Redirect:
        """Move a card (drag and drop, or its "Move to…" menu). A lost stage
        without a reason answers the board asking for one (422)."""
        filters = _filters_from(request.headers.get("hx-current-url"))
        opportunity = await service.get_opportunity(page.tenant.id, data.get("opportunity_id", ""))
        try:
            await service.move_opportunity(
                page.tenant.id,
                opportunity.id,
                _stage_id(data.get("stage_id", "")),
                lost_reason_id=parse_id(data.get("lost_reason_id", "")),
                actor=page.actor,
                today=service.local_today(page.tenant.timezone),
            )
        except ValidationFailed as error:
            prompt = await _lost_prompt(page, opportunity, data.get("stage_id", ""), error)
            if prompt is None:
                raise
            return await _board(page, request, filters, status=422, lost_prompt=prompt)
        if wants_fragment(request):
            return await _board(page, request, filters)
        return see_other(f"{page.base}/pipeline", flash="opportunity_moved")


def _columns_of(all_stages: list[PipelineStage]) -> list[Column]:
    return [Column(stage=s, kind=stage_kind(s)) for s in all_stages if s.retired_at is None]


def _stage_id(raw: str) -> uuid.UUID:
    parsed = parse_id(raw)
    if parsed is None:
        raise ValidationFailed({"stage_id": "must be a stage of this pipeline"})
    return parsed


async def _lost_prompt(
    page: WorkspacePage, opportunity: Opportunity, stage_id: str, error: ValidationFailed
) -> LostPrompt | None:
    """The reason question when that is what the move lacked, else None."""
    if set(error.errors) != {"lost_reason_id"}:
        return None
    stage = await stages.get_stage(page.tenant.id, stage_id)
    message = form_errors(error)["lost_reason_id"]
    return LostPrompt(str(opportunity.id), opportunity.name, stage, message)


# ---- list, form, record -------------------------------------------------------------

SORTS = ("-created_at", "-updated_at", "name", "-amount", "amount", "expected_close_date")


async def _form(
    page: WorkspacePage,
    opportunity: Opportunity | None,
    *,
    data: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
    preset: dict[str, str] | None = None,
) -> Template:
    values = form_values(opportunity, data)
    if opportunity is None and data is None:
        values["owner_id"] = str(page.user.id)
        values.update(preset or {})
    all_stages = await stages.tenant_stages(page.tenant.id)
    reasons = await stages.tenant_reasons(page.tenant.id)
    names = await service.link_names(page.tenant.id, [values])
    return render_page(
        page,
        "opportunities/form.html",
        section="pipeline",
        status=status,
        opportunity=opportunity,
        values=values,
        errors=errors or {},
        people=await people(page),
        stages=[
            s
            for s in all_stages
            if s.retired_at is None or (opportunity and s.id == opportunity.stage_id)
        ],
        reasons=[
            r
            for r in reasons
            if r.retired_at is None or (opportunity and r.id == opportunity.lost_reason_id)
        ],
        names=names,
    )


async def _record(
    page: WorkspacePage, opportunity: Opportunity, *, lost_prompt: LostPrompt | None = None
) -> Template:
    from comptoir.tenants.workspace.record_page import record_extras

    everyone = await people(page)
    all_stages = await stages.tenant_stages(page.tenant.id)
    reasons = await stages.tenant_reasons(page.tenant.id)
    history = await service.stage_changes(page.tenant.id, opportunity.id, ListQuery(limit=20))
    links = await service.link_names(page.tenant.id, [opportunity])
    # Linked records named in the history's changes (stages and reasons included).
    known = {
        **links.accounts,
        **links.contacts,
        **{str(s.id): s.name for s in all_stages},
        **{str(r.id): r.name for r in reasons},
    }
    extras = await record_extras(
        page,
        "opportunity",
        opportunity.id,
        fields=OpportunityFields,
        people=everyone,
        names=known,
    )
    return render_page(
        page,
        "opportunities/record.html",
        section="pipeline",
        status=422 if lost_prompt else 200,
        opportunity=opportunity,
        people=everyone,
        stages=all_stages,
        stage_names={s.id: s.name for s in all_stages},
        reasons=[r for r in reasons if not r.retired_at],
        reason_names={r.id: r.name for r in reasons},
        names=links,
        moves=history.items,
        extras=extras,
        subject="opportunity",
        subject_id=opportunity.id,
        **HELPERS,
        lost_prompt=lost_prompt,
    )


class OpportunityPages(Controller):
    path = "/w/{slug:str}/opportunities"
    include_in_schema = False
    dependencies = {"page": Provide(provide_workspace_page)}

    @get("/", name="opportunities", opt=requires("opportunities", "view"))
    async def opportunities(
        self,
        request: Request[Any, Any, Any],
        page: NamedDependency[WorkspacePage],
        q: Text = "",
        cursor: CursorParam = None,
        sort: Short = "",
        stage_id: Short = "",
        status: Short = "",
        owner: Short = "",
    ) -> Template:
        """The full page, or with htmx only the rows (filters, search, "Load more")."""
        filters: dict[str, str] = {}
        if parse_id(stage_id):
            filters["stage_id"] = stage_id
        if status in STATUS_LABELS:
            filters["status"] = status
        if owner == "mine":
            filters["owner_id"] = str(page.user.id)
        chosen = sort if sort in SORTS else ""
        query = ListQuery(
            q=q.strip() or None,
            cursor=cursor,
            sort=chosen or None,
            limit=PAGE_SIZE,
            filters=filters,
        )
        found = await service.list_opportunities(page.tenant.id, query)
        all_stages = await stages.tenant_stages(page.tenant.id)
        context: dict[str, Any] = {
            "opportunities": found.items,
            "next_cursor": found.next_cursor,
            "q": q,
            "sort": chosen,
            "stage_id": filters.get("stage_id", ""),
            "status": filters.get("status", ""),
            "owner": "mine" if owner == "mine" else "",
            "people": await people(page),
            "stages": all_stages,
            "stage_names": {s.id: s.name for s in all_stages},
            "names": await service.link_names(page.tenant.id, found.items),
            **HELPERS,
            "status_labels": STATUS_LABELS,
        }
        if wants_fragment(request):
            return render_partial(page, "opportunities/_rows.html", more=bool(cursor), **context)
        today = service.local_today(page.tenant.timezone)
        context["forecast"] = await service.forecast(page.tenant.id, today=today)
        return render_page(page, "opportunities/list.html", section="pipeline", **context)

    @get("/options", name="opportunities-options", opt=requires("opportunities", "view"))
    async def options(
        self, page: NamedDependency[WorkspacePage], opportunity_q: Text = ""
    ) -> Template:
        """The opportunity picker's choices for what the user typed (htmx)."""
        query = ListQuery(q=opportunity_q.strip() or None, sort="name", limit=PICKER_SIZE)
        found = await service.list_opportunities(page.tenant.id, query)
        return render_partial(
            page,
            "opportunities/_options.html",
            opportunities=found.items,
            q=opportunity_q,
            names=await service.link_names(page.tenant.id, found.items),
        )

    @get("/new", name="opportunities-new", opt=requires("opportunities", "create"))
    async def new_opportunity(
        self,
        page: NamedDependency[WorkspacePage],
        account_id: Short = "",
        contact_id: Short = "",
        stage_id: Short = "",
    ) -> Template:
        preset = {
            name: value
            for name, value in (
                ("account_id", account_id),
                ("contact_id", contact_id),
                ("stage_id", stage_id),
            )
            if parse_id(value)
        }
        return await _form(page, None, preset=preset)

    @post("/", name="opportunities-create", opt=requires("opportunities", "create"))
    async def create(
        self, page: NamedDependency[WorkspacePage], data: URLEncodedBody[dict[str, str]]
    ) -> Template | Redirect:
        try:
            values = parse_opportunity_form(data)
            opportunity = await service.create_opportunity(
                page.tenant.id,
                values,
                actor=page.actor,
                today=service.local_today(page.tenant.timezone),
            )
        except ValidationFailed as error:
            return await _form(page, None, data=data, errors=form_errors(error), status=422)
        return see_other(f"{page.base}/opportunities/{opportunity.id}", flash="opportunity_created")

    @get(
        "/{opportunity_id:str}", name="opportunities-record", opt=requires("opportunities", "view")
    )
    async def opportunity(
        self, page: NamedDependency[WorkspacePage], opportunity_id: FromPath[str]
    ) -> Template:
        return await _record(page, await service.get_opportunity(page.tenant.id, opportunity_id))

    @get(
        "/{opportunity_id:str}/edit",
        name="opportunities-edit",
        opt=requires("opportunities", "edit"),
    )
    async def edit(
        self, page: NamedDependency[WorkspacePage], opportunity_id: FromPath[str]
    ) -> Template:
        return await _form(page, await service.get_opportunity(page.tenant.id, opportunity_id))

    @post(
        "/{opportunity_id:str}",
        name="opportunities-update",
        opt=requires("opportunities", "edit"),
    )
    async def update(
        self,
        page: NamedDependency[WorkspacePage],
        opportunity_id: FromPath[str],
        data: URLEncodedBody[dict[str, str]],
    ) -> Template | Redirect:
        opportunity = await service.get_opportunity(page.tenant.id, opportunity_id)
        try:
            values = parse_opportunity_form(data, only_sent=True)
            await service.update_opportunity(
                page.tenant.id,
                opportunity.id,
                values,
                actor=page.actor,
                today=service.local_today(page.tenant.timezone),
            )
        except ValidationFailed as error:
            return await _form(page, opportunity, data=data, errors=form_errors(error), status=422)
        return see_other(f"{page.base}/opportunities/{opportunity.id}", flash="opportunity_saved")

    @post(
        "/{opportunity_id:str}/move",
        name="opportunities-move",
        opt=requires("opportunities", "edit"),
    )
    async def move(
        self,
        page: NamedDependency[WorkspacePage],
        opportunity_id: FromPath[str],
        data: URLEncodedBody[dict[str, str]],
    ) -> Template | Redirect:
        """The record page's stage bar; a lost stage asks for the reason."""
        opportunity = await service.get_opportunity(page.tenant.id, opportunity_id)
        try:
            await service.move_opportunity(
                page.tenant.id,
                opportunity.id,
                _stage_id(data.get("stage_id", "")),
                lost_reason_id=parse_id(data.get("lost_reason_id", "")),
                actor=page.actor,
                today=service.local_today(page.tenant.timezone),
            )
        except ValidationFailed as error:
            prompt = await _lost_prompt(page, opportunity, data.get("stage_id", ""), error)
            if prompt is None:
                raise
            return await _record(page, opportunity, lost_prompt=prompt)
        return see_other(f"{page.base}/opportunities/{opportunity.id}", flash="opportunity_moved")

    @post(
        "/{opportunity_id:str}/delete",
        name="opportunities-delete",
        opt=requires("opportunities", "delete"),
    )
    async def delete(
        self, page: NamedDependency[WorkspacePage], opportunity_id: FromPath[str]
    ) -> Redirect:
        await service.delete_opportunity(page.tenant.id, opportunity_id, actor=page.actor)
        return see_other(f"{page.base}/opportunities", flash="opportunity_deleted")


# ---- settings -------------------------------------------------------------------------


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
