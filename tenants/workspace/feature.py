"""The workspace shell's manifest: sign-in, home, one's own account."""

from comptoir.platform.auth.controllers import SessionController
from comptoir.platform.features import Feature, NavEntry
from comptoir.tenants.workspace.door_pages import DoorPages
from comptoir.tenants.workspace.home_pages import HomePages

FEATURE = Feature(
    name="workspace",
    label="Workspace",
    api_routes=(SessionController,),
    page_routes=(DoorPages, HomePages),
    nav=(NavEntry(key="home", label="Home", path="/", icon="home", order=0),),
)
