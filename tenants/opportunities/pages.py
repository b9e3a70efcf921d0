"""Opportunities in the workspace: the list (filters, sort, live search,
"Load more", the forecast), the form, the record page (its stage bar, stage
history, the other features' panels and history), delete, and the
opportunity picker of other forms."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from comptoir.platform.db.listing import ListQuery
from comptoir.platform.errors import ValidationFailed
from comptoir.platform.features import requires
from comptoir.platform.ids import parse_id
from comptoir.tenants.opportunities import figures, related, service, stages
from comptoir.tenants.opportunities.board import (
    CursorParam,
    LostPrompt,
    Short,
    Text,
    lost_prompt,
    stage_id_of,
)
from comptoir.tenants.opportunities.forms import HELPERS, form_values, parse_opportunity_form
from comptoir.tenants.opportunities.schemas import OpportunityFields
from comptoir.tenants.opportunities.tables import Opportunity
from comptoir.tenants.workspace.deps import WorkspacePage, provide_workspace_page
from comptoir.tenants.workspace.records import people, wants_fragment
from comptoir.tenants.workspace.rendering import form_errors, render_page, render_partial, see_other

PAGE_SIZE = 25
PICKER_SIZE = 20
STATUS_LABELS = {"open": "In progress", "won": "Won", "lost": "Lost"}

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
    names = await related.link_names(page.tenant.id, [values])
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
    links = await related.link_names(page.tenant.id, [opportunity])
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
            "names": await related.link_names(page.tenant.id, found.items),
            **HELPERS,
            "status_labels": STATUS_LABELS,
        }
        if wants_fragment(request):
            return render_partial(page, "opportunities/_rows.html", more=bool(cursor), **context)
        today = service.local_today(page.tenant.timezone)
        context["forecast"] = await figures.forecast(page.tenant.id, today=today)
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
            names=await related.link_names(page.tenant.id, found.items),
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
                stage_id_of(data.get("stage_id", "")),
                lost_reason_id=parse_id(data.get("lost_reason_id", "")),
                actor=page.actor,
                today=service.local_today(page.tenant.timezone),
            )
        except ValidationFailed as error:
            prompt = await lost_prompt(page, opportunity, data.get("stage_id", ""), error)
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
