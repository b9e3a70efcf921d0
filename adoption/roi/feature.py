"""The ROI feature's manifest."""

from comptoir.adoption.roi.controllers import RoiController
from comptoir.adoption.roi.demo import seed_roi_demo
from comptoir.adoption.roi.pages import RoiPages
from comptoir.adoption.roi.service import provision_baseline
from comptoir.adoption.roi.tables import RoiBaseline
from comptoir.platform.features import EVERY_ACTION, Feature, NavEntry

FEATURE = Feature(
    name="roi",
    label="Return on investment",
    area="adoption",
    api_routes=(RoiController,),
    page_routes=(RoiPages,),
    nav=(
        NavEntry(
            key="adoption-roi",
            label="ROI",
            path="/adoption/roi",
            icon="target",
            group="admin",
            order=53,
        ),
    ),
    flashes={"roi_saved": ("success", "Baseline saved.")},
    tables=(RoiBaseline,),
    audit_labels={"roi.baseline": "Changed the ROI baseline"},
    permissions={
        "admin": EVERY_ACTION,
        "key_user": frozenset({"view"}),
    },
    provisioners=(provision_baseline,),
    demo_seeders=(seed_roi_demo,),
)
