"""The features of the adoption area, one line each: their manifests say the rest."""

from comptoir.adoption.completeness.feature import FEATURE as COMPLETENESS
from comptoir.adoption.health.feature import FEATURE as HEALTH
from comptoir.adoption.insights.feature import FEATURE as INSIGHTS
from comptoir.adoption.reports.feature import FEATURE as REPORTS
from comptoir.adoption.roi.feature import FEATURE as ROI
from comptoir.adoption.rollups.feature import FEATURE as ROLLUPS
from comptoir.adoption.telemetry.feature import FEATURE as TELEMETRY
from comptoir.adoption.training.feature import FEATURE as TRAINING
from comptoir.adoption.usage.feature import FEATURE as USAGE
from comptoir.platform.features import Feature

ADOPTION_FEATURES: tuple[Feature, ...] = (
    TELEMETRY,
    ROLLUPS,
    USAGE,
    HEALTH,
    REPORTS,
    COMPLETENESS,
    TRAINING,
    ROI,
    INSIGHTS,
)
