"""The ROI feature's manifest."""

from comptoir.adoption.roi.tables import RoiBaseline
from comptoir.platform.features import Feature

FEATURE = Feature(name="roi", label="Return on investment", area="adoption", tables=(RoiBaseline,))
