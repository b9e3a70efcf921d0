"""The features of the billing area, one line each: their manifests say the rest."""

from comptoir.platform.features import Feature

BILLING_FEATURES: tuple[Feature, ...] = ()
