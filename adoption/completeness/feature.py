"""The data completeness feature's manifest."""

from comptoir.adoption.completeness.controllers import CompletenessController
from comptoir.adoption.completeness.service import COMPLETENESS_SNAPSHOT, provision_rules
from comptoir.adoption.completeness.tables import (
    CompletenessRuleSet,
    CompletenessSnapshot,
    StageRequirement,
)
from comptoir.platform.features import EVERY_ACTION, Feature

FEATURE = Feature(
    name="completeness",
    label="Data completeness",
    area="adoption",
    api_routes=(CompletenessController,),
    tables=(CompletenessRuleSet, StageRequirement, CompletenessSnapshot),
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
)
