"""The features of the adoption area, one line each: their manifests say the rest."""

from comptoir.adoption.completeness.feature import FEATURE as COMPLETENESS
from comptoir.adoption.roi.feature import FEATURE as ROI
from comptoir.adoption.training.feature import FEATURE as TRAINING
from comptoir.platform.features import Feature

ADOPTION_FEATURES: tuple[Feature, ...] = (
    COMPLETENESS,
    TRAINING,
    ROI,
)
