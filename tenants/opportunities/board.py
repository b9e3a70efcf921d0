"""The pipeline board: a column per stage with its first cards and totals,
"Load more" per column, moves by drag and drop or by each card's menu (a
lost stage asks why), the owner and search filters, the forecast."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import parse_qs, urlencode, urlsplit

from litestar import Controller, MediaType, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import QueryParameter, URLEncodedBody
from litestar.response import Redirect, Template

from comptoir.platform.db.listing import ListQuery
from comptoir.platform.errors import ValidationFailed
from comptoir.platform.features import requires
from comptoir.platform.ids import parse_id
from comptoir.tenants.opportunities import figures, related, service, stages
from comptoir.tenants.opportunities.forms import HELPERS
from comptoir.tenants.opportunities.stages import stage_kind
from comptoir.tenants.opportunities.tables import Opportunity, PipelineStage
from comptoir.tenants.workspace.deps import WorkspacePage, provide_workspace_page
from comptoir.tenants.workspace.records import people, wants_fragment
from comptoir.tenants.workspace.rendering import form_errors, render_page, render_partial, see_other

CARDS_PER_COLUMN = 50
Text = Annotated[str, QueryParameter(max_length=200)]
Short = Annotated[str, QueryParameter(max_length=40)]
CursorParam = Annotated[str | None, QueryParameter(max_length=500)]


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
    totals = await figures.stage_totals(
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
        "names": await related.link_names(page.tenant.id, cards),
        "people": await people(page),
        "filters": filters,
        **HELPERS,
        "lost_prompt": None,
        "move_error": "",
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
    context["forecast"] = await figures.forecast(page.tenant.id, today=today, owner_id=owner)
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
            names=await related.link_names(page.tenant.id, cards),
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
                stage_id_of(data.get("stage_id", "")),
                lost_reason_id=parse_id(data.get("lost_reason_id", "")),
                actor=page.actor,
                today=service.local_today(page.tenant.timezone),
            )
        except ValidationFailed as error:
            prompt = await lost_prompt(page, opportunity, data.get("stage_id", ""), error)
            if prompt is not None:
                return await _board(page, request, filters, status=422, lost_prompt=prompt)
            # Another refusal (a stage retired meanwhile…): the board says why.
            refused = " ".join(form_errors(error).values())
            return await _board(page, request, filters, status=422, move_error=refused)
        if wants_fragment(request):
            return await _board(page, request, filters)
        return see_other(f"{page.base}/pipeline", flash="opportunity_moved")


def _columns_of(all_stages: list[PipelineStage]) -> list[Column]:
    return [Column(stage=s, kind=stage_kind(s)) for s in all_stages if s.retired_at is None]


def stage_id_of(raw: str) -> uuid.UUID:
    """A posted stage id; 422 naming ``stage_id`` for anything else."""
    parsed = parse_id(raw)
    if parsed is None:
        raise ValidationFailed({"stage_id": "must be a stage of this pipeline"})
    return parsed


async def lost_prompt(
    page: WorkspacePage, opportunity: Opportunity, stage_id: str, error: ValidationFailed
) -> LostPrompt | None:
    """The reason question when that is what the move lacked, else None."""
    if set(error.errors) != {"lost_reason_id"}:
        return None
    stage = await stages.get_stage(page.tenant.id, stage_id)
    message = form_errors(error)["lost_reason_id"]
    return LostPrompt(str(opportunity.id), opportunity.name, stage, message)
