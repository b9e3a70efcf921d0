"""The features of the adoption area, one line each: their manifests say the rest."""

from comptoir.platform.features import Feature

ADOPTION_FEATURES: tuple[Feature, ...] = ()
