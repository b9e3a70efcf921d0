"""The usage feature's manifest."""

from comptoir.platform.features import Feature

FEATURE = Feature(
    name="usage",
    label="Adoption",
    area="adoption",
)
