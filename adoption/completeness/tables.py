"""Data completeness: the expected fields (versioned rule sets), the fields
each pipeline stage requires, and the daily figures kept with the rule
version in force."""

from piccolo.columns import JSON, UUID, Date, DoublePrecision, Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow

from comptoir.platform.db.base import TenantTable


class CompletenessRuleSet(TenantTable, tablename="completeness_rule_sets"):
    """One version of the tenant's rules; a change writes a new version (unique
    per tenant), never edits one, so past figures keep the rules they had."""

    version = Integer(default=1)
    # {"contacts": {"email": 1, "phone": 2}, ...}: object -> expected field -> weight.
    expected = JSON(default={})
    stale_days = Integer(default=30)  # an open record untouched this long is stale
    changed_by = UUID(null=True, default=None)
    note = Varchar(length=200, default="")


class StageRequirement(TenantTable, tablename="completeness_stage_requirements"):
    """The opportunity fields a pipeline stage requires (unique per stage)."""

    stage_id = UUID(default=None)
    fields = JSON(default=[])
    updated_at = Timestamptz(default=TimestamptzNow())


class CompletenessSnapshot(TenantTable, tablename="completeness_snapshots"):
    """An object's score on a day, for everyone ("all") or one owner (their id,
    "" for records without one), computed with the rule version in force."""

    day = Date()
    object = Varchar(length=40)
    owner_key = Varchar(length=36, default="all")
    version = Integer(default=1)
    records = Integer(default=0)
    scored = Integer(default=0)  # records that some expected field applies to
    score = DoublePrecision(null=True, default=None)


class CompletenessFigures(TenantTable, tablename="completeness_figures"):
    """The last computed figures of an object, kept so that dashboards do not
    re-read every record (see ``scores.kept_figures`` for when they are
    used). One row per object (``owner_key`` "all"): everyone's counts in
    the columns, each owner's in ``owners`` ({owner key: [records, scored,
    score_sum, incomplete, [applicable…], [filled…]]}, fields in the order of
    ``applicable``)."""

    object = Varchar(length=40)
    owner_key = Varchar(length=36, default="")
    version = Integer(default=0)
    computed_at = Timestamptz(default=TimestamptzNow())  # when the computation began
    compute_ms = Integer(default=0)  # how long it took
    records = Integer(default=0)
    scored = Integer(default=0)
    score_sum = DoublePrecision(default=0.0)
    incomplete = Integer(default=0)
    applicable = JSON(default={})
    filled = JSON(default={})
    owners = JSON(default={})


class CompletenessChange(TenantTable, tablename="completeness_changes"):
    """When a measured record of the tenant last changed (one row per tenant,
    written after each such commit): kept figures computed before it are out
    of date."""

    changed_at = Timestamptz(default=TimestamptzNow())
