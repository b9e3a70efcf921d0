"""The list of features, assembled from each area's own list.

The platform imports the other areas only here (and in the app factory and the
CLI, through this module): one line per area."""

from __future__ import annotations

from functools import cache

from comptoir.platform.features import Feature


@cache
def all_features() -> tuple[Feature, ...]:
    from comptoir.adoption.feature_list import ADOPTION_FEATURES
    from comptoir.billing.feature_list import BILLING_FEATURES
    from comptoir.platform.feature_list import PLATFORM_FEATURES
    from comptoir.tenants.feature_list import TENANT_FEATURES

    features = (*PLATFORM_FEATURES, *TENANT_FEATURES, *BILLING_FEATURES, *ADOPTION_FEATURES)
    names = [feature.name for feature in features]
    duplicates = {name for name in names if names.count(name) > 1}
    if duplicates:
        raise RuntimeError(f"features declared twice: {sorted(duplicates)}")
    return features


def areas() -> list[str]:
    """The areas that have features, platform first (Piccolo apps, in order)."""
    seen: list[str] = []
    for feature in all_features():
        if feature.area not in seen:
            seen.append(feature.area)
    return seen
