"""The signup feature's manifest: the public pages and provisioning."""

from comptoir.platform.features import Feature
from comptoir.tenants.signup.controllers import SignupController
from comptoir.tenants.signup.tables import TicketSla
from comptoir.tenants.workspace.public_pages import PublicPages

FEATURE = Feature(
    name="signup",
    label="Signup",
    page_routes=(SignupController, PublicPages),
    tables=(TicketSla,),
)
