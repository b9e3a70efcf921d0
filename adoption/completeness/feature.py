"""The data completeness feature's manifest."""

from comptoir.adoption.completeness.controllers import CompletenessController
from comptoir.adoption.completeness.pages import CompletenessPages
from comptoir.adoption.completeness.service import (
    COMPLETENESS_SNAPSHOT,
    on_records_changed,
    provision_rules,
)
from comptoir.adoption.completeness.tables import (
    CompletenessChange,
    CompletenessFigures,
    CompletenessRuleSet,
    CompletenessSnapshot,
    StageRequirement,
)
from comptoir.platform.features import EVERY_ACTION, Feature, NavEntry

FEATURE = Feature(
    name="completeness",
    label="Data completeness",
    area="adoption",
    api_routes=(CompletenessController,),
    page_routes=(CompletenessPages,),
    nav=(
        NavEntry(
            key="adoption-completeness",
            label="Completeness",
            path="/adoption/completeness",
            icon="check",
            group="admin",
            order=52,
        ),
    ),
    flashes={
        "completeness_rules_saved": ("success", "Expected fields saved as a new version."),
        "completeness_stage_saved": ("success", "Stage requirements saved."),
    },
    tables=(
        CompletenessRuleSet,
        StageRequirement,
        CompletenessSnapshot,
        CompletenessFigures,
        CompletenessChange,
    ),
    audit_labels={
        "completeness.rules": "Changed the expected fields",
        "completeness.stage": "Changed the fields a pipeline stage requires",
    },
    permissions={
        "admin": EVERY_ACTION,
        "key_user": frozenset({"view"}),
    },
    events=("completeness.rules_changed",),
    job_kinds=(COMPLETENESS_SNAPSHOT,),
    provisioners=(provision_rules,),
    listeners=(on_records_changed,),
)
