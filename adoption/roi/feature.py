"""The ROI feature's manifest."""

from comptoir.platform.features import Feature
from comptoir.adoption.roi.tables import RoiBaseline

FEATURE = Feature(name="roi", label="Return on investment", area="adoption", tables=(RoiBaseline,))
