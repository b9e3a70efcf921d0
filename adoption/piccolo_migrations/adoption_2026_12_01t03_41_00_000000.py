"""Workspaces made before completeness, training and ROI existed get what a
signup now provisions: the first rule version (default expected fields), the
starter training programs and an empty ROI baseline. Each only where it is
missing, so a re-run changes nothing."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-01T03:41:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "provision completeness rules, starter training programs and ROI baselines"


async def provision_existing() -> None:
    from comptoir.adoption.completeness.service import provision_rules
    from comptoir.adoption.completeness.tables import CompletenessRuleSet
    from comptoir.adoption.roi.service import provision_baseline
    from comptoir.adoption.roi.tables import RoiBaseline
    from comptoir.adoption.training.service import provision_programs
    from comptoir.adoption.training.tables import TrainingProgram
    from comptoir.platform.db.scope import tenant_scope
    from comptoir.platform.directory.tables import Tenant

    for row in await Tenant.select(Tenant.id):
        async with tenant_scope(row["id"]) as scope:
            if not await scope.count(CompletenessRuleSet):
                await provision_rules(scope, None, None)  # type: ignore[arg-type]
            if not await scope.count(TrainingProgram):
                await provision_programs(scope, None, None)  # type: ignore[arg-type]
            if not await scope.count(RoiBaseline):
                await provision_baseline(scope, None, None)  # type: ignore[arg-type]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="adoption", description=DESCRIPTION)
    manager.add_raw(provision_existing)
    return manager
