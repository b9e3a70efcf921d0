"""The opportunities feature's manifest: the pipeline."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from comptoir.platform.features import (
    EVERY_ACTION,
    WORK_ACTIONS,
    Feature,
    NavEntry,
    RecordPanel,
)
from comptoir.tenants.opportunities.board import PipelinePages
from comptoir.tenants.opportunities.controllers import (
    LostReasonController,
    OpportunityController,
    StageController,
)
from comptoir.tenants.opportunities.forms import euros
from comptoir.tenants.opportunities.pages import OpportunityPages
from comptoir.tenants.opportunities.related import opportunities_of, stage_history
from comptoir.tenants.opportunities.settings_pages import PipelineSettingsPages
from comptoir.tenants.opportunities.tables import (
    LostReason,
    Opportunity,
    OpportunityStageChange,
    OpportunityTotal,
    PipelineStage,
)


async def _panel(tenant_id: uuid.UUID, subject: str, subject_id: uuid.UUID) -> Sequence[Any]:
    """The rows of the panel, amounts written out (other features' pages
    render it, without the pipeline's template helpers)."""
    rows = await opportunities_of(tenant_id, subject, subject_id)
    return [{**row, "amount_label": euros(row["amount"])} for row in rows]


FEATURE = Feature(
    name="opportunities",
    label="Opportunities",
    module="sales",
    api_routes=(OpportunityController, StageController, LostReasonController),
    page_routes=(PipelinePages, OpportunityPages, PipelineSettingsPages),
    tables=(
        PipelineStage,
        LostReason,
        Opportunity,
        OpportunityStageChange,
        OpportunityTotal,
    ),
    nav=(
        NavEntry(key="pipeline", label="Pipeline", path="/pipeline", icon="target", order=15),
        NavEntry(
            key="admin-pipeline",
            label="Pipeline stages",
            path="/admin/pipeline",
            icon="layers",
            action="manage",
            group="admin",
            order=40,
        ),
    ),
    audit_labels={
        "opportunity.create": "Created an opportunity",
        "opportunity.update": "Changed an opportunity",
        "opportunity.delete": "Deleted an opportunity",
        "pipeline_stage.create": "Added a pipeline stage",
        "pipeline_stage.update": "Changed a pipeline stage",
        "pipeline_stage.reorder": "Reordered the pipeline stages",
        "pipeline_stage.retire": "Retired a pipeline stage",
        "pipeline_stage.restore": "Restored a pipeline stage",
        "pipeline_stage.delete": "Deleted a pipeline stage",
        "lost_reason.create": "Added a lost reason",
        "lost_reason.update": "Renamed a lost reason",
        "lost_reason.retire": "Retired a lost reason",
        "lost_reason.restore": "Restored a lost reason",
    },
    permissions={
        "admin": EVERY_ACTION,
        "key_user": EVERY_ACTION - {"manage"},
        "end_user": WORK_ACTIONS,
    },
    events=(
        "opportunity.created",
        "opportunity.updated",
        "opportunity.deleted",
        "opportunity.stage_changed",
        "opportunity.won",
        "opportunity.lost",
    ),
    flashes={
        "opportunity_created": ("success", "Opportunity created."),
        "opportunity_saved": ("success", "Changes saved."),
        "opportunity_deleted": ("success", "Opportunity deleted."),
        "opportunity_moved": ("success", "Opportunity moved."),
        "pipeline_saved": ("success", "Pipeline saved."),
    },
    record_panels=(
        RecordPanel(
            key="opportunities",
            label="Opportunities",
            subjects=frozenset({"account", "contact"}),
            load=_panel,
            template="opportunities/_panel.html",
            order=10,
        ),
    ),
    timeline=stage_history,
)
